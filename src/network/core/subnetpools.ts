/**
 * @module Subnet pools: seen by their project, admins, and everyone when shared; one default
 * pool per IP version; prefixes that only grow on update (add_prefixes / remove_prefixes edit
 * them in place); deletion refused while a subnet holds a prefix of the pool. Every change to
 * a pool takes its lock, the same lock a subnet allocation from it takes.
 */
import { type Kysely, type SelectQueryBuilder, sql, type Transaction } from 'kysely'
import type { DialectName } from '../../lib/db/open-database.js'
import { uuid } from '../../lib/ids/ids.js'
import { ensureSequence, nextValue } from '../../lib/db/sequence.js'
import type { NetworkTables, SubnetPoolRow } from '../db/tables.js'
import { networkErrors } from '../errors.js'
import { type Caller, type NetworkDeps, neutronTime } from './deps.js'
import { type Cidr, formatCidr, parseCidr } from './ip.js'
import { cidrsOf, difference, intersects, rangeOf } from './ip-set.js'
import { bumpRevision } from './networks.js'
import { withQuota } from './quotas.js'
import { subnetpoolErrors } from './subnetpool-errors.js'
import { grownPrefixes, type PoolShape, readPool } from './subnetpool-rules.js'
import { deleteTags, tagsOf } from './tags.js'

export type SubnetPoolItem = Record<string, unknown>

/** Serialises allocations from, and changes to, one pool. */
export const poolLock = (id: string) => `subnetpool:${id}`
/** Serialises the choice of a default pool (one per IP version). */
const DEFAULT_LOCK = 'subnetpool:default'

const bool = (v: number) => v === 1

export function canSeePool(caller: Caller, row: SubnetPoolRow): boolean {
  return caller.isAdmin || row.project_id === caller.projectId || row.shared === 1
}

/**
 * A read of the latest committed rows. MySQL's repeatable read otherwise answers from the
 * snapshot its transaction took at its first read, which may predate the lock just taken.
 */
export function latest<DB, TB extends keyof DB, O>(
  q: SelectQueryBuilder<DB, TB, O>,
  dialect: DialectName | undefined,
): SelectQueryBuilder<DB, TB, O> {
  return dialect === 'mysql' ? q.modifyEnd(sql`lock in share mode`) : q
}

/** Each pool's prefixes in address order. */
export async function prefixesOf(
  db: Kysely<NetworkTables>,
  ids: readonly string[],
  dialect?: DialectName,
): Promise<Map<string, Cidr[]>> {
  const out = new Map<string, Cidr[]>()
  if (ids.length === 0) return out
  const rows = await latest(
    db
      .selectFrom('subnetpool_prefix')
      .selectAll()
      .where('subnetpool_id', 'in', [...ids]),
    dialect,
  ).execute()
  for (const r of rows) {
    const cidr = parseCidr(r.cidr)
    if (cidr) out.set(r.subnetpool_id, [...(out.get(r.subnetpool_id) ?? []), cidr])
  }
  for (const list of out.values()) list.sort((a, b) => (a.network < b.network ? -1 : 1))
  return out
}

/**
 * Pools as Neutron shows them. Its reads give the prefix lengths as strings; its update answer
 * (built from the request, not read back) gives them as integers, hence `intBounds`.
 */
export async function subnetpoolItems(
  deps: Pick<NetworkDeps, 'db'>,
  rows: SubnetPoolRow[],
  opts: { intBounds?: boolean } = {},
): Promise<SubnetPoolItem[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const [prefixes, tags] = await Promise.all([
    prefixesOf(deps.db, ids),
    tagsOf(deps.db, 'subnetpools', ids),
  ])
  const len = (n: number) => (opts.intBounds ? n : String(n))
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    project_id: r.project_id,
    prefixes: (prefixes.get(r.id) ?? []).map(formatCidr),
    default_prefixlen: len(r.default_prefixlen),
    min_prefixlen: len(r.min_prefixlen),
    max_prefixlen: len(r.max_prefixlen),
    default_quota: r.default_quota,
    ip_version: r.ip_version,
    shared: bool(r.shared),
    is_default: bool(r.is_default),
    address_scope_id: r.address_scope_id,
    description: r.description,
    tags: tags.get(r.id) ?? [],
    created_at: r.created_at,
    updated_at: r.updated_at,
    revision_number: r.revision_number,
  }))
}

