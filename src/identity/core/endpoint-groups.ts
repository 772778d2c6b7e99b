/**
 * @module OS-EP-FILTER: endpoint groups (a filter on service_id, region_id and interface) and
 * the associations of projects with endpoints and with endpoint groups that restrict the
 * catalog of a project-scoped token (see catalog.ts).
 */
import type { Kysely, Selectable } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import { fromJson, toJson } from '../../lib/db/values.js'
import { hexId } from '../../lib/ids/ids.js'
import { badRequest, conflict, identityErrors, notFound } from '../errors.js'
import type { EndpointGroupTable, IdentityTables } from '../db/tables.js'
import { endpointMatchesFilters, filteredEndpointIds } from './catalog.js'
import type { Endpoint } from './catalog-services.js'
import type { IdentityDeps } from './deps.js'

type Db = Kysely<IdentityTables>
export type EndpointGroup = Selectable<EndpointGroupTable>

export const FILTER_KEYS = ['service_id', 'region_id', 'interface'] as const
const ATTRIBUTES = ['id', 'name', 'description', 'filters']

export async function findEndpointGroup(db: Db, id: string): Promise<EndpointGroup | undefined> {
  return db.selectFrom('endpoint_group').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function getEndpointGroup(db: Db, id: string): Promise<EndpointGroup> {
  const group = await findEndpointGroup(db, id)
  if (!group) throw notFound('Endpoint Group', id)
  return group
}

/** Endpoint groups have no `extra` column: Keystone answers an unknown attribute with 400. */
function rejectUnknown(body: Record<string, unknown>): void {
  for (const key of Object.keys(body))
    if (!ATTRIBUTES.includes(key))
      throw badRequest(`'${key}' is an invalid keyword argument for EndpointGroup`)
}

function validateFilters(filters: Record<string, unknown>): void {
  for (const key of Object.keys(filters))
    if (!(FILTER_KEYS as readonly string[]).includes(key))
      throw identityErrors.validation({
        message: `Expecting to find ${FILTER_KEYS.join(' or ')} in endpoint_group. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`,
      })
}

export interface EndpointGroupInput {
  name: string
  description?: string | null | undefined
  filters: Record<string, unknown>
}

/** Creates a group; 400 for empty filters, a filter on another attribute, or an unknown attribute. */
export async function createEndpointGroup(
  deps: IdentityDeps,
  body: EndpointGroupInput & Record<string, unknown>,
): Promise<EndpointGroup> {
  if (Object.keys(body.filters).length === 0)
    throw badRequest('filters field is required and cannot be empty')
  validateFilters(body.filters)
  rejectUnknown(body)
  const row: EndpointGroup = {
    id: hexId(),
    name: body.name,
    description: body.description ?? null,
    filters: toJson(body.filters),
  }
  await deps.db.insertInto('endpoint_group').values(row).execute()
  return row
}

export async function updateEndpointGroup(
  deps: IdentityDeps,
  id: string,
  patch: Partial<EndpointGroupInput> & Record<string, unknown>,
): Promise<EndpointGroup> {
  if (patch.filters !== undefined) validateFilters(patch.filters)
  if (patch.id !== undefined && patch.id !== null && patch.id !== id)
    throw badRequest('Cannot change ID')
  const current = await getEndpointGroup(deps.db, id)
  rejectUnknown(patch)
  const row: EndpointGroup = {
    ...current,
    name: patch.name ?? current.name,
    description: patch.description === undefined ? current.description : patch.description,
    filters: patch.filters === undefined ? current.filters : toJson(patch.filters),
  }
  await deps.db.updateTable('endpoint_group').set(row).where('id', '=', id).execute()
  return row
}

/** Deletes a group and its project associations. */
export async function deleteEndpointGroup(deps: IdentityDeps, id: string): Promise<void> {
  await getEndpointGroup(deps.db, id)
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('project_endpoint_group').where('endpoint_group_id', '=', id).execute()
    await trx.deleteFrom('endpoint_group').where('id', '=', id).execute()
  })
}

