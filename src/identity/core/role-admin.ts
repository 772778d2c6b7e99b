/**
 * @module Roles (global and domain-specific) and the rules by which one role implies another.
 * A global role is stored with domain_id GLOBAL_ROLE_DOMAIN so that (name, domain_id) stays
 * unique on every dialect; the API shows it as null. Roles with the `immutable` option refuse
 * updates and deletion until the option is cleared, as in Keystone.
 */
import type { Kysely, Selectable } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import { fromJson, toJson } from '../../lib/db/values.js'
import { hexId } from '../../lib/ids/ids.js'
import { badRequest, conflict, forbidden, identityErrors, notFound } from '../errors.js'
import { GLOBAL_ROLE_DOMAIN, type IdentityTables, type RoleTable } from '../db/tables.js'
import type { IdentityDeps } from './deps.js'

type Db = Kysely<IdentityTables>
export type Role = Selectable<RoleTable>

/** Keystone's [assignment] prohibited_implied_role default. */
export const PROHIBITED_IMPLIED_ROLES: readonly string[] = ['admin']

/** Body attributes kept in columns; anything else is an extra echoed back. */
const ROLE_COLUMNS = ['id', 'name', 'domain_id', 'description', 'options', 'links']

/** The API's domain_id of a role: null for a global role. */
export function roleDomainId(role: Role): string | null {
  return role.domain_id === GLOBAL_ROLE_DOMAIN ? null : role.domain_id
}

export function isDomainRole(role: Role): boolean {
  return role.domain_id !== GLOBAL_ROLE_DOMAIN
}

export function roleOptions(role: Role): Record<string, unknown> {
  return fromJson<Record<string, unknown>>(role.options, {})
}

export async function findRole(db: Db, id: string): Promise<Role | undefined> {
  return db.selectFrom('role').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function getRole(db: Db, id: string): Promise<Role> {
  const role = await findRole(db, id)
  if (!role) throw notFound('role', id)
  return role
}

/** Roles by id, in no particular order; missing ids are skipped. */
export async function rolesByIds(db: Db, ids: readonly string[]): Promise<Role[]> {
  if (ids.length === 0) return []
  return db
    .selectFrom('role')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .execute()
}

function invalid(field: string, what: string): never {
  throw badRequest(`Invalid input for field '${field}': ${what}`)
}

function validName(name: unknown): string {
  if (name === undefined) throw badRequest("'name' is a required property")
  if (typeof name !== 'string') invalid('name', `${JSON.stringify(name)} is not of type 'string'`)
  if (name.length === 0) invalid('name', "'' is too short")
  if (name.length > 255) invalid('name', `'${name}' is too long`)
  if (!/\S/.test(name)) invalid('name', `'${name}' does not match '[\\\\S]+'`)
  return name
}

function validDescription(value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string')
    invalid('description', `${JSON.stringify(value)} is not of type 'string'`)
  return value
}

/** Only `immutable` exists; null means "remove the option". */
function validOptions(value: unknown): Record<string, boolean | null> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid('options', `${JSON.stringify(value)} is not of type 'object'`)
  const out: Record<string, boolean | null> = {}
  const entries: [string, unknown][] = Object.entries(value)
  for (const [k, v] of entries) {
    if (k !== 'immutable')
      invalid('options', `Additional properties are not allowed ('${k}' was unexpected)`)
    if (v !== null && typeof v !== 'boolean')
      invalid('options/immutable', `${JSON.stringify(v)} is not of type 'boolean', 'null'`)
    out[k] = v
  }
  return out
}

function mergeOptions(
  current: Record<string, unknown>,
  patch: Record<string, boolean | null>,
): Record<string, unknown> {
  const merged = { ...current, ...patch }
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null))
}

/** Unknown attributes, with ':' and '-' in keys turned into '_' (Keystone's _normalize_dict). */
function extrasOf(body: Record<string, unknown>): Record<string, unknown> {
  const extra: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(body)) {
    const key = k.replace(/[:-]/g, '_')
    if (!ROLE_COLUMNS.includes(key)) extra[key] = v
  }
  return extra
}