export async function listSubnetpools(
  deps: NetworkDeps,
  caller: Caller,
): Promise<SubnetPoolItem[]> {
  const rows = await deps.db
    .selectFrom('subnetpool')
    .selectAll()
    .$if(!caller.isAdmin, (q) =>
      q.where((eb) => eb.or([eb('project_id', '=', caller.projectId ?? ''), eb('shared', '=', 1)])),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return subnetpoolItems(deps, rows)
}

/** The row, if the caller may see it; else SubnetPoolNotFound. */
export async function findSubnetpool(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  id: string,
): Promise<SubnetPoolRow> {
  const row = await deps.db
    .selectFrom('subnetpool')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row || !canSeePool(caller, row)) throw networkErrors.notFound('subnetpool', id)
  return row
}

/** The default pool of an IP version that the caller sees (Neutron's get_default_subnetpool). */
export async function defaultSubnetpool(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  ipVersion: number,
): Promise<SubnetPoolRow | undefined> {
  const rows = await deps.db
    .selectFrom('subnetpool')
    .selectAll()
    .where('is_default', '=', 1)
    .where('ip_version', '=', ipVersion)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return rows.find((r) => canSeePool(caller, r))
}

export async function showSubnetpool(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
): Promise<SubnetPoolItem> {
  const [item] = await subnetpoolItems(deps, [await findSubnetpool(deps, caller, id)])
  return item as SubnetPoolItem
}

/** Only the owner (or an admin) changes a pool others merely see: PolicyNotAuthorized. */
function checkOwner(caller: Caller, row: SubnetPoolRow, action: string): void {
  if (!caller.isAdmin && row.project_id !== caller.projectId) throw networkErrors.policy(action)
}

/** Address scopes are not served: any scope named cannot exist. */
function checkAddressScope(attrs: Record<string, unknown>): void {
  const scope = attrs.address_scope_id
  if (typeof scope === 'string') throw subnetpoolErrors.addressScopeNotFound(scope)
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined)

/** Under the default lock: no other pool of the IP version may be the default. */
async function checkNoOtherDefault(
  trx: Transaction<NetworkTables>,
  ipVersion: number,
  id: string,
): Promise<void> {
  await nextValue<NetworkTables>(trx, DEFAULT_LOCK)
  const other = await trx
    .selectFrom('subnetpool')
    .select('id')
    .where('is_default', '=', 1)
    .where('ip_version', '=', ipVersion)
    .where('id', '!=', id)
    .executeTakeFirst()
  if (other) throw subnetpoolErrors.defaultExists()
}

async function writePrefixes(
  trx: Kysely<NetworkTables>,
  id: string,
  prefixes: readonly Cidr[],
): Promise<void> {
  await trx.deleteFrom('subnetpool_prefix').where('subnetpool_id', '=', id).execute()
  if (prefixes.length > 0)
    await trx
      .insertInto('subnetpool_prefix')
      .values(prefixes.map((c) => ({ subnetpool_id: id, cidr: formatCidr(c) })))
      .execute()
}

