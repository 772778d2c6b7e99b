/**
 * @module JSON-schema validation at the edge. Bodies are validated strictly (no type coercion,
 * unknown properties rejected where a schema says so); query strings and path params are
 * coerced from strings. Validators compile on first use, which keeps start-up fast.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

// SAFETY: ajv-formats is CommonJS; its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
  })
  addFormats(ajv)
  return ajv
}

const bodyAjv = makeAjv(false)
const queryAjv = makeAjv(true)

/** Fastify validator compiler: lazily compiled, strict bodies, coerced query/params. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const part: ValidationPart =
    httpPart === 'body' ? 'body' : httpPart === 'querystring' ? 'query' : 'params'
  const check = compileValidator(schema as object, part)
  return (data: unknown) => {
    try {
      check(data)
      return { value: data }
    } catch (error) {
      return { error: error as ValidationError }
    }
  }
}

export type ValidationPart = 'body' | 'query' | 'params'

/**
 * A validator for use inside handlers (where the schema depends on the request, e.g. Nova's
 * microversions): throws ValidationError, compiled on first use.
 */
export function compileValidator(schema: object, part: ValidationPart): (data: unknown) => void {
  const ajv = part === 'body' ? bodyAjv : queryAjv
  let compiled: ValidateFunction | undefined
  return (data: unknown) => {
    compiled ??= ajv.compile(schema)
    if (!compiled(data)) throw new ValidationError(compiled.errors?.[0] ?? undefined, part, data)
  }
}

export class ValidationError extends Error {
  /** The first schema violation (undefined when ajv gave none). */
  readonly error: ErrorObject | undefined
  readonly part: ValidationPart
  /** The whole validated document, to quote the offending value. */
  readonly data: unknown
  constructor(error: ErrorObject | undefined, part: ValidationPart, data: unknown) {
    super(describe(error))
    this.name = 'ValidationError'
    this.error = error
    this.part = part
    this.data = data
  }
}

/** Keystone's wording: "Invalid input for field 'user/name': ...". */
function describe(error: ErrorObject | undefined): string {
  if (!error) return 'Invalid input.'
  const path = error.instancePath.replace(/^\//, '')
  const params = error.params as Record<string, unknown>
  let what: string
  switch (error.keyword) {
    case 'required':
      return `Invalid input for field '${path || '/'}': '${String(params.missingProperty)}' is a required property`
    case 'additionalProperties':
      what = `Additional properties are not allowed ('${String(params.additionalProperty)}' was unexpected)`
      break
    case 'type':
      what = `value is not of type '${String(params.type)}'`
      break
    case 'maxLength':
    case 'minLength':
      what = `value is too ${error.keyword === 'maxLength' ? 'long' : 'short'} (${error.message ?? ''})`
      break
    default:
      what = error.message ?? 'is invalid'
  }
  return `Invalid input for field '${path || '/'}': ${what}`
}
