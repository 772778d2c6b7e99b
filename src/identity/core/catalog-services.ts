/**
 * @module Services and their endpoints. A service keeps `name`, `description` and any other
 * attribute a client sent in `extra`; deleting it deletes its endpoints. An endpoint must name
 * an existing service and region, except that the legacy `region` attribute creates the region.
 */
import type { Kysely, Selectable } from 'kysely'
import { fromJson, toFlag, toJson } from '../../lib/db/values.js'
import { hexId } from '../../lib/ids/ids.js'
import { identityErrors, notFound } from '../errors.js'
import type { EndpointTable, IdentityTables, ServiceTable } from '../db/tables.js'
import type { IdentityDeps } from './deps.js'
import { checkEndpointUrl } from './endpoint-url.js'
import { ensureRegion, findRegion } from './regions.js'

type Db = Kysely<IdentityTables>
export type Service = Selectable<ServiceTable>
export type Endpoint = Selectable<EndpointTable>

/** Service attributes stored in columns; `name` and the rest live in `extra`. */
export const SERVICE_COLUMNS = ['id', 'type', 'enabled', 'links']
/** `region` is folded into region_id; `legacy_endpoint_id` is never shown. */
export const ENDPOINT_COLUMNS = [
  'id',
  'interface',
  'service_id',
  'url',
  'region_id',
  'region',
  'enabled',
  'legacy_endpoint_id',
  'links',
]

export async function findService(db: Db, id: string): Promise<Service | undefined> {
  return db.selectFrom('service').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function getService(db: Db, id: string): Promise<Service> {
  const service = await findService(db, id)
  if (!service) throw notFound('service', id)
  return service
}

export interface ServiceInput {
  type: string
  enabled?: boolean | undefined
  /** name, description and anything else the client sent. */
  extra: Record<string, unknown>
}

export async function createService(deps: IdentityDeps, input: ServiceInput): Promise<Service> {
  const row: Service = {
    id: hexId(),
    type: input.type,
    enabled: toFlag(input.enabled ?? true),
    extra: toJson({ name: '', ...input.extra }),
  }
  await deps.db.insertInto('service').values(row).execute()
  return row
}

export interface ServicePatch {
  type?: string | undefined
  enabled?: boolean | undefined
  extra: Record<string, unknown>
}

export async function updateService(
  deps: IdentityDeps,
  id: string,
  patch: ServicePatch,
): Promise<Service> {
  const current = await getService(deps.db, id)
  const row: Service = {
    ...current,
    type: patch.type ?? current.type,
    enabled: patch.enabled === undefined ? current.enabled : toFlag(patch.enabled),
    extra: toJson({ ...fromJson<Record<string, unknown>>(current.extra, {}), ...patch.extra }),
  }
  await deps.db.updateTable('service').set(row).where('id', '=', id).execute()
  return row
}

/** Deletes a service with its endpoints and their project associations. */
export async function deleteService(deps: IdentityDeps, id: string): Promise<void> {
  await getService(deps.db, id)
  const endpoints = await deps.db
    .selectFrom('endpoint')
    .select('id')
    .where('service_id', '=', id)
    .execute()
  const endpointIds = endpoints.map((e) => e.id)
  await deps.db.transaction().execute(async (trx) => {
    if (endpointIds.length > 0)
      await trx.deleteFrom('project_endpoint').where('endpoint_id', 'in', endpointIds).execute()
    await trx.deleteFrom('endpoint').where('service_id', '=', id).execute()
    await trx.deleteFrom('service').where('id', '=', id).execute()
  })
}

export async function findEndpoint(db: Db, id: string): Promise<Endpoint | undefined> {
  return db.selectFrom('endpoint').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function getEndpoint(db: Db, id: string): Promise<Endpoint> {
  const endpoint = await findEndpoint(db, id)
  if (!endpoint) throw notFound('endpoint', id)
  return endpoint
}

function missingReference(attribute: string, target: string) {
  return identityErrors.validation({
    message: `Expecting to find ${attribute} in ${target}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`,
  })
}

/**
 * The region an endpoint body names: `region_id`, or else the legacy `region`, which is
 * created when it does not exist (Keystone keeps v2-era clients working that way).
 */
async function resolveRegion(
  deps: IdentityDeps,
  regionId: string | null | undefined,
  legacyRegion: string | undefined,
): Promise<string | null | undefined> {
  if ((regionId === undefined || regionId === null) && legacyRegion !== undefined) {
    await ensureRegion(deps, legacyRegion)
    return legacyRegion
  }
  return regionId
}

async function assertReferences(
  deps: IdentityDeps,
  regionId: string | null | undefined,
  serviceId: string | undefined,
) {
  if (regionId !== undefined && regionId !== null && !(await findRegion(deps.db, regionId)))
    throw missingReference('endpoint region_id', 'region table')
  if (serviceId !== undefined && !(await findService(deps.db, serviceId)))
    throw missingReference('endpoint service_id', 'service table')
}

export interface EndpointInput {
  interface: string
  service_id: string
  url: string
  region_id?: string | null | undefined
  region?: string | undefined
  enabled?: boolean | undefined
  extra: Record<string, unknown>
}

/** Creates an endpoint; 400 for a bad URL, an unknown service or an unknown region_id. */
export async function createEndpoint(deps: IdentityDeps, input: EndpointInput): Promise<Endpoint> {
  checkEndpointUrl(input.url)
  const regionId = (await resolveRegion(deps, input.region_id, input.region)) ?? null
  await assertReferences(deps, regionId, input.service_id)
  const row: Endpoint = {
    id: hexId(),
    interface: input.interface,
    service_id: input.service_id,
    url: input.url,
    region_id: regionId,
    enabled: toFlag(input.enabled ?? true),
    extra: toJson(input.extra),
  }
  await deps.db.insertInto('endpoint').values(row).execute()
  return row
}

export interface EndpointPatch {
  interface?: string | undefined
  service_id?: string | undefined
  url?: string | undefined
  region_id?: string | null | undefined
  region?: string | undefined
  enabled?: boolean | undefined
  extra: Record<string, unknown>
}

/** Updates an endpoint (Keystone checks the URL template only on create). */
export async function updateEndpoint(
  deps: IdentityDeps,
  current: Endpoint,
  patch: EndpointPatch,
): Promise<Endpoint> {
  const regionId = await resolveRegion(deps, patch.region_id, patch.region)
  await assertReferences(deps, regionId, patch.service_id)
  const row: Endpoint = {
    ...current,
    interface: patch.interface ?? current.interface,
    service_id: patch.service_id ?? current.service_id,
    url: patch.url ?? current.url,
    region_id: regionId === undefined ? current.region_id : regionId,
    enabled: patch.enabled === undefined ? current.enabled : toFlag(patch.enabled),
    extra: toJson({ ...fromJson<Record<string, unknown>>(current.extra, {}), ...patch.extra }),
  }
  await deps.db.updateTable('endpoint').set(row).where('id', '=', current.id).execute()
  return row
}

/** Deletes an endpoint and the projects' associations with it. */
export async function deleteEndpoint(deps: IdentityDeps, id: string): Promise<void> {
  await getEndpoint(deps.db, id)
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('project_endpoint').where('endpoint_id', '=', id).execute()
    await trx.deleteFrom('endpoint').where('id', '=', id).execute()
  })
}
