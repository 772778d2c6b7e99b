/**
 * @module Host aggregates (Nova's AggregateAPI): named groups of compute hosts with metadata. The
 * `availability_zone` metadata key makes the aggregate an availability zone, so Nova's rules
 * apply: a host cannot sit in two zones, a zone cannot be emptied of its name, and a zone holding
 * servers cannot be renamed. Every change bumps the fleet generation so schedulers reload.
 */
import type { Selectable, Transaction } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import { ensureSequence, nextValue } from '../../lib/db/sequence.js'
import { uuid } from '../../lib/ids/ids.js'
import type { AggregateTable, ComputeTables } from '../db/tables.js'
import { computeErrors } from '../errors.js'
import type { ComputeDeps } from './deps.js'
import { noteFleetChange } from './fleet-generation.js'
import { findComputeService } from './services.js'

export interface Aggregate extends Selectable<AggregateTable> {
  hosts: string[]
  metadata: Record<string, string>
}

type Db = Pick<ComputeDeps, 'db'>['db'] | Transaction<ComputeTables>
type Deps = Pick<ComputeDeps, 'db' | 'clock'>

const AZ_KEY = 'availability_zone'

function notFound(id: number | string) {
  return computeErrors.notFound(`Aggregate ${String(id)} could not be found.`)
}

/** Python's repr of a list of strings, as Nova quotes conflicting zones. */
function pyList(items: readonly string[]): string {
  return `[${items.map((i) => `'${i}'`).join(', ')}]`
}

type Action = 'add' | 'update' | 'update_meta' | 'delete'

/** Nova's InvalidAggregateAction* wording per action. */
function invalidAction(action: Action, id: number, reason: string) {
  const message = {
    add: `Cannot add host to aggregate ${String(id)}. Reason: ${reason}.`,
    update: `Cannot update aggregate ${String(id)}. Reason: ${reason}.`,
    update_meta: `Cannot update metadata of aggregate ${String(id)}. Reason: ${reason}.`,
    delete: `Cannot remove host from aggregate ${String(id)}. Reason: ${reason}.`,
  }[action]
  // Adding a host answers 409 in Nova; the other actions 400.
  return action === 'add' ? computeErrors.conflict(message) : computeErrors.badRequest(message)
}

async function hydrate(db: Db, rows: Selectable<AggregateTable>[]): Promise<Aggregate[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const [hosts, metadata] = await Promise.all([
    db
      .selectFrom('aggregate_host')
      .selectAll()
      .where('aggregate_id', 'in', ids)
      .orderBy('host')
      .execute(),
    db.selectFrom('aggregate_metadata').selectAll().where('aggregate_id', 'in', ids).execute(),
  ])
  return rows.map((r) => ({
    ...r,
    hosts: hosts.filter((h) => h.aggregate_id === r.id).map((h) => h.host),
    metadata: Object.fromEntries(
      metadata.filter((m) => m.aggregate_id === r.id).map((m) => [m.key, m.value]),
    ),
  }))
}

export async function listAggregates(deps: Pick<ComputeDeps, 'db'>): Promise<Aggregate[]> {
  return hydrate(deps.db, await deps.db.selectFrom('aggregate').selectAll().orderBy('id').execute())
}

export async function getAggregate(db: Db, id: number): Promise<Aggregate> {
  const row = await db.selectFrom('aggregate').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound(id)
  const [aggregate] = await hydrate(db, [row])
  if (!aggregate) throw notFound(id)
  return aggregate
}

/**
 * Nova's is_safe_to_update_az: a zone must have a name, the hosts concerned must not be in
 * another zone, and (when asked) a zone holding servers keeps its name.
 */
