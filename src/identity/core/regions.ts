/**
 * @module Regions: client-chosen ids, an optional parent that must exist and must not close a
 * loop, and deletion of a whole subtree that Keystone refuses while any endpoint lives in it.
 */
import type { Kysely, Selectable } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import { fromJson, toJson } from '../../lib/db/values.js'
import { hexId } from '../../lib/ids/ids.js'
import { badRequest, conflict, forbidden, notFound } from '../errors.js'
import type { IdentityTables, RegionTable } from '../db/tables.js'
import type { IdentityDeps } from './deps.js'

type Db = Kysely<IdentityTables>
export type Region = Selectable<RegionTable>

/** Attributes stored in columns; everything else a client sends is kept in `extra`. */
export const REGION_COLUMNS = ['id', 'description', 'parent_region_id', 'links']

/** The region id column is 255 characters wide. */
const MAX_REGION_ID = 255

export async function findRegion(db: Db, id: string): Promise<Region | undefined> {
  return db.selectFrom('region').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function getRegion(db: Db, id: string): Promise<Region> {
  const region = await findRegion(db, id)
  if (!region) throw notFound('region', id)
  return region
}

export interface RegionInput {
  /** Absent or empty: a new hex id is generated. */
  id?: string | undefined
  description?: string | null | undefined
  parent_region_id?: string | null | undefined
  extra: Record<string, unknown>
}

/** Creates a region; 409 when the id is taken, 404 when the parent does not exist. */
export async function createRegion(deps: IdentityDeps, input: RegionInput): Promise<Region> {
  const id = input.id === undefined || input.id === '' ? hexId() : input.id
  if (id.length > MAX_REGION_ID)
    throw badRequest(`Invalid input for field 'id': '${id}' is too long`)
  if (await findRegion(deps.db, id)) throw conflict('region', `Duplicate ID, ${id}`)
  const parent = input.parent_region_id ?? null
  if (parent !== null && !(await findRegion(deps.db, parent))) throw notFound('region', parent)
  const row: Region = {
    id,
    description: input.description ?? '',
    parent_region_id: parent,
    extra: toJson(input.extra),
  }
  try {
    await deps.db.insertInto('region').values(row).execute()
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('region', `Duplicate ID, ${id}`)
    throw err
  }
  return row
}

/** Creates the region an endpoint names by the legacy `region` attribute, unless it exists. */
export async function ensureRegion(deps: IdentityDeps, id: string): Promise<void> {
  if (await findRegion(deps.db, id)) return
  try {
    await createRegion(deps, { id, extra: {} })
  } catch (err) {
    // Another request created it in between: it exists, which is all we need.
    if (!(await findRegion(deps.db, id))) throw err
  }
}

/** 400 when making `parentId` the parent of `regionId` would close a loop (Keystone's check). */
async function assertNoCycle(db: Db, regionId: string, parentId: string | null): Promise<void> {
  let current = parentId
  const seen = new Set<string>()
  while (current !== null && !seen.has(current)) {
    if (current === regionId)
      throw badRequest(
        `The specified parent region ${current} would create a circular region hierarchy.`,
      )
    seen.add(current)
    const parent = await findRegion(db, current)
    current = parent?.parent_region_id ?? null
  }
}

export interface RegionPatch {
  description?: string | null | undefined
  parent_region_id?: string | null | undefined
  extra: Record<string, unknown>
}

/** Updates a region: the new parent must exist (404) and must not be a descendant (400). */
export async function updateRegion(
  deps: IdentityDeps,
  id: string,
  patch: RegionPatch,
): Promise<Region> {
  const parent = patch.parent_region_id
  if (parent !== undefined && parent !== null && !(await findRegion(deps.db, parent)))
    throw notFound('region', parent)
  const current = await getRegion(deps.db, id)
  const row: Region = {
    ...current,
    description: patch.description === undefined ? current.description : (patch.description ?? ''),
    parent_region_id: parent === undefined ? current.parent_region_id : parent,
    extra: toJson({ ...fromJson<Record<string, unknown>>(current.extra, {}), ...patch.extra }),
  }
  await assertNoCycle(deps.db, id, row.parent_region_id)
  await deps.db.updateTable('region').set(row).where('id', '=', id).execute()
  return row
}

/** The region and all its descendants (a loop left by hand in the table does not hang us). */
async function subtreeIds(db: Db, rootId: string): Promise<string[]> {
  const all = await db.selectFrom('region').select(['id', 'parent_region_id']).execute()
  const ids = [rootId]
  const seen = new Set(ids)
  for (let i = 0; i < ids.length; i++) {
    for (const r of all) {
      if (r.parent_region_id === ids[i] && !seen.has(r.id)) {
        seen.add(r.id)
        ids.push(r.id)
      }
    }
  }
  return ids
}

/** Deletes a region and its child regions; 403 while any of them has endpoints. */
export async function deleteRegion(deps: IdentityDeps, id: string): Promise<void> {
  await getRegion(deps.db, id)
  const ids = await subtreeIds(deps.db, id)
  const used = await deps.db
    .selectFrom('endpoint')
    .select('id')
    .where('region_id', 'in', ids)
    .executeTakeFirst()
  if (used)
    throw forbidden(
      `Unable to delete region ${id} because it or its child regions have associated endpoints.`,
    )
  await deps.db.deleteFrom('region').where('id', 'in', ids).execute()
}
