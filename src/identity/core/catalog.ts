/**
 * @module The service catalog a token carries: every enabled service with its enabled
 * endpoints, restricted to a project's endpoint filter when it has one (OS-EP-FILTER), with
 * `%(project_id)s`-style URL templates filled in.
 */
import type { Kysely, Selectable } from 'kysely'
import { fromJson } from '../../lib/db/values.js'
import type { EndpointTable, IdentityTables } from '../db/tables.js'

export interface CatalogEndpoint {
  id: string
  interface: string
  region: string | null
  region_id: string | null
  url: string
}

export interface CatalogEntry {
  endpoints: CatalogEndpoint[]
  id: string
  type: string
  name: string
}

type Db = Kysely<IdentityTables>

/** Fills `%(project_id)s`, `%(tenant_id)s`, `$(project_id)s` and `%(user_id)s`; undefined when a value is missing. */
export function formatEndpointUrl(
  url: string,
  values: { projectId?: string | undefined; userId?: string | undefined },
): string | undefined {
  const missing: string[] = []
  const out = url.replace(/[%$]\((\w+)\)s/g, (_m, key: string) => {
    const value =
      key === 'project_id' || key === 'tenant_id'
        ? values.projectId
        : key === 'user_id'
          ? values.userId
          : undefined
    if (value === undefined) {
      missing.push(key)
      return ''
    }
    return value
  })
  return missing.length > 0 ? undefined : out
}

/** Filter values are whatever JSON the client stored; only equal values match. */
interface EndpointGroupFilters {
  service_id?: unknown
  interface?: unknown
  region_id?: unknown
}

export function endpointMatchesFilters(
  e: Selectable<EndpointTable>,
  filters: EndpointGroupFilters,
): boolean {
  if (filters.service_id !== undefined && e.service_id !== filters.service_id) return false
  if (filters.interface !== undefined && e.interface !== filters.interface) return false
  if (filters.region_id !== undefined && e.region_id !== filters.region_id) return false
  return true
}

/**
 * Endpoint ids a project is restricted to (direct associations plus endpoint-group matches,
 * over all endpoints, enabled or not), or undefined when that set is empty: Keystone then
 * serves the whole catalog, also when the project's associations match no endpoint.
 */
export async function filteredEndpointIds(
  db: Db,
  projectId: string,
  endpoints: readonly Selectable<EndpointTable>[],
): Promise<Set<string> | undefined> {
  const direct = await db
    .selectFrom('project_endpoint')
    .select('endpoint_id')
    .where('project_id', '=', projectId)
    .execute()
  const groups = await db
    .selectFrom('project_endpoint_group')
    .innerJoin('endpoint_group', 'endpoint_group.id', 'project_endpoint_group.endpoint_group_id')
    .select('endpoint_group.filters')
    .where('project_endpoint_group.project_id', '=', projectId)
    .execute()
  const existing = new Set(endpoints.map((e) => e.id))
  const ids = new Set(direct.map((d) => d.endpoint_id).filter((id) => existing.has(id)))
  for (const g of groups) {
    const filters = fromJson<EndpointGroupFilters>(g.filters, {})
    for (const e of endpoints) if (endpointMatchesFilters(e, filters)) ids.add(e.id)
  }
  return ids.size === 0 ? undefined : ids
}

export async function buildCatalog(
  db: Db,
  scope: { projectId?: string | undefined; userId?: string | undefined },
): Promise<CatalogEntry[]> {
  const services = await db.selectFrom('service').selectAll().where('enabled', '=', 1).execute()
  // All endpoints: a filter that matches only disabled endpoints still restricts the catalog.
  const endpoints = await db.selectFrom('endpoint').selectAll().execute()
  const allowed =
    scope.projectId === undefined
      ? undefined
      : await filteredEndpointIds(db, scope.projectId, endpoints)
  const catalog: CatalogEntry[] = []
  for (const service of services) {
    const extra = fromJson<Record<string, unknown>>(service.extra, {})
    const entry: CatalogEntry = {
      endpoints: [],
      id: service.id,
      type: service.type,
      name: typeof extra.name === 'string' ? extra.name : '',
    }
    for (const e of endpoints) {
      if (e.service_id !== service.id || e.enabled !== 1) continue
      if (allowed && !allowed.has(e.id)) continue
      const url = formatEndpointUrl(e.url, scope)
      if (url === undefined) continue
      entry.endpoints.push({
        id: e.id,
        interface: e.interface,
        region: e.region_id,
        region_id: e.region_id,
        url,
      })
    }
    // Keystone drops services that end up with no endpoints when a filter applies.
    if (entry.endpoints.length > 0 || !allowed) catalog.push(entry)
  }
  return catalog
}
