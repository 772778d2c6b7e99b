/**
 * @module Which image attributes a client may set, and the checks Glance applies to them on create
 * and on PATCH: read-only and reserved names (403), schema types (400), ranges (400).
 */
import { imageErrors } from '../errors.js'
import { imageSchemaError } from './image-schema.js'

/** Columns of the image row a client may set; everything else is an extra property. */
export const SETTABLE_BASE = [
  'name',
  'disk_format',
  'container_format',
  'visibility',
  'protected',
  'os_hidden',
  'min_ram',
  'min_disk',
  'owner',
] as const
export type SettableBase = (typeof SETTABLE_BASE)[number]

/** Always read-only (create and PATCH). */
export const READ_ONLY = [
  'created_at',
  'updated_at',
  'status',
  'checksum',
  'size',
  'virtual_size',
  'direct_url',
  'self',
  'file',
  'schema',
  'id',
  'os_hash_algo',
  'os_hash_value',
  'stores',
]

/** Never settable through the API (Glance's reserved attributes). */
export function isReserved(key: string): boolean {
  return ['location', 'deleted', 'deleted_at'].includes(key) || key.startsWith('os_glance')
}

export function isBase(key: string): key is SettableBase {
  return (SETTABLE_BASE as readonly string[]).includes(key)
}

const MAX_INT = 2147483647

/** 400 for a negative or too large min_ram/min_disk. */
export function checkMinimums(values: Record<string, unknown>): void {
  for (const key of ['min_ram', 'min_disk']) {
    const v = values[key]
    if (typeof v !== 'number') continue
    if (v < 0)
      throw imageErrors.badRequest(
        `Invalid value '${v}' for parameter '${key}': Cannot be a negative value`,
      )
    if (v > MAX_INT)
      throw imageErrors.badRequest(`'${key}' value out of range, must not exceed ${MAX_INT}.`)
  }
}

/** 400 unless `values` fits the image schema (extra properties must be strings). */
export function checkSchema(values: Record<string, unknown>): void {
  const error = imageSchemaError(values)
  if (error !== undefined) throw imageErrors.badRequest(error)
  for (const key of Object.keys(values))
    if (key.length > 255)
      throw imageErrors.badRequest('Custom property should not be greater than 255 characters.')
}
