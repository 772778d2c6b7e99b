/** @module The compute service's errors, worded as Nova words them (rendered as Nova faults). */
import { AppError, type ErrorKind } from '../lib/errors/app-error.js'

function err(kind: ErrorKind, code: string, message: string, status?: number): AppError {
  return new AppError({
    code: `COMPUTE_${code}`,
    kind,
    message,
    ...(status === undefined ? {} : { status }),
  })
}

export const computeErrors = {
  badRequest: (message: string) => err('BadRequest', 'BAD_REQUEST', message),
  forbidden: (message: string) => err('Forbidden', 'FORBIDDEN', message),
  notFound: (message: string) => err('NotFound', 'NOT_FOUND', message),
  conflict: (message: string) => err('Conflict', 'CONFLICT', message),
  serverNotFound: (id: string) =>
    err('NotFound', 'SERVER_NOT_FOUND', `Instance ${id} could not be found.`),
  flavorNotFound: (id: string) =>
    err('NotFound', 'FLAVOR_NOT_FOUND', `Flavor ${id} could not be found.`),
  /** Nova's InstanceInvalidState (409). */
  invalidState: (action: string, id: string, attr: string, state: string | null) =>
    err(
      'Conflict',
      'INVALID_STATE',
      `Cannot '${action}' instance ${id} while it is in ${attr} ${state ?? 'None'}`,
    ),
  locked: (id: string) => err('Conflict', 'LOCKED', `Instance ${id} is locked`),
  /** Quota exceeded: 403 as Nova answers it (overLimit 413 in other places). */
  quotaExceeded: (message: string) => err('Forbidden', 'QUOTA_EXCEEDED', message),
  overLimit: (message: string) => err('OverLimit', 'OVER_LIMIT', message),
  notImplemented: (message: string) => err('NotImplemented', 'NOT_IMPLEMENTED', message),
  /** webob's HTTPGone, for APIs Nova removed (resetNetwork). */
  gone: () =>
    err('Gone', 'GONE', 'This resource is no longer available.  No forwarding address is given.'),
}
