/**
 * @module Trusts (OS-TRUST): a trustor lets a trustee act with some of its roles on a project,
 * for a while or a number of uses, optionally impersonating it. Trusts are immutable; deleting
 * one is a soft delete that takes its redelegated descendants along and revokes their tokens.
 */
import type { Kysely, Selectable } from 'kysely'
import { fromJson, toFlag, toJson } from '../../lib/db/values.js'
import type { IdentityTables, TrustTable } from '../db/tables.js'
import { badRequest, conflict, notFound } from '../errors.js'
import type { IdentityDeps } from './deps.js'
import { type Expiry, forbiddenGeneric } from './delegation.js'

type Db = Kysely<IdentityTables>
type TrustRow = Selectable<TrustTable>

/** Keystone's [trust] max_redelegation_count default. */
export const MAX_REDELEGATION_COUNT = 3

export const TRUST_ATTRIBUTES = [
  'id',
  'trustor_user_id',
  'trustee_user_id',
  'project_id',
  'impersonation',
  'expires_at',
  'remaining_uses',
  'deleted_at',
  'redelegated_trust_id',
  'redelegation_count',
  'roles',
  'allow_redelegation',
  'links',
]

export interface Trust {
  id: string
  trustorUserId: string
  trusteeUserId: string
  projectId: string | null
  impersonation: boolean
  /** Stored form (ISO UTC), or null. */
  expiresAt: string | null
  remainingUses: number | null
  redelegatedTrustId: string | null
  redelegationCount: number | null
  deletedAt: string | null
  extra: Record<string, unknown>
  roleIds: string[]
}

function fromRow(row: TrustRow, roleIds: string[]): Trust {
  return {
    id: row.id,
    trustorUserId: row.trustor_user_id,
    trusteeUserId: row.trustee_user_id,
    projectId: row.project_id,
    impersonation: row.impersonation === 1,
    expiresAt: row.expires_at,
    remainingUses: row.remaining_uses,
    redelegatedTrustId: row.redelegated_trust_id,
    redelegationCount: row.redelegation_count,
    deletedAt: row.deleted_at,
    extra: fromJson<Record<string, unknown>>(row.extra, {}),
    roleIds,
  }
}

async function roleIdsOf(db: Db, trustId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('trust_role')
    .select('role_id')
    .where('trust_id', '=', trustId)
    .execute()
  return rows.map((r) => r.role_id)
}

/** A usable trust: 404 when unknown, deleted, expired or used up (Keystone hides all four alike). */
export async function getTrust(deps: IdentityDeps, id: string): Promise<Trust> {
  const row = await deps.db.selectFrom('trust').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row || row.deleted_at !== null) throw notFound('trust', id)
  if (row.expires_at !== null && Date.parse(row.expires_at) < deps.clock.nowMs())
    throw notFound('trust', id)
  if (row.remaining_uses !== null && row.remaining_uses <= 0) throw notFound('trust', id)
  // A redelegated trust is only as good as the chain it came from.
  if (row.redelegated_trust_id !== null) await getTrust(deps, row.redelegated_trust_id)
  return fromRow(row, await roleIdsOf(deps.db, id))
}

export async function listTrusts(
  db: Db,
  filter: { trustorUserId?: string | undefined; trusteeUserId?: string | undefined },
): Promise<Trust[]> {
  let query = db.selectFrom('trust').selectAll().where('deleted_at', 'is', null)
  if (filter.trustorUserId !== undefined)
    query = query.where('trustor_user_id', '=', filter.trustorUserId)
  if (filter.trusteeUserId !== undefined)
    query = query.where('trustee_user_id', '=', filter.trusteeUserId)
  const rows = await query.orderBy('created_at').orderBy('id').execute()
  return rows.map((r) => fromRow(r, []))
}

/**
 * The trustor at the root of a redelegation chain, whose roles back every trust in it;
 * undefined when a link of the chain is gone.
 */
export async function originalTrustor(
  db: Db,
  trustorUserId: string,
  parentId: string | null,
): Promise<string | undefined> {
  let trustor = trustorUserId
  let next = parentId
  const seen = new Set<string>()
  while (next !== null && !seen.has(next)) {
    seen.add(next)
    const parent = await db
      .selectFrom('trust')
      .select(['trustor_user_id', 'redelegated_trust_id', 'deleted_at'])
      .where('id', '=', next)
      .executeTakeFirst()
    if (!parent || parent.deleted_at !== null) return undefined
    trustor = parent.trustor_user_id
    next = parent.redelegated_trust_id
  }
  return trustor
}

/** The trust and its ancestors, newest first. */
async function pedigree(deps: IdentityDeps, trust: Trust): Promise<Trust[]> {
  const chain = [trust]
  let current = trust
  while (current.redelegatedTrustId !== null) {
    current = await getTrust(deps, current.redelegatedTrustId)
    chain.push(current)
  }
  return chain
}

