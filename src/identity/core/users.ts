/**
 * @module Users: create, update (incl. admin password reset), delete with everything that
 * refers to them, and the self-service password change. Passwords are bcrypt hashes; changing
 * one, disabling or deleting a user revokes every token the user holds.
 */
import type { Kysely, Selectable } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import { fromFlag, toFlag, toJson } from '../../lib/db/values.js'
import { hexId } from '../../lib/ids/ids.js'
import { badRequest, conflict, notFound, unauthorized } from '../errors.js'
import type { IdentityTables, UserTable } from '../db/tables.js'
import type { IdentityDeps } from './deps.js'
import { deleteAppCredsForUser } from './application-credentials.js'
import {
  checkMinimumAge,
  checkPasswordHistory,
  checkPasswordRequirements,
  passwordExpiresAt,
  recordPassword,
} from './password-rules.js'
import { hashPassword, verifyPassword } from './passwords.js'

type Db = Kysely<IdentityTables>
export type User = Selectable<UserTable>

export const USER_COLUMNS = [
  'id',
  'name',
  'domain_id',
  'enabled',
  'default_project_id',
  'password',
  'options',
  'links',
  'password_expires_at',
  'federated',
]

export const USER_OPTIONS = [
  'ignore_change_password_upon_first_use',
  'ignore_password_expiry',
  'ignore_lockout_failure_attempts',
  'lock_password',
  'ignore_user_inactivity',
  'multi_factor_auth_rules',
  'multi_factor_auth_enabled',
]

