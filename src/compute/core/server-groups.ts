/**
 * @module Server groups (Nova's InstanceGroup): a policy (affinity, anti-affinity and their soft
 * forms) the scheduler applies to the group's members, optional rules (max_server_per_host for
 * anti-affinity), and the members, which are servers that are not deleted. Quotas:
 * server_groups per project and user, server_group_members per group and user.
 */
import { type Selectable, sql, type Transaction } from 'kysely'
import { fromJson, toJson } from '../../lib/db/values.js'
import { uuid } from '../../lib/ids/ids.js'
import type { ComputeTables, ServerGroupTable } from '../db/tables.js'
import { computeErrors } from '../errors.js'
import type { Caller, ComputeDeps } from './deps.js'
import { projectLimits, withProjectQuotaLock } from './quotas.js'

export const GROUP_POLICIES = [
  'affinity',
  'anti-affinity',
  'soft-affinity',
  'soft-anti-affinity',
] as const
export type GroupPolicy = (typeof GROUP_POLICIES)[number]

export interface GroupRules {
  max_server_per_host?: number
}

export interface ServerGroup {
  id: string
  name: string
  projectId: string
  userId: string
  policy: GroupPolicy
  rules: GroupRules
  /** Servers that are not deleted, oldest first. */
  members: string[]
}

type Db = ComputeDeps['db'] | Transaction<ComputeTables>

function notFound(id: string) {
  return computeErrors.notFound(`Instance group ${id} could not be found.`)
}

async function withMembers(db: Db, rows: Selectable<ServerGroupTable>[]): Promise<ServerGroup[]> {
  if (rows.length === 0) return []
  const members = await db
    .selectFrom('server_group_member')
    .innerJoin('instance', 'instance.id', 'server_group_member.instance_id')
    .select(['server_group_member.group_id', 'instance.id'])
    .where(
      'server_group_member.group_id',
      'in',
      rows.map((r) => r.id),
    )
    .where('instance.deleted_at', 'is', null)
    .orderBy('instance.seq')
    .execute()
  return rows.map((r) => {
    const rules = fromJson<Record<string, unknown>>(r.rules, {})
    const max = Number(rules.max_server_per_host)
    return {
      id: r.id,
      name: r.name,
      projectId: r.project_id,
      userId: r.user_id,
      // SAFETY: only GROUP_POLICIES values are ever written.
      policy: r.policy as GroupPolicy,
      rules: Number.isInteger(max) && max > 0 ? { max_server_per_host: max } : {},
      members: members.filter((m) => m.group_id === r.id).map((m) => m.id),
    }
  })
}

/** A group by id, whoever owns it (Nova checks ownership by policy, after loading). */
export async function getServerGroup(
  deps: Pick<ComputeDeps, 'db'>,
  id: string,
): Promise<ServerGroup> {
  const row = await deps.db
    .selectFrom('server_group')
    .selectAll()
    .where('id', '=', id.toLowerCase())
    .executeTakeFirst()
  if (!row) throw notFound(id)
  const [group] = await withMembers(deps.db, [row])
  if (!group) throw notFound(id)
  return group
}

/** The groups of a project (or of every project), oldest first, offset/limit applied. */
export async function listServerGroups(
  deps: Pick<ComputeDeps, 'db'>,
  scope: { projectId?: string; offset: number; limit: number },
): Promise<ServerGroup[]> {
  let q = deps.db.selectFrom('server_group').selectAll().orderBy('created_at').orderBy('id')
  if (scope.projectId !== undefined) q = q.where('project_id', '=', scope.projectId)
  const rows = await q.limit(scope.limit).offset(scope.offset).execute()
  return withMembers(deps.db, rows)
}

async function groupCounts(
  trx: Transaction<ComputeTables>,
  projectId: string,
  userId: string,
): Promise<{ project: number; user: number }> {
  const rows = await trx
    .selectFrom('server_group')
    .select(['user_id', sql<number | string>`count(*)`.as('n')])
    .where('project_id', '=', projectId)
    .groupBy('user_id')
    .execute()
  let project = 0
  let user = 0
  for (const r of rows) {
    project += Number(r.n)
    if (r.user_id === userId) user += Number(r.n)
  }
  return { project, user }
}

/** Creates a group within the project's and the user's server_groups quota (403 beyond). */
export async function createServerGroup(
  deps: Pick<ComputeDeps, 'db' | 'clock' | 'quotaDefaults'>,
  caller: Caller,
  group: { name: string; policy: GroupPolicy; rules: GroupRules },
): Promise<ServerGroup> {
  const id = uuid()
  await withProjectQuotaLock(deps, caller.projectId, async (trx) => {
    const scoped = { db: trx, quotaDefaults: deps.quotaDefaults }
    const project = await projectLimits(scoped, caller.projectId)
    const user = await projectLimits(scoped, caller.projectId, caller.userId)
    const used = await groupCounts(trx, caller.projectId, caller.userId)
    const over = (limit: number, count: number) => limit >= 0 && count + 1 > limit
    if (over(project.server_groups, used.project) || over(user.server_groups, used.user))
      throw computeErrors.quotaExceeded('Quota exceeded, too many server groups.')
    await trx
      .insertInto('server_group')
      .values({
        id,
        name: group.name,
        project_id: caller.projectId,
        user_id: caller.userId,
        policy: group.policy,
        rules: toJson(group.rules),
        created_at: deps.clock.now().toISOString(),
      })
      .execute()
  })
  return getServerGroup(deps, id)
}

export async function deleteServerGroup(deps: Pick<ComputeDeps, 'db'>, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const res = await trx.deleteFrom('server_group').where('id', '=', id).executeTakeFirst()
    if (Number(res.numDeletedRows) === 0) throw notFound(id)
    await trx.deleteFrom('server_group_member').where('group_id', '=', id).execute()
  })
}

/**
 * Adds a server being created to a group (scheduler hint `group`), inside the create
 * transaction: 400 "Instance group <id> could not be found." for an unknown group, 403
 * "Quota exceeded, too many servers in group" beyond the caller's server_group_members quota
 * (Nova counts the group's members that belong to the caller).
 */
export async function addServerToGroup(
  trx: Transaction<ComputeTables>,
  deps: Pick<ComputeDeps, 'quotaDefaults'>,
  groupId: string,
  instanceId: string,
  caller: Caller,
): Promise<void> {
  const group = await trx
    .selectFrom('server_group')
    .select('id')
    .where('id', '=', groupId.toLowerCase())
    .executeTakeFirst()
  if (!group) throw computeErrors.badRequest(`Instance group ${groupId} could not be found.`)
  const limits = await projectLimits(
    { db: trx, quotaDefaults: deps.quotaDefaults },
    caller.projectId,
    caller.userId,
  )
  const mine = await trx
    .selectFrom('server_group_member')
    .innerJoin('instance', 'instance.id', 'server_group_member.instance_id')
    .select(sql<number | string>`count(*)`.as('n'))
    .where('server_group_member.group_id', '=', group.id)
    .where('instance.user_id', '=', caller.userId)
    .where('instance.deleted_at', 'is', null)
    .executeTakeFirstOrThrow()
  const limit = limits.server_group_members
  if (limit >= 0 && Number(mine.n) + 1 > limit)
    throw computeErrors.quotaExceeded('Quota exceeded, too many servers in group')
  await trx
    .insertInto('server_group_member')
    .values({ group_id: group.id, instance_id: instanceId })
    .execute()
}
