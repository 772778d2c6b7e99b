/**
 * @module Request checks of the metadef API, in Glance's order: a body must be there (400),
 * read-only keys are refused (403), then the body must fit the schema (400). List query
 * parameters are checked here too.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { imageErrors } from '../../errors.js'

// Glance validates without a format checker: `format` is documentation only.
const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false, verbose: true })
const compiled = new WeakMap<object, ValidateFunction>()

export type Body = Record<string, unknown>

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Python's repr, near enough for error messages. */
function repr(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`
  if (value === null) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  return JSON.stringify(value)
}

/** jsonschema's wording of the first error. */
function describe(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'additionalProperties':
      return `Additional properties are not allowed (${repr(params.additionalProperty)} was unexpected)`
    case 'required':
      return `${repr(params.missingProperty)} is a required property`
    case 'type':
      return `${repr(e.data)} is not of type ${repr(params.type)}`
    case 'maxLength':
      return `${repr(e.data)} is too long`
    case 'minItems':
      return `${repr(e.data)} is too short`
    case 'enum':
      return `${repr(e.data)} is not one of ${repr(params.allowedValues)}`
    case 'uniqueItems':
      return `${repr(e.data)} has non-unique elements`
    case 'minimum':
      return `${repr(e.data)} is less than the minimum of ${repr(params.limit)}`
    default:
      return `${e.instancePath || 'value'} ${e.message ?? 'is invalid'}`
  }
}

/** 400 unless `value` fits `schema` (one of the documents in schemas.ts). */
export function checkSchema(schema: Record<string, unknown>, value: unknown): void {
  let validate = compiled.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    compiled.set(schema, validate)
  }
  if (validate(value)) return
  const e = validate.errors?.[0]
  const name = typeof schema.name === 'string' ? schema.name : 'object'
  throw imageErrors.badRequest(
    `Provided object does not match schema '${name}': ${e ? describe(e) : 'invalid'}`,
  )
}

/**
 * The body of a create or update: present, without read-only keys, fitting the schema.
 * Returns it as an object (the schemas only admit objects).
 */
export function readBody(
  body: unknown,
  readOnly: readonly string[],
  schema: Record<string, unknown>,
): Body {
  if (body === undefined) throw imageErrors.badRequest('Body expected in request.')
  if (isObject(body)) for (const key of readOnly) if (key in body) throw imageErrors.readOnly(key)
  checkSchema(schema, body)
  // The schemas do not say `type: object` at their root: a list or scalar passes them.
  if (!isObject(body)) throw imageErrors.badRequest('Unexpected body type. Expected list/dict.')
  return body
}

export type Query = Record<string, string | string[] | undefined>

/** The last value of a query parameter (webob's params.get). */
export function param(query: Query, name: string): string | undefined {
  const v = query[name]
  return Array.isArray(v) ? v[v.length - 1] : v
}

export function sortDir(query: Query): 'asc' | 'desc' {
  const dir = param(query, 'sort_dir') ?? 'desc'
  if (dir !== 'asc' && dir !== 'desc')
    throw imageErrors.badRequest(`Invalid sort direction: ${dir}`)
  return dir
}

export function checkVisibility(query: Query, allowed: readonly string[]): string | undefined {
  const v = param(query, 'visibility')
  if (v !== undefined && v !== '' && !allowed.includes(v))
    throw imageErrors.badRequest(`Invalid visibility value: ${v}`)
  return v === '' ? undefined : v
}

/** A `limit` parameter: an integer, not negative (or, with `positive`, above zero). */
export function parseLimit(raw: string, positive = false): number {
  if (!/^\s*[-+]?\d+\s*$/.test(raw)) throw imageErrors.badRequest('limit param must be an integer')
  const n = Number.parseInt(raw, 10)
  if (n < 0 || (positive && n === 0)) throw imageErrors.badRequest('limit param must be positive')
  return n
}

function compare(x: unknown, y: unknown): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y
  const a = typeof x === 'string' ? x : JSON.stringify(x ?? '')
  const b = typeof y === 'string' ? y : JSON.stringify(y ?? '')
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * One page of `rows`: sorted by `keys` (the first decides, the others break ties) in `dir`,
 * starting after `marker`, at most `limit` long.
 */
export function page<T>(
  rows: readonly T[],
  keys: readonly (keyof T)[],
  dir: 'asc' | 'desc',
  marker?: T,
  limit?: number,
): T[] {
  const order = (a: T, b: T): number => {
    for (const k of keys) {
      const c = compare(a[k], b[k])
      if (c !== 0) return dir === 'asc' ? c : -c
    }
    return 0
  }
  const sorted = [...rows].sort(order)
  let start = 0
  if (marker !== undefined) {
    start = sorted.findIndex((r) => order(r, marker) > 0)
    if (start < 0) start = sorted.length
  }
  const rest = sorted.slice(start)
  return limit === undefined ? rest : rest.slice(0, limit)
}