export async function findUser(db: Db, id: string): Promise<User | undefined> {
  return db.selectFrom('user').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function getUser(db: Db, id: string): Promise<User> {
  const user = await findUser(db, id)
  if (!user) throw notFound('user', id)
  return user
}

function validateName(name: unknown): string {
  if (typeof name !== 'string')
    throw badRequest("Invalid input for field 'name': name must be a string.")
  const trimmed = name.trim()
  if (trimmed === '') throw badRequest("Invalid input for field 'name': '' is too short")
  if (trimmed.length > 255)
    throw badRequest(`Invalid input for field 'name': '${trimmed}' is too long`)
  return trimmed
}

function validateOptions(options: unknown): Record<string, unknown> {
  if (options === undefined || options === null) return {}
  if (typeof options !== 'object' || Array.isArray(options))
    throw badRequest("Invalid input for field 'options': must be an object.")
  for (const key of Object.keys(options)) {
    if (!USER_OPTIONS.includes(key))
      throw badRequest(
        `Invalid input for field 'options': Additional properties are not allowed ('${key}' was unexpected)`,
      )
  }
  return options as Record<string, unknown>
}

function validatePassword(deps: IdentityDeps, password: unknown): string | null {
  if (password === null || password === undefined) return null
  if (typeof password !== 'string')
    throw badRequest("Invalid input for field 'password': password must be a string.")
  if (password.length > deps.config.maxPasswordLength)
    throw badRequest(
      `Invalid input for field 'password': the password is longer than ${deps.config.maxPasswordLength} characters.`,
    )
  checkPasswordRequirements(deps, password)
  return password
}

export interface UserInput {
  name: unknown
  domain_id: string
  enabled?: boolean | undefined
  default_project_id?: string | null | undefined
  password?: unknown
  options?: unknown
  extra: Record<string, unknown>
}

export async function createUser(deps: IdentityDeps, input: UserInput): Promise<User> {
  const name = validateName(input.name)
  const options = validateOptions(input.options)
  const password = validatePassword(deps, input.password)
  const domain = await deps.db
    .selectFrom('project')
    .select(['id', 'is_domain'])
    .where('id', '=', input.domain_id)
    .executeTakeFirst()
  if (!domain || domain.is_domain !== 1) throw notFound('domain', input.domain_id)
  if (input.default_project_id !== undefined && input.default_project_id !== null) {
    const p = await deps.db
      .selectFrom('project')
      .select('is_domain')
      .where('id', '=', input.default_project_id)
      .executeTakeFirst()
    if (p?.is_domain === 1) throw badRequest('The default project can not be a domain.')
  }
  const now = deps.clock.now().toISOString()
  const row: User = {
    id: hexId(),
    domain_id: input.domain_id,
    name,
    enabled: toFlag(input.enabled ?? true),
    default_project_id: input.default_project_id ?? null,
    extra: toJson(input.extra),
    options: toJson(options),
    password_hash:
      password === null ? null : await hashPassword(password, deps.config.passwordHashRounds),
    password_created_at: password === null ? null : now,
    password_expires_at: password === null ? null : passwordExpiresAt(deps, options),
    created_at: now,
    last_active_at: null,
    failed_auth_count: null,
    failed_auth_at: null,
  }
  try {
    await deps.db.insertInto('user').values(row).execute()
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict(
        'user',
        `Duplicate entry found with name ${name} at domain ID ${input.domain_id}`,
      )
    throw err
  }
  if (row.password_hash !== null) await recordPassword(deps, row.id, row.password_hash)
  return row
}

export interface UserPatch {
  id?: unknown
  name?: unknown
  domain_id?: unknown
  enabled?: boolean | undefined
  default_project_id?: string | null | undefined
  password?: unknown
  options?: unknown
  extra: Record<string, unknown>
}

export async function updateUser(
  deps: IdentityDeps,
  current: User,
  patch: UserPatch,
): Promise<User> {
  if (patch.id !== undefined && patch.id !== current.id) throw badRequest('Cannot change ID')
  if (patch.domain_id !== undefined && patch.domain_id !== current.domain_id)
    throw badRequest('Cannot change Domain ID')
  const name = patch.name === undefined ? current.name : validateName(patch.name)
  const password = validatePassword(deps, patch.password)
  const options =
    patch.options === undefined
      ? current.options
      : toJson({ ...(JSON.parse(current.options) as object), ...validateOptions(patch.options) })
  if (patch.default_project_id !== undefined && patch.default_project_id !== null) {
    const p = await deps.db
      .selectFrom('project')
      .select('is_domain')
      .where('id', '=', patch.default_project_id)
      .executeTakeFirst()
    if (p?.is_domain === 1) throw badRequest('The default project can not be a domain.')
  }
  const now = deps.clock.now().toISOString()
  const row: User = {
    ...current,
    name,
    enabled: patch.enabled === undefined ? current.enabled : toFlag(patch.enabled),
    default_project_id:
      patch.default_project_id === undefined
        ? current.default_project_id
        : patch.default_project_id,
    extra: toJson({ ...(JSON.parse(current.extra) as object), ...patch.extra }),
    options,
  }
  if (password !== null) {
    // An admin reset is not held to the history or minimum age (Keystone), but is recorded.
    row.password_hash = await hashPassword(password, deps.config.passwordHashRounds)
    row.password_created_at = now
    row.password_expires_at = passwordExpiresAt(
      deps,
      JSON.parse(row.options) as Record<string, unknown>,
    )
    row.failed_auth_count = 0
    row.failed_auth_at = null
  }
  try {
    await deps.db.updateTable('user').set(row).where('id', '=', current.id).execute()
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict(
        'user',
        `Duplicate entry found with name ${name} at domain ID ${current.domain_id}`,
      )
    throw err
  }
  const disabled = fromFlag(current.enabled) && !fromFlag(row.enabled)
  if (disabled) {
    // Keystone deletes a disabled user's application credentials and access rules.
    await deleteAppCredsForUser(deps.db, current.id)
    await deps.db.deleteFrom('access_rule').where('user_id', '=', current.id).execute()
  }
  if (password !== null && row.password_hash !== null)
    await recordPassword(deps, row.id, row.password_hash)
  if (password !== null || disabled) await deps.revocations.revoke({ userId: current.id })
  return row
}

/** Self-service change (POST /v3/users/{id}/password): the original password proves who asks. */
export async function changePassword(
  deps: IdentityDeps,
  userId: string,
  original: string,
  password: string,
): Promise<void> {
  const user = await findUser(deps.db, userId)
  if (!user || !fromFlag(user.enabled)) throw unauthorized()
  if (!(await verifyPassword(original, user.password_hash))) throw unauthorized()
  validatePassword(deps, password)
  checkMinimumAge(deps, user)
  await checkPasswordHistory(deps, userId, password)
  const now = deps.clock.now().toISOString()
  const passwordHash = await hashPassword(password, deps.config.passwordHashRounds)
  await deps.db
    .updateTable('user')
    .set({
      password_hash: passwordHash,
      password_created_at: now,
      password_expires_at: passwordExpiresAt(
        deps,
        JSON.parse(user.options) as Record<string, unknown>,
      ),
    })
    .where('id', '=', userId)
    .execute()
  await recordPassword(deps, userId, passwordHash)
  await deps.revocations.revoke({ userId })
}

/** Deletes a user and everything that refers to it, then revokes its tokens. */
export async function deleteUserRows(deps: IdentityDeps, userId: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const creds = await trx
      .selectFrom('application_credential')
      .select('id')
      .where('user_id', '=', userId)
      .execute()
    const credIds = creds.map((c) => c.id)
    if (credIds.length > 0) {
      await trx
        .deleteFrom('application_credential_role')
        .where('application_credential_id', 'in', credIds)
        .execute()
      await trx
        .deleteFrom('application_credential_access_rule')
        .where('application_credential_id', 'in', credIds)
        .execute()
    }
    await trx.deleteFrom('application_credential').where('user_id', '=', userId).execute()
    await trx.deleteFrom('access_rule').where('user_id', '=', userId).execute()
    await trx.deleteFrom('credential').where('user_id', '=', userId).execute()
    await trx.deleteFrom('group_membership').where('user_id', '=', userId).execute()
    await trx
      .deleteFrom('assignment')
      .where('actor_id', '=', userId)
      .where('type', 'in', ['UserProject', 'UserDomain', 'UserSystem'])
      .execute()
    const trusts = await trx
      .selectFrom('trust')
      .select('id')
      .where((eb) =>
        eb.or([eb('trustor_user_id', '=', userId), eb('trustee_user_id', '=', userId)]),
      )
      .execute()
    if (trusts.length > 0) {
      const ids = trusts.map((t) => t.id)
      await trx.deleteFrom('trust_role').where('trust_id', 'in', ids).execute()
      await trx.deleteFrom('trust').where('id', 'in', ids).execute()
    }
    await trx.deleteFrom('password_history').where('user_id', '=', userId).execute()
    await trx.deleteFrom('user').where('id', '=', userId).execute()
  })
  await deps.revocations.revoke({ userId })
}
