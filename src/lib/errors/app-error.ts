/**
 * @module The error model: an AppError is an expected failure that is part of the API contract
 * and safe to show the caller; anything else thrown is a defect (500 with the request id).
 */

export const ERROR_KINDS = [
  'BadRequest',
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'MethodNotAllowed',
  'NotAcceptable',
  'Conflict',
  'Gone',
  'PayloadTooLarge',
  'UnsupportedMediaType',
  'OverLimit',
  'Unavailable',
  'NotImplemented',
] as const
export type ErrorKind = (typeof ERROR_KINDS)[number]

/** The HTTP status of each kind: the only place this mapping lives. */
export const STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  Conflict: 409,
  Gone: 410,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  OverLimit: 413,
  Unavailable: 503,
  NotImplemented: 501,
}

export interface AppErrorInit {
  code: string
  kind: ErrorKind
  message: string
  /** Overrides the status of the kind where an API has its own (e.g. 429 for rate limits). */
  status?: number
  details?: Record<string, unknown>
  cause?: unknown
}

export class AppError extends Error {
  /** Stable, e.g. IDENTITY_USER_NOT_FOUND; never reused for another meaning. */
  readonly code: string
  readonly kind: ErrorKind
  readonly status: number
  readonly details: Readonly<Record<string, unknown>>

  constructor(init: AppErrorInit) {
    super(init.message, { cause: init.cause })
    this.name = 'AppError'
    this.code = init.code
    this.kind = init.kind
    this.status = init.status ?? STATUS_OF_KIND[init.kind]
    this.details = { ...init.details }
  }

  /** The plain JSON form used on the RPC bus. */
  toJSON(): SerializedAppError {
    return {
      code: this.code,
      kind: this.kind,
      status: this.status,
      message: this.message,
      details: { ...this.details },
    }
  }

  static fromJSON(value: SerializedAppError): AppError {
    return new AppError(value)
  }
}

export interface SerializedAppError {
  code: string
  kind: ErrorKind
  status: number
  message: string
  details: Record<string, unknown>
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError
}

type ErrorSpec<P> = readonly [ErrorKind, (params: P) => string]

/**
 * Declares every error of a service in one table:
 * `const errors = defineErrors('IDENTITY', { userNotFound: ['NotFound', (p: {id: string}) => ...] })`
 * then `throw errors.userNotFound({ id })`.
 */
export function defineErrors<T extends Record<string, ErrorSpec<never>>>(
  prefix: string,
  table: T,
): { [K in keyof T]: (params: Parameters<T[K][1]>[0]) => AppError } {
  const out: Record<string, (params: unknown) => AppError> = {}
  for (const [name, [kind, format]] of Object.entries(table)) {
    const code = `${prefix}_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`
    out[name] = (params: unknown) =>
      // SAFETY: params has the type the table declared for this entry.
      new AppError({ code, kind, message: (format as (p: unknown) => string)(params) })
  }
  // SAFETY: out holds exactly one factory per key of table.
  return out as { [K in keyof T]: (params: Parameters<T[K][1]>[0]) => AppError }
}
