/**
 * @module What the delegation resources (credentials, application credentials, trusts) share:
 * telling a delegated token from a primary one, resolving role references, and parsing the
 * `expires_at` a client sends.
 */
import type { Kysely, Selectable } from 'kysely'
import type { AuthContext } from '../../lib/http/auth-context.js'
import { AppError } from '../../lib/errors/app-error.js'
import { GLOBAL_ROLE_DOMAIN, type IdentityTables, type RoleTable } from '../db/tables.js'
import { badRequest, identityErrors, notFound } from '../errors.js'
import { assignedProjectRoleIds, withImpliedRoles } from './roles.js'

type Db = Kysely<IdentityTables>
export type RoleRow = Selectable<RoleTable>

/**
 * Methods that authenticate a user directly. Anything else (application credentials, OAuth1,
 * EC2) is a delegation: deny by default, as Keystone's allow-list does.
 */
const PRIMARY_METHODS = new Set([
  'external',
  'kerberos',
  'mapped',
  'openid',
  'password',
  'saml2',
  'token',
  'totp',
  'x509',
])

export function isDelegatedMethod(auth: AuthContext): boolean {
  return auth.methods.length === 0 || auth.methods.some((m) => !PRIMARY_METHODS.has(m))
}

/** A trust-scoped token or one obtained through a delegated method. */
export function isDelegated(auth: AuthContext): boolean {
  return auth.trustId !== undefined || isDelegatedMethod(auth)
}

/** Keystone's _require_primary_auth: credentials are off limits to every delegation. */
export function requirePrimaryAuth(auth: AuthContext): void {
  if (isDelegated(auth))
    throw forbiddenAction('Delegated tokens cannot access credentials directly')
}

/** 403 with the action named, as Keystone's ForbiddenAction shows it. */
export function forbiddenAction(action: string): AppError {
  return identityErrors.forbiddenAction({ action })
}

/** A security 403 whose detail Keystone hides. */
export function forbiddenGeneric(): AppError {
  return identityErrors.forbidden({
    message: 'You are not authorized to perform the requested action.',
  })
}

export async function loadRoles(db: Db, ids: readonly string[]): Promise<RoleRow[]> {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('role')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute()
  const byId = new Map(rows.map((r) => [r.id, r]))
  return ids.map((id) => byId.get(id)).filter((r): r is RoleRow => r !== undefined)
}

/** Keystone's get_unique_role_by_name: 404 when none, 400 when several roles share the name. */
export async function uniqueRoleByName(db: Db, name: string): Promise<RoleRow> {
  const rows = await db.selectFrom('role').selectAll().where('name', '=', name).execute()
  const [first, second] = rows
  if (first === undefined) throw notFound('role', name)
  if (second !== undefined)
    throw badRequest(
      `There are multiple role entities named '${name}'. Please use ID instead of names to resolve the ambiguity.`,
    )
  return first
}

/** `[{id}|{name}]` from a request to role ids (names resolved; ids kept as given). */
export async function resolveRoleRefs(
  db: Db,
  refs: readonly { id?: string; name?: string }[],
): Promise<string[]> {
  const ids: string[] = []
  for (const ref of refs) {
    if (ref.id !== undefined && ref.id !== '') ids.push(ref.id)
    else ids.push((await uniqueRoleByName(db, ref.name ?? '')).id)
  }
  return [...new Set(ids)]
}

/** Effective roles of a user on a project, domain-specific roles kept (what a trustor can delegate). */
export async function delegableRoleIds(
  db: Db,
  userId: string,
  projectId: string,
): Promise<Set<string>> {
  return withImpliedRoles(db, await assignedProjectRoleIds(db, userId, projectId))
}

export function isGlobalRole(row: RoleRow): boolean {
  return row.domain_id === GLOBAL_ROLE_DOMAIN
}

export interface Expiry {
  ms: number
  /** Stored form: `YYYY-MM-DDTHH:MM:SS.ffffffZ`, microseconds kept as sent. */
  stored: string
}

const BAD_TIMESTAMP =
  'Timestamp not in expected format. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.'

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i

/**
 * Keystone's parse_expiration_date: a missing zone means UTC; 400 when the value is not a
 * timestamp or lies in the past.
 */
export function parseExpiresAt(value: string, nowMs: number): Expiry {
  const m = TIMESTAMP.exec(value.trim())
  if (!m) throw badRequest(BAD_TIMESTAMP)
  const [, y, mo, d, h, mi, s, frac, zone] = m
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)))
  // Date.UTC rolls 2024-02-31 over to March; a real calendar date survives the round trip.
  if (
    day.getUTCMonth() !== Number(mo) - 1 ||
    day.getUTCDate() !== Number(d) ||
    Number(h ?? 0) > 23 ||
    Number(mi ?? 0) > 59 ||
    Number(s ?? 0) > 59
  )
    throw badRequest(BAD_TIMESTAMP)
  const micros = (frac ?? '').slice(0, 6).padEnd(6, '0')
  let ms = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
  )
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000
  }
  const date = new Date(ms)
  ms += Math.floor(Number(micros) / 1000)
  if (ms < nowMs)
    throw badRequest(
      "The 'expires_at' must not be before now. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.",
    )
  return { ms, stored: `${date.toISOString().slice(0, 19)}.${micros}Z` }
}

/** `2024-05-01T13:00:00.123456` from the stored form (application credentials show microseconds, no zone). */
export function microsNoZone(stored: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(stored)
  if (!m) return stored
  return `${m[1] ?? ''}.${(m[2] ?? '').slice(0, 6).padEnd(6, '0')}`
}

/** `2024-05-01T13:00:00.000000Z` from the stored form (trusts and revocation events: whole seconds). */
export function secondsZ(stored: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})/.exec(stored)
  return m ? `${m[1] ?? ''}.000000Z` : stored
}

/** Python's json.dumps of a flat object (`{"a": 1, "b": null}`), as Keystone writes EC2 blobs. */
export function pyJsonDumps(value: Record<string, unknown>): string {
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v ?? null)}`)
    .join(', ')}}`
}

/** Keystone's _normalize_dict: `:` and `-` in attribute names become `_`. */
export function normalizeKeys(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(input).map(([k, v]) => [k.replaceAll(':', '_').replaceAll('-', '_'), v]),
  )
}

/** The attributes a client set beyond the known columns (stored in `extra`). */
export function extrasOf(
  input: Record<string, unknown>,
  known: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([k]) => !known.includes(k)))
}
