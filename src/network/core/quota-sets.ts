/**
 * @module The quotas API's view of core/quotas: a project's limits (defaults overlaid by its own
 * rows), usage details, the projects with limits of their own, and setting or dropping those.
 */
import { insertIfAbsent } from '../../lib/db/errors.js'
import { neutronError } from '../errors.js'
import type { NetworkDeps } from './deps.js'
import {
  defaultLimits,
  projectLimits,
  QUOTA_RESOURCES,
  type QuotaResource,
  usage,
} from './quotas.js'

type Deps = Pick<NetworkDeps, 'db' | 'dialect' | 'config'>

export const QUOTA_NAMES = Object.keys(QUOTA_RESOURCES) as QuotaResource[]

export function isQuotaResource(name: string): name is QuotaResource {
  return name in QUOTA_RESOURCES
}

export async function quotaSet(deps: Deps, projectId: string): Promise<Record<string, number>> {
  return projectLimits(deps, projectId)
}

export function defaultQuotaSet(deps: Pick<Deps, 'config'>): Record<string, number> {
  return defaultLimits(deps.config)
}

export interface QuotaDetail {
  used: number
  limit: number
  reserved: number
}

/** Limit and usage per resource (nothing is ever reserved: creates check and insert at once). */
export async function quotaDetails(
  deps: Deps,
  projectId: string,
): Promise<Record<string, QuotaDetail>> {
  const limits = await projectLimits(deps, projectId)
  const out: Record<string, QuotaDetail> = {}
  for (const name of QUOTA_NAMES)
    out[name] = { used: await usage(deps.db, projectId, name), limit: limits[name], reserved: 0 }
  return out
}

/** Every project with a limit of its own, with all its limits. */
export async function allQuotaSets(deps: Deps): Promise<Record<string, unknown>[]> {
  const rows = await deps.db
    .selectFrom('quota')
    .select(['project_id', 'resource', 'limit'])
    .orderBy('project_id')
    .execute()
  const sets = new Map<string, Record<string, unknown>>()
  for (const r of rows) {
    let set = sets.get(r.project_id)
    if (!set) {
      set = { ...defaultLimits(deps.config), project_id: r.project_id, tenant_id: r.project_id }
      sets.set(r.project_id, set)
    }
    if (isQuotaResource(r.resource)) set[r.resource] = r.limit
  }
  return [...sets.values()]
}

/**
 * Sets limits. With `checkLimit` (Neutron's quota-check-limit), a limit below what the project
 * already uses is refused and nothing changes.
 */
export async function updateQuotaSet(
  deps: Deps,
  projectId: string,
  limits: Partial<Record<QuotaResource, number>>,
  checkLimit: boolean,
): Promise<Record<string, number>> {
  await deps.db.transaction().execute(async (trx) => {
    for (const [resource, limit] of Object.entries(limits) as [QuotaResource, number][]) {
      if (checkLimit) {
        const used = await usage(trx, projectId, resource)
        if (used > limit)
          throw neutronError(
            'BadRequest',
            'HTTPBadRequest',
            `Quota limit ${limit} for ${resource} must be greater than or equal to already used ${used}`,
          )
      }
      const inserted = await insertIfAbsent(
        trx.insertInto('quota').values({ project_id: projectId, resource, limit }),
        deps.dialect,
      )
      if (!inserted)
        await trx
          .updateTable('quota')
          .set({ limit })
          .where('project_id', '=', projectId)
          .where('resource', '=', resource)
          .execute()
    }
  })
  return projectLimits(deps, projectId)
}

/** Back to the defaults; a project without limits of its own is Neutron's TenantQuotaNotFound. */
export async function deleteQuotaSet(deps: Deps, projectId: string): Promise<void> {
  const result = await deps.db.deleteFrom('quota').where('project_id', '=', projectId).execute()
  const deleted = result.reduce((n, r) => n + Number(r.numDeletedRows), 0)
  if (deleted < 1)
    throw neutronError(
      'NotFound',
      'TenantQuotaNotFound',
      `Quota for tenant ${projectId} could not be found.`,
    )
}