/** Creates a role from a request body (`{"role": {...}}`'s inside); domain existence is not checked. */
export async function createRole(deps: IdentityDeps, body: Record<string, unknown>): Promise<Role> {
  const name = validName(body.name)
  const description = validDescription(body.description)
  const options = mergeOptions({}, validOptions(body.options))
  const domainId = body.domain_id
  if (domainId !== undefined && domainId !== null && typeof domainId !== 'string')
    invalid('domain_id', `${JSON.stringify(domainId)} is not of type 'string'`)
  const row: Role = {
    id: hexId(),
    name,
    domain_id: typeof domainId === 'string' && domainId !== '' ? domainId : GLOBAL_ROLE_DOMAIN,
    description: description ?? null,
    options: toJson(options),
    extra: toJson(extrasOf(body)),
  }
  try {
    await deps.db.insertInto('role').values(row).execute()
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict(
        'role',
        typeof domainId === 'string' && domainId !== ''
          ? `Duplicate entry found with name ${name} at domain ID ${domainId}`
          : `Duplicate entry found with name ${name}`,
      )
    throw err
  }
  return row
}

/** Applies a PATCH body; only clearing `immutable` is allowed on an immutable role. */
export async function updateRole(
  deps: IdentityDeps,
  current: Role,
  patch: Record<string, unknown>,
): Promise<Role> {
  if (Object.keys(patch).length === 0) invalid('role', '{} does not have enough properties')
  const name = patch.name === undefined ? current.name : validName(patch.name)
  const description = validDescription(patch.description)
  const options = validOptions(patch.options)
  if (patch.id !== undefined && patch.id !== null && patch.id !== current.id)
    throw badRequest('Cannot change ID')
  if (roleOptions(current).immutable === true) {
    const clearing =
      Object.keys(patch).length === 1 && 'immutable' in options && options.immutable !== true
    if (!clearing)
      throw forbidden(
        `Unable to update immutable role resource: \`${current.id}. Set resource option "immutable" to false first.`,
      )
  }
  if ('domain_id' in patch && patch.domain_id !== roleDomainId(current))
    throw badRequest('Update of `domain_id` is not allowed.')
  const row: Role = {
    ...current,
    name,
    description: description ?? current.description,
    options: toJson(mergeOptions(roleOptions(current), options)),
    extra: toJson({ ...fromJson<Record<string, unknown>>(current.extra, {}), ...extrasOf(patch) }),
  }
  try {
    await deps.db
      .updateTable('role')
      .set({ name: row.name, description: row.description, options: row.options, extra: row.extra })
      .where('id', '=', current.id)
      .execute()
  } catch (err) {
    if (isUniqueViolation(err)) {
      const domain = typeof patch.domain_id === 'string' ? ` at domain ID ${patch.domain_id}` : ''
      throw conflict(
        'role',
        patch.name === undefined
          ? 'Duplicate entry'
          : `Duplicate entry found with name ${name}${domain}`,
      )
    }
    throw err
  }
  return row
}

/**
 * Deletes a role with its grants and implication rules. As Keystone does, the application
 * credentials of users who held it directly on a project are deleted for that project, and
 * tokens carrying the role are revoked.
 */
export async function deleteRole(deps: IdentityDeps, role: Role): Promise<void> {
  if (roleOptions(role).immutable === true)
    throw forbidden(
      `Unable to delete immutable role resource: \`${role.id}. Set resource option "immutable" to false first.`,
    )
  const held = await deps.db
    .selectFrom('assignment')
    .select(['actor_id', 'target_id'])
    .where('role_id', '=', role.id)
    .where('type', '=', 'UserProject')
    .execute()
  await deps.db.transaction().execute(async (trx) => {
    for (const a of held) await deleteAppCredsOnProject(trx, a.actor_id, a.target_id)
    await trx.deleteFrom('assignment').where('role_id', '=', role.id).execute()
    await trx
      .deleteFrom('implied_role')
      .where((eb) =>
        eb.or([eb('prior_role_id', '=', role.id), eb('implied_role_id', '=', role.id)]),
      )
      .execute()
    await trx.deleteFrom('role').where('id', '=', role.id).execute()
  })
  await deps.revocations.revoke({ roleId: role.id })
}

