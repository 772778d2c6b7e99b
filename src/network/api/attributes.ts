/**
 * @module Neutron's attribute maps: what each resource accepts on POST and PUT, its defaults,
 * converters and validators, and which attributes only admins see or set. Request bodies go
 * through here before any core function sees them, with Neutron's wording for every refusal.
 */
import { isDeepStrictEqual } from 'node:util'
import { networkErrors } from '../errors.js'

/** Returns an error reason ("'x' is not a valid boolean value"), or undefined when valid. */
export type Validator = (value: unknown) => string | undefined
export type Converter = (value: unknown) => unknown

export interface AttributeSpec {
  /** Settable on POST / PUT. */
  post?: boolean
  put?: boolean
  /**
   * A POST without it fills this in; a `default` key set to undefined makes it optional and
   * absent; no `default` key with `post` means required.
   */
  default?: unknown
  convert?: Converter
  validate?: Validator
  /** Only admins may set it (a policy refusal otherwise). */
  adminSet?: boolean
  /** Only admins see it. */
  adminGet?: boolean
}

export type AttributeMap = Readonly<Record<string, AttributeSpec>>

export interface ResourceNames {
  /** Singular body key, e.g. `network`, `security_group`. */
  member: string
  /** Plural body key and URL segment, e.g. `networks`, `security-groups` (URL). */
  collection: string
}

/** Attributes every resource shares (Neutron's standard attributes and project ownership). */
export const STANDARD_ATTRIBUTES: AttributeMap = {
  id: {},
  project_id: { post: true, adminSet: true },
  tenant_id: { post: true, adminSet: true },
  name: { post: true, put: true, default: '', validate: maxLength(255) },
  description: { post: true, put: true, default: '', validate: maxLength(255) },
  created_at: {},
  updated_at: {},
  revision_number: {},
  tags: {},
}

function describe(value: unknown): string {
  if (value === null) return 'None'
  if (typeof value === 'string') return `'${value}'`
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  return JSON.stringify(value)
}

export function maxLength(n: number): Validator {
  return (v) => {
    if (typeof v !== 'string') return `${describe(v)} is not a valid string`
    return v.length > n ? `'${v}' exceeds maximum length of ${n}` : undefined
  }
}

export const isString: Validator = (v) =>
  typeof v === 'string' ? undefined : `${describe(v)} is not a valid string`

export const isBoolean: Validator = (v) =>
  typeof v === 'boolean' ? undefined : `'${String(v)}' is not a valid boolean value`

/** Neutron's convert_to_boolean: true/false, "true"/"false" (any case), 0/1; else InvalidInput. */
export const toBoolean: Converter = (v) => {
  if (typeof v === 'boolean') return v
  if (v === 0 || v === 1) return v === 1
  if (typeof v === 'string') {
    const s = v.toLowerCase()
    if (s === 'true' || s === '1') return true
    if (s === 'false' || s === '0') return false
  }
  throw networkErrors.invalidInput(`'${textOf(v)}' cannot be converted to boolean`)
}

/** Neutron's convert_to_int: integers and integer strings; else InvalidInput. */
export const toInt: Converter = (v) => {
  if (v === null || (typeof v === 'number' && Number.isInteger(v))) return v
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v)
  throw networkErrors.invalidInput(`'${textOf(v)}' is not an integer`)
}

function textOf(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v)
}

export function intRange(min: number, max: number): Validator {
  return (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return `'${String(v)}' is not an integer`
    if (v < min) return `'${v}' is too small - must be at least '${min}'`
    if (v > max) return `'${v}' is too large - must be no larger than '${max}'`
    return undefined
  }
}

export function oneOf(values: readonly (string | null)[]): Validator {
  return (v) =>
    values.includes(v as string | null)
      ? undefined
      : `${describe(v)} is not in [${values.map((x) => (x === null ? 'None' : `'${x}'`)).join(', ')}]`
}

export const isUuid: Validator = (v) =>
  typeof v === 'string' &&
  /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v)
    ? undefined
    : `'${String(v)}' is not a valid UUID`

export const isUuidOrNull: Validator = (v) => (v === null ? undefined : isUuid(v))

export function listOf(item: Validator): Validator {
  return (v) => {
    if (!Array.isArray(v)) return `'${String(v)}' is not a list`
    for (const x of v) {
      const e = item(x)
      if (e) return e
    }
    return undefined
  }
}