export async function createSubnetpool(
  deps: NetworkDeps,
  caller: Caller,
  attrs: Record<string, unknown>,
): Promise<SubnetPoolItem> {
  const shape = readPool({
    prefixes: attrs.prefixes as string[],
    minPrefixlen: num(attrs.min_prefixlen),
    maxPrefixlen: num(attrs.max_prefixlen),
    defaultPrefixlen: num(attrs.default_prefixlen),
  })
  checkAddressScope(attrs)
  const projectId = String(attrs.project_id)
  const id = uuid()
  const now = neutronTime(deps.clock)
  const isDefault = attrs.is_default === true
  if (isDefault) await ensureSequence(deps.db, DEFAULT_LOCK)
  await withQuota(deps, projectId, 'subnetpool', 1, async (trx) => {
    if (isDefault) await checkNoOtherDefault(trx, shape.ipVersion, id)
    await trx
      .insertInto('subnetpool')
      .values({
        id,
        project_id: projectId,
        name: String(attrs.name),
        ip_version: shape.ipVersion,
        default_prefixlen: shape.defaultPrefixlen,
        min_prefixlen: shape.minPrefixlen,
        max_prefixlen: shape.maxPrefixlen,
        shared: attrs.shared === true ? 1 : 0,
        is_default: isDefault ? 1 : 0,
        default_quota: num(attrs.default_quota) ?? null,
        address_scope_id: null,
        description: typeof attrs.description === 'string' ? attrs.description : '',
        created_at: now,
        updated_at: now,
        revision_number: 0,
      })
      .execute()
    await writePrefixes(trx, id, shape.prefixes)
  })
  deps.notifier.notify('subnetpool.create.end', { subnetpool: { id, project_id: projectId } })
  return showSubnetpool(deps, { ...caller, isAdmin: true }, id)
}

/**
 * Runs `work` under the pool's lock with the pool as it is now (gone: SubnetPoolNotFound), so
 * that a change and a subnet allocation from the pool never interleave.
 */
export async function withPoolLocked<T>(
  deps: Pick<NetworkDeps, 'db'>,
  id: string,
  work: (trx: Transaction<NetworkTables>, row: SubnetPoolRow, prefixes: Cidr[]) => Promise<T>,
): Promise<T> {
  await ensureSequence(deps.db, poolLock(id))
  return deps.db.transaction().execute(async (trx) => {
    const { row, prefixes } = await lockPool(trx, id)
    return work(trx, row, prefixes)
  })
}

/** Inside a transaction: takes the pool's lock and reads the pool as it is now. */
export async function lockPool(
  trx: Transaction<NetworkTables>,
  id: string,
  dialect?: DialectName,
): Promise<{ row: SubnetPoolRow; prefixes: Cidr[] }> {
  await nextValue<NetworkTables>(trx, poolLock(id))
  const row = await latest(
    trx.selectFrom('subnetpool').selectAll().where('id', '=', id),
    dialect,
  ).executeTakeFirst()
  if (!row) throw networkErrors.notFound('subnetpool', id)
  const prefixes = (await prefixesOf(trx, [id], dialect)).get(id) ?? []
  return { row, prefixes }
}

export async function updateSubnetpool(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  attrs: Record<string, unknown>,
): Promise<SubnetPoolItem> {
  checkOwner(caller, await findSubnetpool(deps, caller, id), 'update_subnetpool')
  checkAddressScope(attrs)
  if (attrs.is_default === true) await ensureSequence(deps.db, DEFAULT_LOCK)
  await withPoolLocked(deps, id, async (trx, row, current) => {
    const wanted = attrs.prefixes as string[] | undefined
    const shape: PoolShape = readPool({
      prefixes: wanted ? grownPrefixes(current, wanted) : current.map(formatCidr),
      minPrefixlen: num(attrs.min_prefixlen) ?? row.min_prefixlen,
      maxPrefixlen: num(attrs.max_prefixlen) ?? row.max_prefixlen,
      defaultPrefixlen: num(attrs.default_prefixlen) ?? row.default_prefixlen,
    })
    if (attrs.is_default === true && row.is_default !== 1)
      await checkNoOtherDefault(trx, row.ip_version, id)
    const set: Partial<SubnetPoolRow> = {
      min_prefixlen: shape.minPrefixlen,
      max_prefixlen: shape.maxPrefixlen,
      default_prefixlen: shape.defaultPrefixlen,
    }
    if (typeof attrs.name === 'string') set.name = attrs.name
    if (typeof attrs.description === 'string') set.description = attrs.description
    if (typeof attrs.is_default === 'boolean') set.is_default = attrs.is_default ? 1 : 0
    if ('default_quota' in attrs) set.default_quota = num(attrs.default_quota) ?? null
    if (wanted) await writePrefixes(trx, id, shape.prefixes)
    await bumpRevision({ db: trx, clock: deps.clock }, 'subnetpool', id, set)
  })
  deps.notifier.notify('subnetpool.update.end', { subnetpool: { id } })
  const row = await findSubnetpool(deps, { ...caller, isAdmin: true }, id)
  const [item] = await subnetpoolItems(deps, [row], { intBounds: true })
  return item as SubnetPoolItem
}