async function deleteAppCredsOnProject(db: Db, userId: string, projectId: string): Promise<void> {
  const creds = await db
    .selectFrom('application_credential')
    .select('id')
    .where('user_id', '=', userId)
    .where('project_id', '=', projectId)
    .execute()
  const ids = creds.map((c) => c.id)
  if (ids.length === 0) return
  await db
    .deleteFrom('application_credential_role')
    .where('application_credential_id', 'in', ids)
    .execute()
  await db
    .deleteFrom('application_credential_access_rule')
    .where('application_credential_id', 'in', ids)
    .execute()
  await db.deleteFrom('application_credential').where('id', 'in', ids).execute()
}

/** Lists roles; without a domain filter only global roles, as Keystone does. */
export async function listRoles(
  db: Db,
  filters: { name?: string | undefined; domainId?: string | undefined },
): Promise<Role[]> {
  let q = db.selectFrom('role').selectAll()
  q = q.where('domain_id', '=', filters.domainId ?? GLOBAL_ROLE_DOMAIN)
  if (filters.name !== undefined) q = q.where('name', '=', filters.name)
  return q.orderBy('name').execute()
}

/**
 * Adds the rule "prior implies implied". A role named in PROHIBITED_IMPLIED_ROLES, or a
 * domain-specific role implied by a global one, is refused (403); a duplicate is a 409.
 * Cycles are not detected (Keystone neither); expansion stops at roles already seen.
 */
export async function createImpliedRole(
  deps: IdentityDeps,
  prior: Role,
  implied: Role,
): Promise<void> {
  if (PROHIBITED_IMPLIED_ROLES.includes(implied.name))
    throw forbidden(`${implied.id} cannot be an implied roles.`)
  if (!isDomainRole(prior) && isDomainRole(implied))
    throw forbidden(`${implied.id} cannot be an implied roles.`)
  try {
    await deps.db
      .insertInto('implied_role')
      .values({ prior_role_id: prior.id, implied_role_id: implied.id })
      .execute()
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('implied_role', 'Duplicate entry')
    throw err
  }
}

export async function checkImpliedRole(db: Db, priorId: string, impliedId: string): Promise<void> {
  const row = await db
    .selectFrom('implied_role')
    .select('prior_role_id')
    .where('prior_role_id', '=', priorId)
    .where('implied_role_id', '=', impliedId)
    .executeTakeFirst()
  if (!row)
    throw identityErrors.impliedRoleNotFound({ priorRoleId: priorId, impliedRoleId: impliedId })
}

export async function deleteImpliedRole(
  deps: IdentityDeps,
  priorId: string,
  impliedId: string,
): Promise<void> {
  const result = await deps.db
    .deleteFrom('implied_role')
    .where('prior_role_id', '=', priorId)
    .where('implied_role_id', '=', impliedId)
    .executeTakeFirst()
  if (Number(result.numDeletedRows) === 0)
    throw identityErrors.impliedRoleNotFound({ priorRoleId: priorId, impliedRoleId: impliedId })
}

/** The roles `priorId` implies directly (not transitively). */
export async function directlyImpliedRoles(db: Db, priorId: string): Promise<Role[]> {
  const rules = await db
    .selectFrom('implied_role')
    .select('implied_role_id')
    .where('prior_role_id', '=', priorId)
    .execute()
  const roles = await rolesByIds(
    db,
    rules.map((r) => r.implied_role_id),
  )
  const byId = new Map(roles.map((r) => [r.id, r]))
  return rules.flatMap((r) => byId.get(r.implied_role_id) ?? [])
}

/** Every rule grouped by prior role, in the order the rules are stored. */
export async function inferenceRules(db: Db): Promise<{ prior: Role; implies: Role[] }[]> {
  const rules = await db.selectFrom('implied_role').selectAll().execute()
  const roles = await rolesByIds(
    db,
    rules.flatMap((r) => [r.prior_role_id, r.implied_role_id]),
  )
  const byId = new Map(roles.map((r) => [r.id, r]))
  const grouped = new Map<string, { prior: Role; implies: Role[] }>()
  for (const rule of rules) {
    const prior = byId.get(rule.prior_role_id)
    const implied = byId.get(rule.implied_role_id)
    if (!prior || !implied) continue
    const entry = grouped.get(prior.id) ?? { prior, implies: [] }
    entry.implies.push(implied)
    grouped.set(prior.id, entry)
  }
  return [...grouped.values()]
}