async function assertSafeZoneChange(
  trx: Db,
  aggregate: Aggregate,
  metadata: Readonly<Record<string, string | null>>,
  options: { action: Action; hosts?: readonly string[]; checkInstances?: boolean },
): Promise<void> {
  if (!(AZ_KEY in metadata)) return
  const zone = metadata[AZ_KEY]
  if (zone === null || zone === '')
    throw invalidAction(
      options.action,
      aggregate.id,
      `Aggregate ${aggregate.name} does not support empty named availability zone`,
    )
  const hosts = options.hosts ?? aggregate.hosts
  if (hosts.length > 0) {
    const others = await trx
      .selectFrom('aggregate_host')
      .innerJoin(
        'aggregate_metadata',
        'aggregate_metadata.aggregate_id',
        'aggregate_host.aggregate_id',
      )
      .select(['aggregate_host.aggregate_id', 'aggregate_metadata.value'])
      .distinct()
      .where('aggregate_host.host', 'in', [...hosts])
      .where('aggregate_metadata.key', '=', AZ_KEY)
      .where('aggregate_host.aggregate_id', '!=', aggregate.id)
      .orderBy('aggregate_host.aggregate_id')
      .execute()
    const conflicting = others.map((o) => o.value).filter((v) => v !== zone)
    if (conflicting.length > 0)
      throw invalidAction(
        options.action,
        aggregate.id,
        `One or more hosts already in availability zone(s) ${pyList(conflicting)}`,
      )
  }
  if (options.checkInstances === true && aggregate.metadata[AZ_KEY] !== zone && hosts.length > 0) {
    const busy = await trx
      .selectFrom('instance')
      .select('id')
      .where('host', 'in', [...hosts])
      .where('deleted_at', 'is', null)
      .executeTakeFirst()
    if (busy)
      throw invalidAction(
        options.action,
        aggregate.id,
        'One or more hosts contain instances in this zone',
      )
  }
}

/** Applies a metadata update: null deletes a key (missing keys are fine). */
async function writeMetadata(
  trx: Transaction<ComputeTables>,
  id: number,
  metadata: Readonly<Record<string, string | null>>,
): Promise<void> {
  for (const [key, value] of Object.entries(metadata)) {
    await trx
      .deleteFrom('aggregate_metadata')
      .where('aggregate_id', '=', id)
      .where('key', '=', key)
      .execute()
    if (value !== null)
      await trx.insertInto('aggregate_metadata').values({ aggregate_id: id, key, value }).execute()
  }
}

function nameExists(name: string) {
  return computeErrors.conflict(`Aggregate ${name} already exists.`)
}

export async function createAggregate(
  deps: Deps,
  name: string,
  zone: string | null | undefined,
): Promise<Aggregate> {
  await ensureSequence(deps.db, 'aggregate')
  let id: number
  try {
    id = await deps.db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom('aggregate')
        .select('id')
        .where('name', '=', name)
        .executeTakeFirst()
      if (taken) throw nameExists(name)
      const next = await nextValue<ComputeTables>(trx, 'aggregate')
      await trx
        .insertInto('aggregate')
        .values({
          id: next,
          uuid: uuid(),
          name,
          created_at: deps.clock.now().toISOString(),
          updated_at: null,
        })
        .execute()
      if (zone !== null && zone !== undefined && zone !== '')
        await writeMetadata(trx, next, { [AZ_KEY]: zone })
      return next
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw nameExists(name)
    throw err
  }
  await noteFleetChange(deps.db)
  return getAggregate(deps.db, id)
}

/** PUT: a new name and/or zone (the zone follows set_metadata's rules). */
export async function updateAggregate(
  deps: Deps,
  id: number,
  changes: { name?: string; availability_zone?: string | null },
): Promise<Aggregate> {
  const now = deps.clock.now().toISOString()
  try {
    await deps.db.transaction().execute(async (trx) => {
      const aggregate = await getAggregate(trx, id)
      if (changes.name !== undefined && changes.name !== aggregate.name) {
        const taken = await trx
          .selectFrom('aggregate')
          .select('id')
          .where('name', '=', changes.name)
          .executeTakeFirst()
        if (taken) throw nameExists(changes.name)
      }
      const zone =
        'availability_zone' in changes ? { [AZ_KEY]: changes.availability_zone ?? null } : {}
      await assertSafeZoneChange(trx, aggregate, zone, { action: 'update', checkInstances: true })
      await trx
        .updateTable('aggregate')
        .set({ name: changes.name ?? aggregate.name, updated_at: now })
        .where('id', '=', id)
        .execute()
      await writeMetadata(trx, id, zone)
    })
  } catch (err) {
    if (isUniqueViolation(err) && changes.name !== undefined) throw nameExists(changes.name)
    throw err
  }
  await noteFleetChange(deps.db)
  return getAggregate(deps.db, id)
}

