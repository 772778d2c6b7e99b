/**
 * @module Flavors (Nova's flavor API database): who sees which flavor, listing with Nova's
 * filters, sort keys and markers, creation and deletion. A non-admin sees public flavors and
 * the private ones shared with their project; flavors are hard-deleted (servers keep a copy).
 */
import { randomUUID } from 'node:crypto'
import type { ExpressionBuilder, Kysely } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import { fromFlag, toFlag } from '../../lib/db/values.js'
import type { ComputeTables, FlavorTable } from '../db/tables.js'
import { computeErrors } from '../errors.js'
import type { Caller, ComputeDeps } from './deps.js'

export type FlavorRow = FlavorTable

/** A flavor with its extra specs, as server create embeds it. */
export interface LoadedFlavor {
  row: FlavorRow
  extraSpecs: Record<string, string>
}

/** Public flavors, or private ones shared with the caller's project; admins see all. */
function visible(caller: Caller) {
  return (eb: ExpressionBuilder<ComputeTables, 'flavor'>) =>
    caller.isAdmin
      ? eb('flavor.id', 'is not', null)
      : eb.or([
          eb('flavor.is_public', '=', 1),
          eb(
            'flavor.id',
            'in',
            eb
              .selectFrom('flavor_project')
              .select('flavor_project.flavor_id')
              .where('flavor_project.project_id', '=', caller.projectId),
          ),
        ])
}

/** The flavor `id` as the caller may see it, else 404 "Flavor <id> could not be found.". */
export async function getFlavor(
  deps: Pick<ComputeDeps, 'db'>,
  caller: Caller,
  id: string,
): Promise<FlavorRow> {
  const row = await deps.db
    .selectFrom('flavor')
    .selectAll()
    .where('id', '=', id)
    .where(visible(caller))
    .executeTakeFirst()
  if (!row) throw computeErrors.flavorNotFound(id)
  return row
}

export async function extraSpecsOf(
  db: Kysely<ComputeTables>,
  flavorIds: readonly string[],
): Promise<Map<string, Record<string, string>>> {
  const specs = new Map<string, Record<string, string>>(flavorIds.map((id) => [id, {}]))
  if (flavorIds.length === 0) return specs
  const rows = await db
    .selectFrom('flavor_extra_spec')
    .selectAll()
    .where('flavor_id', 'in', flavorIds)
    .orderBy('key')
    .execute()
  for (const r of rows) {
    const map = specs.get(r.flavor_id)
    if (map) map[r.key] = r.value
  }
  return specs
}

/**
 * The flavor a server may be built with: `flavorRef` is an id or a URL ending in one; the
 * flavor must be visible to the caller and enabled. Otherwise 400 "Flavor <id> could not be
 * found." (Nova answers boot requests with 400, not 404).
 */
export async function findFlavorForBoot(
  deps: Pick<ComputeDeps, 'db'>,
  caller: Caller,
  flavorRef: string | number,
): Promise<LoadedFlavor> {
  const id = flavorIdFromRef(flavorRef)
  const row = await deps.db
    .selectFrom('flavor')
    .selectAll()
    .where('id', '=', id)
    .where(visible(caller))
    .executeTakeFirst()
  if (!row || fromFlag(row.disabled))
    throw computeErrors.badRequest(`Flavor ${id} could not be found.`)
  const specs = await extraSpecsOf(deps.db, [row.id])
  return { row, extraSpecs: specs.get(row.id) ?? {} }
}

