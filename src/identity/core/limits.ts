/**
 * @module Unified limits with Keystone's flat enforcement model: registered limits are the
 * per-service defaults (unique per service, region and resource), limits override them for a
 * project or a domain and need a matching registered limit. A registered limit that limits
 * refer to can be neither changed nor deleted (403), which is why a limit can keep its own copy
 * of service_id, region_id and resource_name.
 */
import type { Kysely, Selectable } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import { hexId } from '../../lib/ids/ids.js'
import { conflict, forbidden, identityErrors } from '../errors.js'
import type { IdentityTables, ProjectLimitTable, RegisteredLimitTable } from '../db/tables.js'
import type { IdentityDeps } from './deps.js'

type Db = Kysely<IdentityTables>
export type RegisteredLimit = Selectable<RegisteredLimitTable>
export type Limit = Selectable<ProjectLimitTable>

export const LIMIT_MODEL = {
  name: 'flat',
  description:
    'Limit enforcement and validation does not take project hierarchy into consideration.',
}

function missing(attribute: string, target: string) {
  return identityErrors.validation({
    message: `Expecting to find ${attribute} in ${target}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`,
  })
}

/** Keystone's _assert_resource_exist; a project that is a domain turns into domain_id. */
async function assertReferences(
  db: Db,
  ref: {
    service_id?: string | undefined
    region_id?: string | null | undefined
    project_id?: string | undefined
    domain_id?: string | undefined
  },
  target: 'registered_limit' | 'limit',
): Promise<{ projectId?: string; domainId?: string }> {
  if (ref.service_id !== undefined) {
    const s = await db
      .selectFrom('service')
      .select('id')
      .where('id', '=', ref.service_id)
      .executeTakeFirst()
    if (!s) throw missing('service_id', target)
  }
  if (ref.region_id !== undefined && ref.region_id !== null) {
    const r = await db
      .selectFrom('region')
      .select('id')
      .where('id', '=', ref.region_id)
      .executeTakeFirst()
    if (!r) throw missing('region_id', target)
  }
  let domainId = ref.domain_id
  let projectId = ref.project_id
  if (projectId !== undefined) {
    const p = await db
      .selectFrom('project')
      .select('is_domain')
      .where('id', '=', projectId)
      .executeTakeFirst()
    if (!p) throw missing('project_id', target)
    if (p.is_domain === 1) {
      domainId = projectId
      projectId = undefined
    }
  }
  if (domainId !== undefined) {
    const d = await db
      .selectFrom('project')
      .select('is_domain')
      .where('id', '=', domainId)
      .executeTakeFirst()
    if (d?.is_domain !== 1) throw missing('domain_id', target)
  }
  return {
    ...(projectId === undefined ? {} : { projectId }),
    ...(domainId === undefined ? {} : { domainId }),
  }
}

type Triple = { service_id: string; region_id: string | null; resource_name: string }

async function findRegisteredByTriple(db: Db, t: Triple): Promise<RegisteredLimit | undefined> {
  let q = db
    .selectFrom('registered_limit')
    .selectAll()
    .where('service_id', '=', t.service_id)
    .where('resource_name', '=', t.resource_name)
  q =
    t.region_id === null ? q.where('region_id', 'is', null) : q.where('region_id', '=', t.region_id)
  return q.executeTakeFirst()
}

async function isReferenced(db: Db, r: RegisteredLimit): Promise<boolean> {
  let q = db
    .selectFrom('project_limit')
    .select('id')
    .where('service_id', '=', r.service_id)
    .where('resource_name', '=', r.resource_name)
  q =
    r.region_id === null ? q.where('region_id', 'is', null) : q.where('region_id', '=', r.region_id)
  return (await q.executeTakeFirst()) !== undefined
}

export async function getRegisteredLimit(db: Db, id: string): Promise<RegisteredLimit> {
  const row = await db
    .selectFrom('registered_limit')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) throw identityErrors.limitNotFound({ kind: 'registered limit', id })
  return row
}

export interface RegisteredLimitInput {
  service_id: string
  resource_name: string
  default_limit: number
  region_id?: string | null | undefined
  description?: string | null | undefined
}

/** Creates all or none; 400 for unknown references, 409 for a duplicate (also within the batch). */
export async function createRegisteredLimits(
  deps: IdentityDeps,
  items: readonly RegisteredLimitInput[],
): Promise<RegisteredLimit[]> {
  for (const item of items) await assertReferences(deps.db, item, 'registered_limit')
  const rows: RegisteredLimit[] = items.map((i) => ({
    id: hexId(),
    service_id: i.service_id,
    region_id: i.region_id ?? null,
    resource_name: i.resource_name,
    default_limit: i.default_limit,
    description: i.description ?? null,
  }))
  await deps.db.transaction().execute(async (trx) => {
    for (const row of rows) {
      if (await findRegisteredByTriple(trx, row))
        throw conflict('registered_limit', 'Duplicate entry')
      await trx.insertInto('registered_limit').values(row).execute()
    }
  })
  return rows
}

