/**
 * @module Neutron's quotas: per-project limits over the config defaults, usage counted from the
 * tables, and checks made under a per-project lock so two creates cannot both take the last
 * slot.
 */
import { type Kysely, type Transaction } from 'kysely'
import { ensureSequence, nextValue } from '../../lib/db/sequence.js'
import type { NetworkTables } from '../db/tables.js'
import { networkErrors } from '../errors.js'
import type { NetworkConfig, NetworkDeps } from './deps.js'

/** Quota resource -> the table whose rows it counts. */
export const QUOTA_RESOURCES = {
  network: 'network',
  subnet: 'subnet',
  port: 'port',
  router: 'router',
  floatingip: 'floating_ip',
  security_group: 'security_group',
  security_group_rule: 'security_group_rule',
  subnetpool: 'subnetpool',
} as const
export type QuotaResource = keyof typeof QUOTA_RESOURCES

export function defaultLimits(config: NetworkConfig): Record<QuotaResource, number> {
  return {
    network: config.quotaNetwork,
    subnet: config.quotaSubnet,
    port: config.quotaPort,
    router: config.quotaRouter,
    floatingip: config.quotaFloatingip,
    security_group: config.quotaSecurityGroup,
    security_group_rule: config.quotaSecurityGroupRule,
    subnetpool: config.quotaSubnetpool,
  }
}

export async function projectLimits(
  deps: Pick<NetworkDeps, 'db' | 'config'>,
  projectId: string,
): Promise<Record<QuotaResource, number>> {
  const limits = defaultLimits(deps.config)
  const rows = await deps.db
    .selectFrom('quota')
    .select(['resource', 'limit'])
    .where('project_id', '=', projectId)
    .execute()
  for (const r of rows) if (r.resource in limits) limits[r.resource as QuotaResource] = r.limit
  return limits
}

export async function usage(
  db: Kysely<NetworkTables>,
  projectId: string,
  resource: QuotaResource,
): Promise<number> {
  const row = await db
    .selectFrom(QUOTA_RESOURCES[resource])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', projectId)
    .executeTakeFirstOrThrow()
  return row.n
}

const lockName = (projectId: string) => `quota:${projectId}`

/**
 * Runs `work` in a transaction holding the project's quota lock, after checking that `count`
 * more of `resource` fit (Neutron's OverQuota 409 otherwise).
 */
export async function withQuota<T>(
  deps: Pick<NetworkDeps, 'db' | 'config'>,
  projectId: string,
  resource: QuotaResource,
  count: number,
  work: (trx: Transaction<NetworkTables>) => Promise<T>,
): Promise<T> {
  await ensureSequence(deps.db, lockName(projectId))
  return deps.db.transaction().execute(async (trx) => {
    await nextValue<NetworkTables>(trx, lockName(projectId))
    const limit = (await projectLimits({ db: trx, config: deps.config }, projectId))[resource]
    // A count of 0 is the operator's own work, which quotas do not bound.
    if (count > 0 && limit >= 0 && (await usage(trx, projectId, resource)) + count > limit)
      throw networkErrors.overQuota(resource)
    return work(trx)
  })
}
