/**
 * @module Application credentials: a user's delegation of some of its roles on one project to
 * a named secret (bcrypt-hashed, shown once), optionally limited by access rules. Access rules
 * belong to the user, are shared between its credentials and outlive them.
 */
import { randomBytes } from 'node:crypto'
import type { Kysely, Selectable, Transaction } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import { hexId } from '../../lib/ids/ids.js'
import type { AccessRuleTable, ApplicationCredentialTable, IdentityTables } from '../db/tables.js'
import { badRequest, conflict, forbidden, notFound } from '../errors.js'
import type { IdentityDeps } from './deps.js'
import type { Expiry } from './delegation.js'
import { hashPassword } from './passwords.js'
import { projectRoles } from './roles.js'

type Db = Kysely<IdentityTables>
type AppCredRow = Selectable<ApplicationCredentialTable>
export type AccessRule = Omit<Selectable<AccessRuleTable>, 'user_id'>

export interface AppCred {
  id: string
  name: string
  description: string | null
  userId: string
  projectId: string | null
  system: string | null
  /** Stored form `YYYY-MM-DDTHH:MM:SS.ffffffZ`, or null. */
  expiresAt: string | null
  unrestricted: boolean | null
  roleIds: string[]
  accessRules: AccessRule[]
}

/** 64 random bytes, URL-safe base64 without padding (86 characters), as Keystone makes them. */
export function generateSecret(): string {
  return randomBytes(64).toString('base64url')
}

async function complete(db: Db, row: AppCredRow): Promise<AppCred> {
  const roles = await db
    .selectFrom('application_credential_role')
    .select('role_id')
    .where('application_credential_id', '=', row.id)
    .execute()
  const rules = await db
    .selectFrom('application_credential_access_rule')
    .innerJoin('access_rule', 'access_rule.id', 'application_credential_access_rule.access_rule_id')
    .select(['access_rule.id', 'access_rule.service', 'access_rule.path', 'access_rule.method'])
    .where('application_credential_access_rule.application_credential_id', '=', row.id)
    .execute()
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    userId: row.user_id,
    projectId: row.project_id,
    system: row.system,
    expiresAt: row.expires_at,
    // NULL when the client left it out, shown as null (as Keystone); it means restricted.
    unrestricted: row.unrestricted === null ? null : row.unrestricted === 1,
    roleIds: roles.map((r) => r.role_id),
    accessRules: rules,
  }
}

export async function findAppCred(db: Db, id: string): Promise<AppCred | undefined> {
  const row = await db
    .selectFrom('application_credential')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  return row ? complete(db, row) : undefined
}

export async function getAppCred(db: Db, id: string): Promise<AppCred> {
  const cred = await findAppCred(db, id)
  if (!cred) throw notFound('Application Credential', id)
  return cred
}

export async function listAppCreds(db: Db, userId: string, name?: string): Promise<AppCred[]> {
  let query = db.selectFrom('application_credential').selectAll().where('user_id', '=', userId)
  if (name !== undefined) query = query.where('name', '=', name)
  const rows = await query.orderBy('created_at').orderBy('id').execute()
  return Promise.all(rows.map((r) => complete(db, r)))
}

export interface AccessRuleInput {
  id?: string | undefined
  service?: string | undefined
  path?: string | undefined
  method?: string | undefined
}

export interface AppCredInput {
  name: string
  description: string | null
  secret: string
  userId: string
  projectId: string | null
  expires: Expiry | undefined
  unrestricted: boolean | undefined
  roleIds: string[]
  accessRules: AccessRuleInput[]
}

/** An identical rule the user already has is reused (same id), as Keystone does. */
async function accessRuleId(
  trx: Transaction<IdentityTables>,
  userId: string,
  rule: AccessRuleInput,
): Promise<string> {
  const mine = trx.selectFrom('access_rule').select('id').where('user_id', '=', userId)
  const existing =
    (rule.id === undefined ? undefined : await mine.where('id', '=', rule.id).executeTakeFirst()) ??
    (await mine
      .where('service', '=', rule.service ?? '')
      .where('path', '=', rule.path ?? '')
      .where('method', '=', rule.method ?? '')
      .executeTakeFirst())
  let ruleId = existing?.id
  if (ruleId === undefined) {
    ruleId = rule.id ?? hexId()
    try {
      await trx
        .insertInto('access_rule')
        .values({
          id: ruleId,
          user_id: userId,
          service: rule.service ?? '',
          path: rule.path ?? '',
          method: rule.method ?? '',
        })
        .execute()
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict('access_rule', `Duplicate entry found with ID ${ruleId}`)
      throw err
    }
  }
  return ruleId
}

