/**
 * @module Compute quotas (Nova's DbQuotaDriver): a limit is the user's override, else the
 * project's, else the `default` quota class, else `[quota]`. Usage is counted from the
 * servers themselves (no reservations), and checks that must be atomic run inside a
 * transaction that first locks the project's quota row, so two concurrent boots cannot both
 * take the last slot.
 */
import { type Kysely, sql, type Transaction } from 'kysely'
import { ensureSequence, nextValue } from '../../lib/db/sequence.js'
import type { ComputeTables } from '../db/tables.js'
import { computeErrors } from '../errors.js'
import type { ComputeDeps } from './deps.js'

/** Every quota resource Nova knows, in Nova's order. */
export const QUOTA_RESOURCES = [
  'instances',
  'cores',
  'ram',
  'metadata_items',
  'injected_files',
  'injected_file_content_bytes',
  'injected_file_path_bytes',
  'key_pairs',
  'server_groups',
  'server_group_members',
  'fixed_ips',
  'floating_ips',
  'security_groups',
  'security_group_rules',
] as const

export type QuotaResource = (typeof QUOTA_RESOURCES)[number]
export type QuotaLimits = Record<QuotaResource, number>

/** `[quota]` as limits; the nova-network resources are unlimited (-1) as in Nova since Rocky. */
export function configDefaults(deps: Pick<ComputeDeps, 'quotaDefaults'>): QuotaLimits {
  const q = deps.quotaDefaults
  return {
    instances: q.instances,
    cores: q.cores,
    ram: q.ram,
    metadata_items: q.metadataItems,
    injected_files: q.injectedFiles,
    injected_file_content_bytes: q.injectedFileContentBytes,
    injected_file_path_bytes: q.injectedFilePathLength,
    key_pairs: q.keyPairs,
    server_groups: q.serverGroups,
    server_group_members: q.serverGroupMembers,
    fixed_ips: -1,
    floating_ips: -1,
    security_groups: -1,
    security_group_rules: -1,
  }
}

function isResource(name: string): name is QuotaResource {
  return (QUOTA_RESOURCES as readonly string[]).includes(name)
}

/** The limits of a quota class (`default` feeds every project's defaults). */
export async function classLimits(
  deps: Pick<ComputeDeps, 'db' | 'quotaDefaults'>,
  className = 'default',
): Promise<QuotaLimits> {
  const limits = configDefaults(deps)
  const rows = await deps.db
    .selectFrom('quota_class')
    .select(['resource', 'hard_limit'])
    .where('class_name', '=', className)
    .execute()
  for (const r of rows) if (isResource(r.resource)) limits[r.resource] = r.hard_limit
  return limits
}

/** A project's limits, or a user's within it when `userId` is given. */
export async function projectLimits(
  deps: Pick<ComputeDeps, 'db' | 'quotaDefaults'>,
  projectId: string,
  userId?: string,
): Promise<QuotaLimits> {
  const limits = await classLimits(deps)
  const rows = await deps.db
    .selectFrom('quota')
    .select(['user_id', 'resource', 'hard_limit'])
    .where('project_id', '=', projectId)
    .where('user_id', 'in', userId === undefined ? [''] : ['', userId])
    .execute()
  // Project rows first, then the user's, which win.
  for (const r of rows.sort((a, b) => a.user_id.localeCompare(b.user_id)))
    if (isResource(r.resource)) limits[r.resource] = r.hard_limit
  return limits
}

export interface InstanceUsage {
  instances: number
  cores: number
  ram: number
}

/** Servers (not deleted, BUILD included) of a project, or of one user in it. */
export async function instanceUsage(
  db: Kysely<ComputeTables>,
  projectId: string,
  userId?: string,
): Promise<InstanceUsage> {
  let q = db
    .selectFrom('instance')
    .select([
      sql<number | string>`count(*)`.as('n'),
      sql<number | string | null>`sum(vcpus)`.as('cores'),
      sql<number | string | null>`sum(memory_mb)`.as('ram'),
    ])
    .where('project_id', '=', projectId)
    .where('deleted_at', 'is', null)
  if (userId !== undefined) q = q.where('user_id', '=', userId)
  const row = await q.executeTakeFirstOrThrow()
  return { instances: Number(row.n), cores: Number(row.cores ?? 0), ram: Number(row.ram ?? 0) }
}

