/**
 * @module Nova's common request parameter types (nova/api/validation/parameter_types.py) as
 * TypeBox schemas, so every compute schema accepts and refuses the same things Nova does.
 */
import { Type } from '@sinclair/typebox'

/** 1..255 printable characters, no leading or trailing whitespace. */
export const name = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: '^(?! )[^\\x00-\\x1f\\x7f]*(?<! )$',
})

export const description = Type.Union([
  Type.String({ minLength: 0, maxLength: 255, pattern: '^[^\\x00-\\x1f\\x7f]*$' }),
  Type.Null(),
])

const BOOL_STRINGS = ['True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes']
const FALSE_STRINGS = ['False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']

/** A JSON boolean or one of oslo's boolean strings. */
export const boolean = Type.Union([
  Type.Boolean(),
  Type.String({ enum: [...BOOL_STRINGS, ...FALSE_STRINGS] }),
])

export function toBool(value: boolean | string | undefined, fallback = false): boolean {
  if (value === undefined) return fallback
  if (typeof value === 'boolean') return value
  return BOOL_STRINGS.includes(value)
}

/** An integer or a string of digits, at least 1 (Nova's positive_integer). */
export const positiveInteger = Type.Union([
  Type.Integer({ minimum: 1 }),
  Type.String({ pattern: '^[0-9]*$', minLength: 1 }),
])

export const nonNegativeInteger = Type.Union([
  Type.Integer({ minimum: 0 }),
  Type.String({ pattern: '^[0-9]*$', minLength: 1 }),
])

export const metadata = Type.Record(
  Type.String({ pattern: '^[a-zA-Z0-9-_:. ]{1,255}$' }),
  Type.String({ maxLength: 255 }),
  { additionalProperties: false },
)

export const tag = Type.String({ minLength: 1, maxLength: 60, pattern: '^[^,/]*$' })

export const uuid = Type.String({ format: 'uuid' })

export const diskConfig = Type.String({ enum: ['AUTO', 'MANUAL'] })

export const accessIPv4 = Type.String({ format: 'ipv4' })
export const accessIPv6 = Type.String({ format: 'ipv6' })

export const fqdn = Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' })

export const personality = Type.Array(
  Type.Object(
    {
      path: Type.String(),
      contents: Type.String({ format: 'byte' }),
    },
    { additionalProperties: false },
  ),
)

/** A number given as an integer or a digit string, as an integer. */
export function toInt(value: number | string): number {
  return typeof value === 'number' ? value : Number.parseInt(value, 10)
}

/** Nova stores IPv6 addresses compressed and lower-case (netaddr): `::babe:dc0c:1602`. */
export function normalizeIPv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.replace(/^\[|\]$/g, '')
}