export async function setAggregateMetadata(
  deps: Deps,
  id: number,
  metadata: Readonly<Record<string, string | null>>,
): Promise<Aggregate> {
  await deps.db.transaction().execute(async (trx) => {
    const aggregate = await getAggregate(trx, id)
    await assertSafeZoneChange(trx, aggregate, metadata, {
      action: 'update_meta',
      checkInstances: true,
    })
    await writeMetadata(trx, id, metadata)
    await trx
      .updateTable('aggregate')
      .set({ updated_at: deps.clock.now().toISOString() })
      .where('id', '=', id)
      .execute()
  })
  await noteFleetChange(deps.db)
  return getAggregate(deps.db, id)
}

export async function deleteAggregate(deps: Deps, id: number): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const aggregate = await getAggregate(trx, id)
    if (aggregate.hosts.length > 0) throw invalidAction('delete', id, 'Host aggregate is not empty')
    await trx.deleteFrom('aggregate_metadata').where('aggregate_id', '=', id).execute()
    await trx.deleteFrom('aggregate').where('id', '=', id).execute()
  })
  await noteFleetChange(deps.db)
}

export async function addAggregateHost(deps: Deps, id: number, host: string): Promise<Aggregate> {
  // Nova looks the host up first: an unknown host is 404 even for an unknown aggregate.
  const service = await findComputeService(deps, host)
  if (service?.host !== host)
    throw computeErrors.notFound(`Compute host ${host} could not be found.`)
  try {
    await deps.db.transaction().execute(async (trx) => {
      const aggregate = await getAggregate(trx, id)
      await assertSafeZoneChange(trx, aggregate, aggregate.metadata, {
        action: 'add',
        hosts: [host],
      })
      if (aggregate.hosts.includes(host)) throw hostExists(id, host)
      await trx.insertInto('aggregate_host').values({ aggregate_id: id, host }).execute()
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw hostExists(id, host)
    throw err
  }
  await noteFleetChange(deps.db)
  return getAggregate(deps.db, id)
}

function hostExists(id: number, host: string) {
  return computeErrors.conflict(`Aggregate ${String(id)} already has host ${host}.`)
}

export async function removeAggregateHost(
  deps: Deps,
  id: number,
  host: string,
): Promise<Aggregate> {
  // Nova answers one message for an unknown host, aggregate or membership.
  const missing = computeErrors.notFound(`Cannot remove host ${host} in aggregate ${String(id)}`)
  if (!(await findComputeService(deps, host))) throw missing
  const removed = await deps.db.transaction().execute(async (trx) => {
    const found = await trx
      .selectFrom('aggregate')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst()
    if (!found) return false
    const res = await trx
      .deleteFrom('aggregate_host')
      .where('aggregate_id', '=', id)
      .where('host', '=', host)
      .executeTakeFirst()
    return Number(res.numDeletedRows) > 0
  })
  if (!removed) throw missing
  await noteFleetChange(deps.db)
  return getAggregate(deps.db, id)
}

/** Removes a host from every aggregate (its compute service is being deleted). */
export async function removeHostFromAllAggregates(
  deps: Pick<ComputeDeps, 'db'>,
  host: string,
): Promise<void> {
  await deps.db.deleteFrom('aggregate_host').where('host', '=', host).execute()
}
