/**
 * @module Quota administration (Nova's os-quota-sets and os-quota-class-sets over
 * DbQuotaDriver): usages as the API shows them, the range a new limit must fall in, and the
 * limit rows of projects, users and quota classes.
 */
import { isUniqueViolation } from '../../lib/db/errors.js'
import { computeErrors } from '../errors.js'
import type { ComputeDeps } from './deps.js'
import {
  instanceUsage,
  otherUsage,
  projectLimits,
  QUOTA_RESOURCES,
  type QuotaLimits,
  type QuotaResource,
} from './quotas.js'

/**
 * What the API reports as used: servers, cores, RAM and server groups of the project (or of
 * one user in it). Nova reports key pairs and server group members as 0 here, and the
 * nova-network resources are not counted at all.
 */
export async function quotaUsages(
  deps: Pick<ComputeDeps, 'db'>,
  projectId: string,
  userId?: string,
): Promise<QuotaLimits> {
  // SAFETY: one entry per QUOTA_RESOURCES member.
  const used = Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, 0])) as QuotaLimits
  const servers = await instanceUsage(deps.db, projectId, userId)
  const other = await otherUsage(deps.db, projectId, userId)
  used.instances = servers.instances
  used.cores = servers.cores
  used.ram = servers.ram
  used.server_groups = other.server_groups
  return used
}

const isUnlimited = (v: number) => v <= -1

/** Sum of the user-level limits set in a project, per resource. */
async function userLimitSums(
  deps: Pick<ComputeDeps, 'db'>,
  projectId: string,
): Promise<Map<string, number>> {
  const rows = await deps.db
    .selectFrom('quota')
    .select(['resource', 'hard_limit'])
    .where('project_id', '=', projectId)
    .where('user_id', '!=', '')
    .execute()
  const sums = new Map<string, number>()
  for (const r of rows) sums.set(r.resource, (sums.get(r.resource) ?? 0) + r.hard_limit)
  return sums
}

export interface SettableRange {
  minimum: number
  /** -1: no maximum. */
  maximum: number
}

/**
 * The range each limit may be set to (Nova's get_settable_quotas): a project's limit must cover
 * what is used and what its users were given; a user's must cover the user's usage and stay
 * within what the project has left to give.
 */
export async function settableRanges(
  deps: Pick<ComputeDeps, 'db' | 'quotaDefaults'>,
  projectId: string,
  userId?: string,
): Promise<Record<QuotaResource, SettableRange>> {
  const project = await projectLimits(deps, projectId)
  const sums = await userLimitSums(deps, projectId)
  const remains = (r: QuotaResource) => project[r] - (sums.get(r) ?? 0)
  // SAFETY: both branches below fill in every QUOTA_RESOURCES member.
  const ranges = {} as Record<QuotaResource, SettableRange>
  if (userId === undefined) {
    const used = await quotaUsages(deps, projectId)
    for (const r of QUOTA_RESOURCES) {
      const given =
        isUnlimited(project[r]) || isUnlimited(remains(r)) ? -1 : project[r] - remains(r)
      ranges[r] = { minimum: Math.max(given, used[r]), maximum: -1 }
    }
    return ranges
  }
  const own = await deps.db
    .selectFrom('quota')
    .select(['resource', 'hard_limit'])
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .execute()
  const ownLimit = new Map(own.map((r) => [r.resource, r.hard_limit]))
  const used = await quotaUsages(deps, projectId, userId)
  for (const r of QUOTA_RESOURCES) {
    const mine = ownLimit.get(r) ?? 0
    const maximum = isUnlimited(remains(r)) || isUnlimited(mine) ? -1 : remains(r) + mine
    ranges[r] = { minimum: used[r], maximum }
  }
  return ranges
}

/** Nova's _validate_quota_limit: -1 counts as infinity on both sides. */
export function checkSettable(resource: string, limit: number, range: SettableRange): void {
  const inf = (v: number) => (v === -1 ? Infinity : v)
  if (inf(limit) < inf(range.minimum))
    throw computeErrors.badRequest(
      `Quota limit ${limit} for ${resource} must be greater than or equal to already used and reserved ${range.minimum}.`,
    )
  if (inf(limit) > inf(range.maximum))
    throw computeErrors.badRequest(
      `Quota limit ${limit} for ${resource} must be less than or equal to ${range.maximum}.`,
    )
}

/** Sets limits of a project (`userId` ''), or of a user in it. */
export async function setQuotaLimits(
  deps: Pick<ComputeDeps, 'db'>,
  projectId: string,
  userId: string,
  limits: Partial<Record<QuotaResource, number>>,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    for (const [resource, hardLimit] of Object.entries(limits)) {
      const updated = await trx
        .updateTable('quota')
        .set({ hard_limit: hardLimit })
        .where('project_id', '=', projectId)
        .where('user_id', '=', userId)
        .where('resource', '=', resource)
        .executeTakeFirst()
      if (Number(updated.numUpdatedRows) === 0)
        await trx
          .insertInto('quota')
          .values({ project_id: projectId, user_id: userId, resource, hard_limit: hardLimit })
          .execute()
    }
  })
}

/** Drops a project's limits (its users' too), or only one user's. */
export async function deleteQuotaLimits(
  deps: Pick<ComputeDeps, 'db'>,
  projectId: string,
  userId?: string,
): Promise<void> {
  let q = deps.db.deleteFrom('quota').where('project_id', '=', projectId)
  if (userId !== undefined) q = q.where('user_id', '=', userId)
  await q.execute()
}

export async function setClassLimits(
  deps: Pick<ComputeDeps, 'db'>,
  className: string,
  limits: Partial<Record<QuotaResource, number>>,
): Promise<void> {
  for (const [resource, hardLimit] of Object.entries(limits)) {
    const update = () =>
      deps.db
        .updateTable('quota_class')
        .set({ hard_limit: hardLimit })
        .where('class_name', '=', className)
        .where('resource', '=', resource)
        .executeTakeFirst()
    if (Number((await update()).numUpdatedRows) > 0) continue
    try {
      await deps.db
        .insertInto('quota_class')
        .values({ class_name: className, resource, hard_limit: hardLimit })
        .execute()
    } catch (err) {
      // Someone created it meanwhile: update theirs.
      if (!isUniqueViolation(err)) throw err
      await update()
    }
  }
}