export async function deleteSubnetpool(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
): Promise<void> {
  checkOwner(caller, await findSubnetpool(deps, caller, id), 'delete_subnetpool')
  await withPoolLocked(deps, id, async (trx) => {
    const used = await trx
      .selectFrom('subnet')
      .select('id')
      .where('subnetpool_id', '=', id)
      .executeTakeFirst()
    if (used) throw subnetpoolErrors.inUse()
    await trx.deleteFrom('subnetpool_prefix').where('subnetpool_id', '=', id).execute()
    await deleteTags(trx, 'subnetpools', id)
    await trx.deleteFrom('subnetpool').where('id', '=', id).execute()
  })
  deps.notifier.notify('subnetpool.delete.end', { subnetpool_id: id })
}

/** The CIDRs of the pool's subnets (of one project). */
export async function allocatedCidrs(
  db: Kysely<NetworkTables>,
  poolId: string,
  opts: { projectId?: string; dialect?: DialectName } = {},
): Promise<Cidr[]> {
  const { projectId, dialect } = opts
  const rows = await latest(
    db
      .selectFrom('subnet')
      .select('cidr')
      .where('subnetpool_id', '=', poolId)
      .$if(projectId !== undefined, (q) => q.where('project_id', '=', projectId ?? '')),
    dialect,
  ).execute()
  return rows.map((r) => parseCidr(r.cidr)).filter((c): c is Cidr => c !== undefined)
}

/** add_prefixes: the pool grows by `prefixes` (compacted); answers the new prefix list. */
export async function addPrefixes(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  prefixes: readonly string[],
): Promise<string[]> {
  checkOwner(caller, await findSubnetpool(deps, caller, id), 'add_prefixes')
  const out = await withPoolLocked(deps, id, async (trx, row, current) => {
    const shape = readPool({
      prefixes: [...current.map(formatCidr), ...prefixes],
      minPrefixlen: row.min_prefixlen,
      maxPrefixlen: row.max_prefixlen,
      defaultPrefixlen: row.default_prefixlen,
    })
    await writePrefixes(trx, id, shape.prefixes)
    await bumpRevision({ db: trx, clock: deps.clock }, 'subnetpool', id, {})
    return shape.prefixes
  })
  return out.map(formatCidr)
}

/**
 * remove_prefixes: the pool shrinks by `prefixes`, unless a subnet of the pool lies in what
 * goes (IllegalSubnetPoolPrefixUpdate); prefixes not in the pool change nothing.
 */
export async function removePrefixes(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  prefixes: readonly string[],
): Promise<string[]> {
  checkOwner(caller, await findSubnetpool(deps, caller, id), 'remove_prefixes')
  const out = await withPoolLocked(deps, id, async (trx, row, current) => {
    const version = row.ip_version === 6 ? 6 : 4
    const removed = prefixes
      .map((p) => parseCidr(p))
      .filter((c): c is Cidr => c?.version === version)
      .map(rangeOf)
    const all = current.map(rangeOf)
    if (!intersects(all, removed)) return current
    const allocated = (await allocatedCidrs(trx, id)).map(rangeOf)
    if (intersects(allocated, removed))
      throw subnetpoolErrors.illegalPrefixUpdate(
        'One or more the prefixes to be removed is in use by a subnet.',
      )
    const left = cidrsOf(version, difference(all, removed))
    await writePrefixes(trx, id, left)
    await bumpRevision({ db: trx, clock: deps.clock }, 'subnetpool', id, {})
    return left
  })
  return out.map(formatCidr)
}
