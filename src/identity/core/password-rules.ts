/**
 * @module Keystone's [security_compliance] rules: password requirements (regex), history
 * (a new password must differ from the last N), minimum age, expiry, and lockout after
 * repeated failed authentications. Every rule is off unless configured, as in Keystone.
 */
import type { Selectable } from 'kysely'
import { AppError } from '../../lib/errors/app-error.js'
import { fromJson } from '../../lib/db/values.js'
import { hexId } from '../../lib/ids/ids.js'
import { badRequest } from '../errors.js'
import type { UserTable } from '../db/tables.js'
import type { IdentityDeps } from './deps.js'
import { verifyPassword } from './passwords.js'

type UserRow = Selectable<UserTable>

const DAY_MS = 86_400_000

function userOption(user: UserRow, name: string): boolean {
  return fromJson<Record<string, unknown>>(user.options, {})[name] === true
}

/** 400 when the password does not match [security_compliance] password_regex. */
export function checkPasswordRequirements(deps: IdentityDeps, password: string): void {
  const pattern = deps.compliance.passwordRegex
  if (pattern === undefined || pattern === '') return
  if (!new RegExp(pattern).test(password))
    throw badRequest(
      `The password does not match the requirements: ${deps.compliance.passwordRegexDescription ?? pattern}.`,
    )
}

/** 400 when the owner changes the password sooner than minimum_password_age days after setting it. */
export function checkMinimumAge(deps: IdentityDeps, user: UserRow): void {
  const days = deps.compliance.minimumPasswordAge
  if (days === 0 || user.password_created_at === null) return
  const ageMs = deps.clock.nowMs() - Date.parse(user.password_created_at)
  if (ageMs >= days * DAY_MS) return
  const left = Math.ceil((days * DAY_MS - ageMs) / DAY_MS)
  throw badRequest(
    `You cannot change your password at this time due to the minimum password age. Once you change your password, it must be used for ${days} day(s) before it can be changed. Please try again in ${left} day(s) or contact your administrator to reset your password.`,
  )
}

/** 400 when the password is one of the user's last unique_last_password_count passwords. */
export async function checkPasswordHistory(
  deps: IdentityDeps,
  userId: string,
  password: string,
): Promise<void> {
  const count = deps.compliance.uniqueLastPasswordCount
  if (count === 0) return
  const recent = await deps.db
    .selectFrom('password_history')
    .select('password_hash')
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .limit(count)
    .execute()
  for (const r of recent)
    if (await verifyPassword(password, r.password_hash))
      throw badRequest(
        `The new password cannot be identical to a previous password. The total number which includes the new password must be unique is ${count}.`,
      )
}

/** Keeps the hash for history checks, trimmed to what the rule needs. */
export async function recordPassword(
  deps: IdentityDeps,
  userId: string,
  passwordHash: string,
): Promise<void> {
  const keep = Math.max(1, deps.compliance.uniqueLastPasswordCount)
  await deps.db
    .insertInto('password_history')
    .values({
      id: hexId(),
      user_id: userId,
      password_hash: passwordHash,
      created_at: deps.clock.now().toISOString(),
    })
    .execute()
  const old = await deps.db
    .selectFrom('password_history')
    .select('id')
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .offset(keep)
    .limit(1000)
    .execute()
  if (old.length > 0)
    await deps.db
      .deleteFrom('password_history')
      .where(
        'id',
        'in',
        old.map((o) => o.id),
      )
      .execute()
}

/** When a password set now expires (ISO), or null. */
export function passwordExpiresAt(
  deps: IdentityDeps,
  options: Record<string, unknown>,
): string | null {
  const days = deps.compliance.passwordExpiresDays
  if (days === 0 || options.ignore_password_expiry === true) return null
  return new Date(deps.clock.nowMs() + days * DAY_MS).toISOString()
}

function locked(userId: string): AppError {
  return new AppError({
    code: 'IDENTITY_ACCOUNT_LOCKED',
    kind: 'Unauthorized',
    message: `The account is locked for user: ${userId}.`,
  })
}

/** 401 while the user is locked out; a lockout that has run its course is lifted. */
export async function checkLockout(deps: IdentityDeps, user: UserRow): Promise<void> {
  const attempts = deps.compliance.lockoutFailureAttempts
  if (attempts === 0 || userOption(user, 'ignore_lockout_failure_attempts')) return
  if ((user.failed_auth_count ?? 0) < attempts || user.failed_auth_at === null) return
  const sinceMs = deps.clock.nowMs() - Date.parse(user.failed_auth_at)
  if (sinceMs < deps.compliance.lockoutDuration * 1000) throw locked(user.id)
  await deps.db
    .updateTable('user')
    .set({ failed_auth_count: 0, failed_auth_at: null })
    .where('id', '=', user.id)
    .execute()
}

export async function recordAuthResult(
  deps: IdentityDeps,
  user: UserRow,
  ok: boolean,
): Promise<void> {
  if (deps.compliance.lockoutFailureAttempts === 0) return
  if (ok) {
    if ((user.failed_auth_count ?? 0) > 0)
      await deps.db
        .updateTable('user')
        .set({ failed_auth_count: 0, failed_auth_at: null })
        .where('id', '=', user.id)
        .execute()
    return
  }
  await deps.db
    .updateTable('user')
    .set({
      failed_auth_count: (user.failed_auth_count ?? 0) + 1,
      failed_auth_at: deps.clock.now().toISOString(),
    })
    .where('id', '=', user.id)
    .execute()
}

/** 401 when the password has expired (unless the user ignores expiry). */
export function checkPasswordExpired(deps: IdentityDeps, user: UserRow): void {
  if (user.password_expires_at === null || userOption(user, 'ignore_password_expiry')) return
  if (Date.parse(user.password_expires_at) <= deps.clock.nowMs())
    throw new AppError({
      code: 'IDENTITY_PASSWORD_EXPIRED',
      kind: 'Unauthorized',
      message: `The password is expired and needs to be changed for user: ${user.id}.`,
    })
}