/** Counts of the other counted resources, for `detail` and `limits`. */
export async function otherUsage(
  db: Kysely<ComputeTables>,
  projectId: string,
  userId?: string,
): Promise<{ key_pairs: number; server_groups: number }> {
  const keyPairs =
    userId === undefined
      ? { n: 0 }
      : await db
          .selectFrom('key_pair')
          .select(sql<number | string>`count(*)`.as('n'))
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow()
  let groups = db
    .selectFrom('server_group')
    .select(sql<number | string>`count(*)`.as('n'))
    .where('project_id', '=', projectId)
  if (userId !== undefined) groups = groups.where('user_id', '=', userId)
  const g = await groups.executeTakeFirstOrThrow()
  return { key_pairs: Number(keyPairs.n), server_groups: Number(g.n) }
}

const lockName = (projectId: string) => `quota:${projectId}`

/**
 * Runs `work` in a transaction holding the project's quota lock: checks made inside see every
 * server committed before and block concurrent checks of the same project until commit.
 */
export async function withProjectQuotaLock<T>(
  deps: Pick<ComputeDeps, 'db'>,
  projectId: string,
  work: (trx: Transaction<ComputeTables>) => Promise<T>,
): Promise<T> {
  await ensureSequence(deps.db, lockName(projectId))
  return deps.db.transaction().execute(async (trx) => {
    await nextValue<ComputeTables>(trx, lockName(projectId))
    return work(trx)
  })
}

export interface InstanceDeltas {
  instances: number
  cores: number
  ram: number
}

/**
 * How many of `max` servers of this size fit the project's (and user's) quota, at least
 * `min`; else Nova's 403 "Quota exceeded for cores: Requested 2, but already used 19 of 20
 * cores". Call inside withProjectQuotaLock.
 */
export async function allowedInstances(
  deps: Pick<ComputeDeps, 'quotaDefaults'>,
  trx: Transaction<ComputeTables>,
  who: { projectId: string; userId: string },
  perInstance: { cores: number; ram: number },
  min: number,
  max: number,
): Promise<number> {
  const scoped = { db: trx, quotaDefaults: deps.quotaDefaults }
  const project = await projectLimits(scoped, who.projectId)
  const user = await projectLimits(scoped, who.projectId, who.userId)
  const usedProject = await instanceUsage(trx, who.projectId)
  const usedUser = await instanceUsage(trx, who.projectId, who.userId)
  type Counted = keyof InstanceUsage
  const fits = (n: number): Counted[] => {
    const wanted: InstanceUsage = {
      instances: n,
      cores: n * perInstance.cores,
      ram: n * perInstance.ram,
    }
    const over: Counted[] = []
    for (const r of ['instances', 'cores', 'ram'] as const) {
      for (const [limits, used] of [
        [project, usedProject],
        [user, usedUser],
      ] as const) {
        const limit = limits[r]
        if (limit >= 0 && used[r] + wanted[r] > limit && !over.includes(r)) over.push(r)
      }
    }
    return over
  }
  for (let n = max; n >= min; n--) if (fits(n).length === 0) return n
  const over = fits(min)
  const req = over.map((r) =>
    r === 'instances' ? min : r === 'cores' ? min * perInstance.cores : min * perInstance.ram,
  )
  const used = over.map((r) => Math.max(usedProject[r], usedUser[r]))
  const limit = over.map((r) => (user[r] >= 0 && user[r] < project[r] ? user[r] : project[r]))
  throw computeErrors.quotaExceeded(
    `Quota exceeded for ${over.join(', ')}: Requested ${req.join(', ')}, but already used ${used.join(', ')} of ${limit.join(', ')} ${over.join(', ')}`,
  )
}
