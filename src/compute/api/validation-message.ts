/**
 * @module Schema violations worded as Nova words them (nova/api/validation/validators.py, which
 * wraps the jsonschema library's messages): "Invalid input for field/attribute name. Value: .
 * '' is too short".
 */
import type { ValidationError } from '../../lib/http/validation.js'

/** Python's repr of a JSON value, as jsonschema quotes values in its messages. */
function repr(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'string') return `'${value}'`
  if (typeof value === 'number') return String(value)
  if (Array.isArray(value)) return `[${value.map(repr).join(', ')}]`
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `'${k}': ${repr(v)}`)
    .join(', ')}}`
}

function valueAt(data: unknown, path: string[]): unknown {
  let node = data
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[part]
  }
  return node
}

function jsonschemaMessage(
  keyword: string,
  value: unknown,
  params: Record<string, unknown>,
  fallback: string,
): string {
  switch (keyword) {
    case 'required':
      return `'${String(params.missingProperty)}' is a required property`
    case 'additionalProperties':
      return `Additional properties are not allowed ('${String(params.additionalProperty)}' was unexpected)`
    case 'type':
      return `${repr(value)} is not of type '${String(params.type).split(',').join("', '")}'`
    case 'minLength':
    case 'minItems':
    case 'minProperties':
      return `${repr(value)} is too short`
    case 'maxLength':
    case 'maxItems':
    case 'maxProperties':
      return `${repr(value)} is too long`
    case 'pattern':
      return `${repr(value)} does not match '${String(params.pattern)}'`
    case 'minimum':
      return `${repr(value)} is less than the minimum of ${String(params.limit)}`
    case 'maximum':
      return `${repr(value)} is greater than the maximum of ${String(params.limit)}`
    case 'exclusiveMinimum':
      return `${repr(value)} is less than or equal to the minimum of ${String(params.limit)}`
    case 'enum':
      return `${repr(value)} is not one of ${repr(params.allowedValues)}`
    case 'format':
      return `${repr(value)} is not a '${String(params.format)}'`
    case 'uniqueItems':
      return `${repr(value)} has non-unique elements`
    case 'anyOf':
    case 'oneOf':
      return `${repr(value)} is not valid under any of the given schemas`
    default:
      return fallback
  }
}

export function novaValidationMessage(err: ValidationError): string {
  const e = err.error
  if (!e) return 'Invalid input.'
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  const value = valueAt(err.data, path)
  // SAFETY: ajv's params are a plain record per keyword.
  const params = e.params as Record<string, unknown>
  const message = jsonschemaMessage(e.keyword, value, params, e.message ?? 'is invalid')
  if (err.part === 'query') {
    const name = path[0]
    return name === undefined
      ? message
      : `Invalid input for query parameters ${name}. Value: ${String(value)}. ${message}`
  }
  // Errors at the document root (missing or unexpected keys) are the bare jsonschema message.
  const last = path[path.length - 1]
  if (last === undefined || e.keyword === 'required' || e.keyword === 'additionalProperties')
    return last === undefined
      ? message
      : `Invalid input for field/attribute ${last}. Value: ${repr(value)}. ${message}`
  return `Invalid input for field/attribute ${last}. Value: ${typeof value === 'string' ? value : repr(value)}. ${message}`
}