export interface TrustInput {
  id: string
  trustorUserId: string
  trusteeUserId: string
  projectId: string | null
  impersonation: boolean
  roleIds: string[]
  expires: Expiry | undefined
  remainingUses: number | null
  allowRedelegation: boolean
  /** As requested (undefined: not sent, null: sent as null). */
  redelegationCount: number | null | undefined
  extra: Record<string, unknown>
}

/** Keystone's _validate_redelegation: a redelegated trust may narrow its parent, never widen it. */
function checkAgainstParent(
  parent: Trust,
  child: TrustInput & { expiresAtMs: number | undefined },
): void {
  const depth = parent.redelegationCount ?? 0
  if (!(depth > 0 && depth <= MAX_REDELEGATION_COUNT)) throw forbiddenGeneric()
  if (child.remainingUses !== null) throw forbiddenGeneric()
  if (
    child.expiresAtMs !== undefined &&
    parent.expiresAt !== null &&
    Date.parse(parent.expiresAt) < child.expiresAtMs
  )
    throw forbiddenGeneric()
  const parentRoles = new Set(parent.roleIds)
  if (!child.roleIds.every((id) => parentRoles.has(id))) throw forbiddenGeneric()
  if (!parent.impersonation && child.impersonation) throw forbiddenGeneric()
}

/** Creates a trust (redelegated from `parent` when the caller's token is trust-scoped). */
export async function createTrust(
  deps: IdentityDeps,
  input: TrustInput,
  parent: Trust | undefined,
): Promise<Trust> {
  const requested = input.redelegationCount
  const redelegatable = input.allowRedelegation && requested !== 0
  let count: number | null | undefined = requested
  if (!redelegatable) count = 0
  else {
    if (requested !== undefined && requested !== null && requested > MAX_REDELEGATION_COUNT)
      throw forbiddenGeneric()
    if (input.remainingUses !== null)
      throw badRequest('remaining_uses must not be set if redelegation is allowed')
  }
  let expiresStored = input.expires?.stored ?? null
  if (parent) {
    const remaining = (parent.redelegationCount ?? 0) - 1
    if (
      redelegatable &&
      requested !== undefined &&
      requested !== null &&
      requested !== 0 &&
      requested !== remaining
    )
      throw forbiddenGeneric()
    if (count === undefined) count = remaining
    for (const t of await pedigree(deps, parent)) {
      checkAgainstParent(t, {
        ...input,
        expiresAtMs: expiresStored === null ? undefined : Date.parse(expiresStored),
      })
      // Without an expiry of its own, the redelegated trust ends when its parent does.
      expiresStored ??= t.expiresAt
    }
  }
  if (count === undefined) count = MAX_REDELEGATION_COUNT

  // Keystone's unique constraint (NULLs never collide, as in SQL).
  if (input.projectId !== null && expiresStored !== null) {
    const dup = await deps.db
      .selectFrom('trust')
      .select('id')
      .where('trustor_user_id', '=', input.trustorUserId)
      .where('trustee_user_id', '=', input.trusteeUserId)
      .where('project_id', '=', input.projectId)
      .where('impersonation', '=', toFlag(input.impersonation))
      .where('expires_at', '=', expiresStored)
      .where('deleted_at', 'is', null)
      .executeTakeFirst()
    if (dup) throw conflict('trust', `Duplicate entry found with ID ${input.id}`)
  }
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('trust')
      .values({
        id: input.id,
        trustor_user_id: input.trustorUserId,
        trustee_user_id: input.trusteeUserId,
        project_id: input.projectId,
        impersonation: toFlag(input.impersonation),
        expires_at: expiresStored,
        remaining_uses: input.remainingUses,
        redelegated_trust_id: parent?.id ?? null,
        redelegation_count: count ?? null,
        deleted_at: null,
        created_at: deps.clock.now().toISOString(),
        extra: toJson(input.extra),
      })
      .execute()
    for (const roleId of input.roleIds)
      await trx.insertInto('trust_role').values({ trust_id: input.id, role_id: roleId }).execute()
  })
  return getTrust(deps, input.id)
}

/** Soft-deletes a trust and every trust redelegated from it, and revokes their tokens. */
export async function deleteTrust(deps: IdentityDeps, id: string): Promise<void> {
  const children = await deps.db
    .selectFrom('trust')
    .select('id')
    .where('redelegated_trust_id', '=', id)
    .where('deleted_at', 'is', null)
    .execute()
  for (const child of children) await deleteTrust(deps, child.id)
  await deps.db
    .updateTable('trust')
    .set({ deleted_at: deps.clock.now().toISOString() })
    .where('id', '=', id)
    .execute()
  await deps.revocations.revoke({ trustId: id })
}

/** Cascade of a project deletion. */
export async function deleteTrustsForProject(deps: IdentityDeps, projectId: string): Promise<void> {
  const rows = await deps.db
    .selectFrom('trust')
    .select('id')
    .where('project_id', '=', projectId)
    .where('deleted_at', 'is', null)
    .execute()
  for (const row of rows) await deleteTrust(deps, row.id)
}
