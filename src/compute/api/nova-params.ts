/**
 * @module Request values as Nova's validators see them (nova/api/validation): query parameters
 * are lists, booleans may be oslo's strings, and number ranges are checked after a numeric
 * string is converted, with jsonschema's wording.
 */
import { Type } from '@sinclair/typebox'
import { computeErrors } from '../errors.js'

/** A query parameter schema: every query value is a list (`?a=1&a=2`). */
export const multi = (items: object) => ({ type: 'array', items })

/** Nova's parameter_types.non_negative_integer. */
export const NON_NEGATIVE = { type: ['integer', 'string'], pattern: '^[0-9]*$', minLength: 1 }

export const NOVA_BOOLEAN = Type.Unsafe<boolean | string>({
  type: ['boolean', 'string'],
  enum: [
    true,
    'True',
    'TRUE',
    'true',
    '1',
    'ON',
    'On',
    'on',
    'YES',
    'Yes',
    'yes',
    false,
    'False',
    'FALSE',
    'false',
    '0',
    'OFF',
    'Off',
    'off',
    'NO',
    'No',
    'no',
  ],
})

/** oslo's bool_from_string (strict once the schema has vetted the value). */
export function novaBool(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value
  if (typeof value !== 'string') return fallback
  return ['1', 't', 'true', 'on', 'y', 'yes'].includes(value.trim().toLowerCase())
}

/** Nova's range check of a number given as a number or a string (jsonschema's wording). */
export function numberInRange(
  field: string,
  value: number | string,
  min: number,
  max: number,
  exclusiveMin = false,
): number {
  const n = Number(value)
  const prefix = `Invalid input for field/attribute ${field}. Value: ${String(value)}.`
  if (exclusiveMin ? n <= min : n < min)
    throw computeErrors.badRequest(
      `${prefix} ${n} is less than ${exclusiveMin ? 'or equal to ' : ''}the minimum of ${min}`,
    )
  if (n > max)
    throw computeErrors.badRequest(`${prefix} ${n} is greater than the maximum of ${max}`)
  return n
}
