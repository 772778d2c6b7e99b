/**
 * @module What a service enforcing unified limits asks identity (as oslo.limit asks Keystone):
 * the limit of one resource for one project, the project's own limit when set, else the
 * registered default. Undefined when the service registers no such resource (no limit).
 */
import type { Kysely } from 'kysely'
import type { IdentityTables } from '../db/tables.js'

export interface LimitQuery {
  /** Catalog type of the enforcing service, e.g. 'image'. */
  serviceType: string
  projectId: string
  resourceName: string
  regionId?: string | undefined
}

export async function effectiveLimit(
  db: Kysely<IdentityTables>,
  q: LimitQuery,
): Promise<number | undefined> {
  const service = await db
    .selectFrom('service')
    .select('id')
    .where('type', '=', q.serviceType)
    .executeTakeFirst()
  if (!service) return undefined
  const own = await db
    .selectFrom('project_limit')
    .select(['resource_limit', 'region_id'])
    .where('service_id', '=', service.id)
    .where('project_id', '=', q.projectId)
    .where('resource_name', '=', q.resourceName)
    .execute()
  const pick = <T extends { region_id: string | null }>(rows: T[]): T | undefined =>
    rows.find((r) => r.region_id === (q.regionId ?? null)) ?? rows[0]
  const limit = pick(own)
  if (limit) return limit.resource_limit
  const registered = await db
    .selectFrom('registered_limit')
    .select(['default_limit', 'region_id'])
    .where('service_id', '=', service.id)
    .where('resource_name', '=', q.resourceName)
    .execute()
  return pick(registered)?.default_limit
}
