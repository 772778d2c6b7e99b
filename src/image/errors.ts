/** @module The image service's errors, worded as Glance words them. */
import { AppError, type ErrorKind } from '../lib/errors/app-error.js'

function err(
  kind: ErrorKind,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): AppError {
  return new AppError({ code: `IMAGE_${code}`, kind, message, details })
}

export const imageErrors = {
  notFound: (id: string) => err('NotFound', 'NOT_FOUND', `No image found with ID ${id}`),
  /** A 404 with another wording than the image lookup's. */
  forNotFound: (message: string) => err('NotFound', 'NOT_FOUND', message),
  badRequest: (message: string) => err('BadRequest', 'BAD_REQUEST', message),
  forbidden: (message: string) => err('Forbidden', 'FORBIDDEN', message),
  notOwner: () => err('Forbidden', 'NOT_OWNER', 'You do not own this image'),
  readOnly: (attr: string) => err('Forbidden', 'READ_ONLY', `Attribute '${attr}' is read-only.`),
  reserved: (attr: string) => err('Forbidden', 'RESERVED', `Attribute '${attr}' is reserved.`),
  conflict: (message: string) => err('Conflict', 'CONFLICT', message),
  gone: (message: string) => err('Gone', 'GONE', message),
  rangeNotSatisfiable: (message: string) =>
    new AppError({ code: 'IMAGE_RANGE', kind: 'BadRequest', status: 416, message }),
  overLimit: (message: string) => err('OverLimit', 'OVER_LIMIT', message),
  badMediaType: (message: string, headers: Record<string, string> = {}) =>
    err('UnsupportedMediaType', 'BAD_MEDIA_TYPE', message, { headers }),
  policy: (rule: string) =>
    err('Forbidden', 'POLICY', `You are not authorized to complete ${rule} action.`),
}