/** Nova's common.get_id_from_href: the last path segment of a URL, or the value itself. */
export function flavorIdFromRef(ref: string | number): string {
  const text = String(ref)
  let path = text
  try {
    path = new URL(text).pathname
  } catch {
    path = text.split(/[?#]/)[0] ?? text
  }
  return path.split('/').pop() ?? ''
}

export const SORT_KEYS = [
  'created_at',
  'description',
  'disabled',
  'ephemeral_gb',
  'flavorid',
  'id',
  'is_public',
  'memory_mb',
  'name',
  'root_gb',
  'rxtx_factor',
  'swap',
  'updated_at',
  'vcpu_weight',
  'vcpus',
] as const
export type FlavorSortKey = (typeof SORT_KEYS)[number]

export interface FlavorListQuery {
  /** true: public (and shared with the caller), false: private only, undefined: all. */
  isPublic: boolean | undefined
  /** Non-admins never see disabled flavors. */
  hideDisabled: boolean
  minRam?: number | undefined
  minDisk?: number | undefined
  sortKey: FlavorSortKey
  sortDir: 'asc' | 'desc'
  limit: number
  marker?: string | undefined
}

type SortValue = string | number | null

/** A sort key's value; the keys Nova has and we do not store fall back to creation order. */
function sortValue(row: FlavorRow, key: FlavorSortKey): SortValue {
  switch (key) {
    case 'flavorid':
      return row.id
    case 'id':
    case 'created_at':
    case 'updated_at':
      return row.created_at
    case 'vcpu_weight':
      return null
    default:
      return row[key]
  }
}

function compareValues(a: SortValue, b: SortValue): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  return a < b ? -1 : 1
}

function comparator(key: FlavorSortKey, dir: 'asc' | 'desc') {
  const sign = dir === 'asc' ? 1 : -1
  // The secondary key is Nova's internal id: creation order, then the flavor id.
  return (a: FlavorRow, b: FlavorRow): number =>
    sign *
    (compareValues(sortValue(a, key), sortValue(b, key)) ||
      compareValues(a.created_at, b.created_at) ||
      compareValues(a.id, b.id))
}

/** One page of flavors, sorted and filtered as Nova's FlavorList.get_all does. */
export async function listFlavors(
  deps: Pick<ComputeDeps, 'db'>,
  caller: Caller,
  q: FlavorListQuery,
): Promise<FlavorRow[]> {
  let query = deps.db.selectFrom('flavor').selectAll().where(visible(caller))
  if (q.minRam !== undefined) query = query.where('memory_mb', '>=', q.minRam)
  if (q.minDisk !== undefined) query = query.where('root_gb', '>=', q.minDisk)
  if (q.hideDisabled) query = query.where('disabled', '=', 0)
  if (q.isPublic === false) query = query.where('is_public', '=', 0)
  if (q.isPublic === true && caller.isAdmin) {
    // Admins asking for public flavors also get the private ones shared with their project.
    query = query.where((eb) =>
      eb.or([
        eb('is_public', '=', 1),
        eb(
          'id',
          'in',
          eb
            .selectFrom('flavor_project')
            .select('flavor_id')
            .where('project_id', '=', caller.projectId),
        ),
      ]),
    )
  }
  const cmp = comparator(q.sortKey, q.sortDir)
  let rows = (await query.execute()).sort(cmp)
  if (q.marker !== undefined) {
    const marker = await deps.db
      .selectFrom('flavor')
      .selectAll()
      .where('id', '=', q.marker)
      .where(visible(caller))
      .executeTakeFirst()
    if (!marker) throw computeErrors.badRequest(`marker [${q.marker}] not found`)
    rows = rows.filter((r) => cmp(r, marker) > 0)
  }
  return rows.slice(0, q.limit)
}

export interface NewFlavor {
  name: string
  id: string | undefined
  ram: number
  vcpus: number
  disk: number
  ephemeral: number
  swap: number
  rxtxFactor: number
  isPublic: boolean
  description: string | null
}

/** Creates a flavor (id: a new UUID when none is given); 409 on a taken id or name. */
export async function createFlavor(deps: Pick<ComputeDeps, 'db' | 'clock'>, input: NewFlavor) {
  const id = input.id ?? randomUUID()
  const name = input.name.trim()
  const taken = async () => {
    const sameId = await deps.db
      .selectFrom('flavor')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst()
    if (sameId) return computeErrors.conflict(`Flavor with ID ${id} already exists.`)
    const sameName = await deps.db
      .selectFrom('flavor')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst()
    return sameName ? computeErrors.conflict(`Flavor with name ${name} already exists.`) : undefined
  }
  const conflict = await taken()
  if (conflict) throw conflict
  const row: FlavorRow = {
    id,
    name,
    memory_mb: input.ram,
    vcpus: input.vcpus,
    root_gb: input.disk,
    ephemeral_gb: input.ephemeral,
    swap: input.swap,
    rxtx_factor: input.rxtxFactor,
    is_public: toFlag(input.isPublic),
    disabled: 0,
    description: input.description,
    created_at: deps.clock.now().toISOString(),
  }
  try {
    await deps.db.insertInto('flavor').values(row).execute()
  } catch (err) {
    // A concurrent create won the race: report it as Nova would.
    if (isUniqueViolation(err)) throw (await taken()) ?? err
    throw err
  }
  return row
}

export async function updateFlavorDescription(
  deps: Pick<ComputeDeps, 'db'>,
  caller: Caller,
  id: string,
  description: string | null,
): Promise<FlavorRow> {
  const row = await getFlavor(deps, caller, id)
  await deps.db.updateTable('flavor').set({ description }).where('id', '=', id).execute()
  return { ...row, description }
}

/** Hard-deletes a flavor with its extra specs and access list; 404 when absent. */
export async function deleteFlavor(deps: Pick<ComputeDeps, 'db'>, id: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom('flavor').where('id', '=', id).executeTakeFirst()
    if (Number(deleted.numDeletedRows) === 0) throw computeErrors.flavorNotFound(id)
    await trx.deleteFrom('flavor_extra_spec').where('flavor_id', '=', id).execute()
    await trx.deleteFrom('flavor_project').where('flavor_id', '=', id).execute()
  })
}