/** Every endpoint (enabled or not) the group's filters match. */
export async function endpointsInGroup(db: Db, group: EndpointGroup): Promise<Endpoint[]> {
  const filters = fromJson<Record<string, unknown>>(group.filters, {})
  const endpoints = await db.selectFrom('endpoint').selectAll().execute()
  return endpoints.filter((e) => endpointMatchesFilters(e, filters))
}

// --- project <-> endpoint group ---

export async function isGroupInProject(
  db: Db,
  groupId: string,
  projectId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('project_endpoint_group')
    .select('project_id')
    .where('endpoint_group_id', '=', groupId)
    .where('project_id', '=', projectId)
    .executeTakeFirst()
  return row !== undefined
}

export async function addGroupToProject(
  deps: IdentityDeps,
  groupId: string,
  projectId: string,
): Promise<void> {
  try {
    if (await isGroupInProject(deps.db, groupId, projectId))
      throw conflict('project_endpoint_group', 'Duplicate entry')
    await deps.db
      .insertInto('project_endpoint_group')
      .values({ endpoint_group_id: groupId, project_id: projectId })
      .execute()
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('project_endpoint_group', 'Duplicate entry')
    throw err
  }
}

export async function removeGroupFromProject(
  deps: IdentityDeps,
  groupId: string,
  projectId: string,
): Promise<void> {
  const result = await deps.db
    .deleteFrom('project_endpoint_group')
    .where('endpoint_group_id', '=', groupId)
    .where('project_id', '=', projectId)
    .executeTakeFirst()
  if (Number(result.numDeletedRows) === 0) throw identityErrors.endpointGroupNotInProject({})
}

export async function projectIdsOfGroup(db: Db, groupId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('project_endpoint_group')
    .select('project_id')
    .where('endpoint_group_id', '=', groupId)
    .execute()
  return rows.map((r) => r.project_id)
}

export async function groupsOfProject(db: Db, projectId: string): Promise<EndpointGroup[]> {
  return db
    .selectFrom('endpoint_group')
    .innerJoin(
      'project_endpoint_group',
      'project_endpoint_group.endpoint_group_id',
      'endpoint_group.id',
    )
    .selectAll('endpoint_group')
    .where('project_endpoint_group.project_id', '=', projectId)
    .execute()
}

// --- project <-> endpoint ---

export async function isEndpointInProject(
  db: Db,
  endpointId: string,
  projectId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('project_endpoint')
    .select('project_id')
    .where('endpoint_id', '=', endpointId)
    .where('project_id', '=', projectId)
    .executeTakeFirst()
  return row !== undefined
}

export async function addEndpointToProject(
  deps: IdentityDeps,
  endpointId: string,
  projectId: string,
): Promise<void> {
  try {
    if (await isEndpointInProject(deps.db, endpointId, projectId))
      throw conflict('project_endpoint', 'Duplicate entry')
    await deps.db
      .insertInto('project_endpoint')
      .values({ endpoint_id: endpointId, project_id: projectId })
      .execute()
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('project_endpoint', 'Duplicate entry')
    throw err
  }
}

export async function removeEndpointFromProject(
  deps: IdentityDeps,
  endpointId: string,
  projectId: string,
): Promise<void> {
  const result = await deps.db
    .deleteFrom('project_endpoint')
    .where('endpoint_id', '=', endpointId)
    .where('project_id', '=', projectId)
    .executeTakeFirst()
  if (Number(result.numDeletedRows) === 0)
    throw identityErrors.endpointNotInProject({ endpointId, projectId })
}

export async function projectIdsOfEndpoint(db: Db, endpointId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('project_endpoint')
    .select('project_id')
    .where('endpoint_id', '=', endpointId)
    .execute()
  return rows.map((r) => r.project_id)
}

/** The endpoints associated with a project, directly or through its endpoint groups. */
export async function endpointsOfProject(db: Db, projectId: string): Promise<Endpoint[]> {
  const endpoints = await db.selectFrom('endpoint').selectAll().execute()
  const ids = await filteredEndpointIds(db, projectId, endpoints)
  return ids === undefined ? [] : endpoints.filter((e) => ids.has(e.id))
}