/** Updates a registered limit; 403 while limits refer to it, 409 when it would duplicate another. */
export async function updateRegisteredLimit(
  deps: IdentityDeps,
  id: string,
  patch: Partial<RegisteredLimitInput>,
): Promise<RegisteredLimit> {
  await assertReferences(deps.db, patch, 'registered_limit')
  const current = await getRegisteredLimit(deps.db, id)
  if (await isReferenced(deps.db, current))
    throw forbidden(
      `Unable to update or delete registered limit ${id} because there are project limits associated with it.`,
    )
  const row: RegisteredLimit = {
    ...current,
    service_id: patch.service_id ?? current.service_id,
    region_id: patch.region_id === undefined ? current.region_id : patch.region_id,
    resource_name: patch.resource_name ?? current.resource_name,
    default_limit: patch.default_limit ?? current.default_limit,
    description: patch.description === undefined ? current.description : patch.description,
  }
  const other = await findRegisteredByTriple(deps.db, row)
  if (other && other.id !== id) throw conflict('registered_limit', 'Duplicate entry')
  await deps.db.updateTable('registered_limit').set(row).where('id', '=', id).execute()
  return row
}

export async function deleteRegisteredLimit(deps: IdentityDeps, id: string): Promise<void> {
  const current = await getRegisteredLimit(deps.db, id)
  if (await isReferenced(deps.db, current))
    throw forbidden(
      `Unable to update or delete registered limit ${id} because there are project limits associated with it.`,
    )
  await deps.db.deleteFrom('registered_limit').where('id', '=', id).execute()
}

export async function findLimit(db: Db, id: string): Promise<Limit | undefined> {
  return db.selectFrom('project_limit').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function getLimit(db: Db, id: string): Promise<Limit> {
  const row = await findLimit(db, id)
  if (!row) throw identityErrors.limitNotFound({ kind: 'limit', id })
  return row
}

export interface LimitInput {
  project_id?: string | undefined
  domain_id?: string | undefined
  service_id: string
  region_id?: string | undefined
  resource_name: string
  resource_limit: number
  description?: string | null | undefined
}

/** Creates all or none; 403 without a registered limit to override, 409 for a duplicate. */
export async function createLimits(
  deps: IdentityDeps,
  items: readonly LimitInput[],
): Promise<Limit[]> {
  const rows: Limit[] = []
  for (const item of items) {
    const owner = await assertReferences(deps.db, item, 'limit')
    rows.push({
      id: hexId(),
      project_id: owner.projectId ?? null,
      domain_id: owner.domainId ?? null,
      service_id: item.service_id,
      region_id: item.region_id ?? null,
      resource_name: item.resource_name,
      resource_limit: item.resource_limit,
      description: item.description ?? null,
    })
  }
  try {
    await deps.db.transaction().execute(async (trx) => {
      for (const row of rows) {
        if (!(await findRegisteredByTriple(trx, row)))
          throw forbidden('Unable to create a limit that has no corresponding registered limit.')
        let dup = trx
          .selectFrom('project_limit')
          .select('id')
          .where('service_id', '=', row.service_id)
          .where('resource_name', '=', row.resource_name)
        dup =
          row.region_id === null
            ? dup.where('region_id', 'is', null)
            : dup.where('region_id', '=', row.region_id)
        dup =
          row.project_id === null
            ? dup.where('domain_id', '=', row.domain_id ?? '')
            : dup.where('project_id', '=', row.project_id)
        if (await dup.executeTakeFirst()) throw conflict('limit', 'Duplicate entry')
        await trx.insertInto('project_limit').values(row).execute()
      }
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('limit', 'Duplicate entry')
    throw err
  }
  return rows
}

/** Changes the value or the description of a limit (nothing else may change). */
export async function updateLimit(
  deps: IdentityDeps,
  current: Limit,
  patch: { resource_limit?: number | undefined; description?: string | null | undefined },
): Promise<Limit> {
  const row: Limit = {
    ...current,
    resource_limit: patch.resource_limit ?? current.resource_limit,
    description: patch.description === undefined ? current.description : patch.description,
  }
  await deps.db.updateTable('project_limit').set(row).where('id', '=', current.id).execute()
  return row
}

export async function deleteLimit(deps: IdentityDeps, id: string): Promise<void> {
  await getLimit(deps.db, id)
  await deps.db.deleteFrom('project_limit').where('id', '=', id).execute()
}

/** What a token may list: everything (system), its domain's limits and projects', or its project's. */
export async function limitsVisibleTo(
  db: Db,
  scope: {
    system?: string | undefined
    domainId?: string | undefined
    projectId?: string | undefined
  },
): Promise<Limit[]> {
  const all = db.selectFrom('project_limit').selectAll()
  if (scope.system !== undefined) return all.execute()
  if (scope.domainId !== undefined) {
    const projects = await db
      .selectFrom('project')
      .select('id')
      .where('domain_id', '=', scope.domainId)
      .execute()
    const ids = new Set(projects.map((p) => p.id))
    const rows = await all.execute()
    return rows.filter((l) =>
      l.project_id !== null ? ids.has(l.project_id) : l.domain_id === scope.domainId,
    )
  }
  if (scope.projectId !== undefined) return all.where('project_id', '=', scope.projectId).execute()
  return []
}