export const isDict: Validator = (v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? undefined
    : `'${String(v)}' is not a dictionary`

/**
 * Checks a POST body against the map and returns the attributes with defaults filled in.
 * `isAdmin` decides admin-only attributes; `projectId` is the caller's project.
 */
export function prepareCreate(
  map: AttributeMap,
  member: string,
  body: Record<string, unknown>,
  caller: { isAdmin: boolean; projectId: string | undefined },
): Record<string, unknown> {
  checkKnown(map, body)
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(body)) {
    const spec = map[name]
    if (!spec?.post) throw networkErrors.badRequest(`Attribute '${name}' not allowed in POST`)
    const owner = name === 'project_id' || name === 'tenant_id'
    if (owner && !caller.isAdmin && !ownProject(name, value, caller))
      throw networkErrors.badRequest(
        "Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin or advsvc privileges",
      )
    out[name] = checkValue(name, spec, value)
    // Neutron's policy sees an attribute as set only when it differs from its default.
    if (!owner && spec.adminSet && !caller.isAdmin && !isDefaultValue(spec, out[name]))
      throw networkErrors.policy(`create_${member}:${name}`)
  }
  // project_id and tenant_id are one attribute under two names.
  const project = out.project_id ?? out.tenant_id ?? caller.projectId
  if (
    out.project_id !== undefined &&
    out.tenant_id !== undefined &&
    out.project_id !== out.tenant_id
  )
    throw networkErrors.badRequest("'project_id' and 'tenant_id' do not match")
  if (typeof project !== 'string' || project === '')
    throw networkErrors.badRequest(
      "Failed to parse request. Required attribute 'project_id' not specified",
    )
  out.project_id = project
  delete out.tenant_id
  for (const [name, spec] of Object.entries(map)) {
    if (name === 'tenant_id' || name === 'project_id' || !spec.post || name in out) continue
    if (!('default' in spec))
      throw networkErrors.badRequest(
        `Failed to parse request. Required attribute '${name}' not specified`,
      )
    if (spec.default !== undefined) out[name] = structuredClone(spec.default)
  }
  return out
}

/** Checks a PUT body: only `put` attributes, each converted and validated. */
export function prepareUpdate(
  map: AttributeMap,
  member: string,
  body: Record<string, unknown>,
  caller: { isAdmin: boolean },
): Record<string, unknown> {
  checkKnown(map, body)
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(body)) {
    const spec = map[name]
    if (!spec?.put) throw networkErrors.badRequest(`Cannot update read-only attribute ${name}`)
    if (spec.adminSet && !caller.isAdmin) throw networkErrors.policy(`update_${member}:${name}`)
    out[name] = checkValue(name, spec, value)
  }
  return out
}

function isDefaultValue(spec: AttributeSpec, value: unknown): boolean {
  return spec.default !== undefined && isDeepStrictEqual(spec.default, value)
}

function ownProject(
  name: string,
  value: unknown,
  caller: { projectId: string | undefined },
): boolean {
  return (name === 'project_id' || name === 'tenant_id') && value === caller.projectId
}

function checkKnown(map: AttributeMap, body: Record<string, unknown>): void {
  const unknown = Object.keys(body).filter((k) => !(k in map))
  if (unknown.length > 0)
    throw networkErrors.badRequest(`Unrecognized attribute(s) '${unknown.join(', ')}'`)
}

function checkValue(name: string, spec: AttributeSpec, raw: unknown): unknown {
  const value = spec.convert ? spec.convert(raw) : raw
  const reason = spec.validate?.(value)
  if (reason) throw networkErrors.invalidAttribute(name, reason)
  return value
}

/** The member body of a request (`{"network": {...}}`), or a 400 as Neutron words it. */
export function memberBody(body: unknown, member: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw networkErrors.badRequest('Body contains invalid data')
  if (!(member in body))
    throw networkErrors.badRequest(`Unable to find '${member}' in request body`)
  const inner = (body as Record<string, unknown>)[member]
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner))
    throw networkErrors.badRequest(`Object '${member}' contains invalid data`)
  return inner as Record<string, unknown>
}

/** Removes what the caller may not see. */
export function visibleAttributes(
  map: AttributeMap,
  item: Record<string, unknown>,
  isAdmin: boolean,
): Record<string, unknown> {
  if (isAdmin) return item
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(item)) if (!map[k]?.adminGet) out[k] = v
  return out
}