export async function createAppCred(deps: IdentityDeps, input: AppCredInput): Promise<AppCred> {
  // Every role must be one the user holds on the project right now (effective, global roles).
  const held = new Set(
    input.projectId === null
      ? []
      : (await projectRoles(deps.db, input.userId, input.projectId)).map((r) => r.id),
  )
  for (const roleId of input.roleIds)
    if (!held.has(roleId))
      throw badRequest(
        `Invalid application credential: Could not find role assignment with role: ${roleId}, user or group: ${input.userId}, project, domain, or system: ${input.projectId ?? 'None'}.`,
      )
  const id = hexId()
  const secretHash = await hashPassword(input.secret, deps.config.passwordHashRounds)
  try {
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('application_credential')
        .values({
          id,
          name: input.name,
          secret_hash: secretHash,
          description: input.description,
          user_id: input.userId,
          project_id: input.projectId,
          system: null,
          expires_at: input.expires?.stored ?? null,
          unrestricted: input.unrestricted === undefined ? null : input.unrestricted ? 1 : 0,
          created_at: deps.clock.now().toISOString(),
        })
        .execute()
      for (const roleId of input.roleIds)
        await trx
          .insertInto('application_credential_role')
          .values({ application_credential_id: id, role_id: roleId })
          .execute()
      const linked = new Set<string>()
      for (const rule of input.accessRules) {
        const ruleId = await accessRuleId(trx, input.userId, rule)
        if (linked.has(ruleId)) continue
        linked.add(ruleId)
        await trx
          .insertInto('application_credential_access_rule')
          .values({ application_credential_id: id, access_rule_id: ruleId })
          .execute()
      }
    })
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict('application_credential', `Duplicate entry found with name ${input.name}`)
    throw err
  }
  return getAppCred(deps.db, id)
}

async function deleteRows(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('application_credential_role')
      .where('application_credential_id', 'in', ids)
      .execute()
    await trx
      .deleteFrom('application_credential_access_rule')
      .where('application_credential_id', 'in', ids)
      .execute()
    await trx.deleteFrom('application_credential').where('id', 'in', ids).execute()
  })
}

/** Deletes one credential; its access rules stay with the user. */
export async function deleteAppCred(db: Db, id: string): Promise<void> {
  await getAppCred(db, id)
  await deleteRows(db, [id])
}

/** Cascade of removing a user's grant on a project (or a role behind it). */
export async function deleteAppCredsForUserOnProject(
  db: Db,
  userId: string,
  projectId: string,
): Promise<void> {
  const rows = await db
    .selectFrom('application_credential')
    .select('id')
    .where('user_id', '=', userId)
    .where('project_id', '=', projectId)
    .execute()
  await deleteRows(
    db,
    rows.map((r) => r.id),
  )
}

/** Cascade of disabling or deleting a user. */
export async function deleteAppCredsForUser(db: Db, userId: string): Promise<void> {
  const rows = await db
    .selectFrom('application_credential')
    .select('id')
    .where('user_id', '=', userId)
    .execute()
  await deleteRows(
    db,
    rows.map((r) => r.id),
  )
}

export async function listAccessRules(db: Db, userId: string): Promise<AccessRule[]> {
  return db
    .selectFrom('access_rule')
    .select(['id', 'service', 'path', 'method'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute()
}

/** A rule of this user (another user's rule is not found, whatever its id). */
export async function getAccessRule(db: Db, userId: string, id: string): Promise<AccessRule> {
  const rule = await db
    .selectFrom('access_rule')
    .select(['id', 'service', 'path', 'method'])
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  if (!rule) throw notFound('Access Rule', id)
  return rule
}

export async function deleteAccessRule(db: Db, userId: string, id: string): Promise<void> {
  await getAccessRule(db, userId, id)
  const used = await db
    .selectFrom('application_credential_access_rule')
    .select('application_credential_id')
    .where('access_rule_id', '=', id)
    .executeTakeFirst()
  if (used) throw forbidden('May not delete access rule in use')
  await db.deleteFrom('access_rule').where('id', '=', id).execute()
}
