/**
 * @module Property definitions (Glance's PropertyType): the JSON-schema fragments kept for
 * namespace properties and object properties. Only the fields Glance's model has are kept
 * and shown; anything else a body may carry (e.g. `required`) is dropped, as Glance drops it.
 */
import { fromJson } from '../../../lib/db/values.js'

export type PropertyDef = Record<string, unknown>

const FIELDS = [
  'name',
  'type',
  'title',
  'description',
  'operators',
  'default',
  'readonly',
  'minimum',
  'maximum',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'confidential',
  'items',
  'uniqueItems',
  'minItems',
  'maxItems',
  'additionalItems',
] as const

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The kept fields of a definition from a request body. */
export function propertyDef(value: unknown): PropertyDef {
  const out: PropertyDef = {}
  if (!isRecord(value)) return out
  for (const key of FIELDS) {
    const v = value[key]
    if (v === undefined || v === null) continue
    if (key === 'items' && isRecord(v)) {
      const items: PropertyDef = {}
      if (v.type !== undefined && v.type !== null) items.type = v.type
      if (v.enum !== undefined && v.enum !== null) items.enum = v.enum
      out.items = items
    } else out[key] = v
  }
  return out
}

/** A name -> definition map from a request body (namespace or object `properties`). */
export function propertyDefs(value: unknown): Record<string, PropertyDef> {
  const out: Record<string, PropertyDef> = {}
  if (isRecord(value)) for (const [name, def] of Object.entries(value)) out[name] = propertyDef(def)
  return out
}

export function storedDefs(json: string): Record<string, PropertyDef> {
  return fromJson<Record<string, PropertyDef>>(json, {})
}

/** `{name: def}` with every name prefixed (a resource type association's prefix). */
export function prefixed(
  defs: Record<string, PropertyDef>,
  prefix: string,
): Record<string, PropertyDef> {
  return Object.fromEntries(Object.entries(defs).map(([name, def]) => [prefix + name, def]))
}

/** One object property as notifications carry it: every field, falsy ones as null. */
export function notifiedObjectProperty(name: string, def: PropertyDef): Record<string, unknown> {
  const out: Record<string, unknown> = { name }
  for (const key of FIELDS) {
    if (key === 'name' || key === 'operators' || key === 'readonly') continue
    const v = def[key]
    const falsy =
      v === undefined || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0)
    out[key] = falsy ? null : v
  }
  return out
}

/** A namespace property as notifications carry it: every field, absent ones as null. */
export function notifiedProperty(def: PropertyDef): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of FIELDS) {
    if (key === 'name' || key === 'operators' || key === 'readonly') continue
    out[key] = def[key] ?? null
  }
  return out
}
