/**
 * @module A counter that changes whenever the scheduler's view of the fleet changes behind its
 * back (aggregates, their hosts and metadata, a service enabled, disabled, forced down or
 * deleted). Schedulers read it before each decision and reload their host cache when it moved,
 * so an API change is seen by the very next decision, in this process or any other.
 */
import { type Kysely, sql } from 'kysely'
import { ensureSequence } from '../../lib/db/sequence.js'
import type { ComputeTables } from '../db/tables.js'

const NAME = 'fleet_generation'

/** Call after the change committed (a scheduler reading the new value must see the change). */
export async function noteFleetChange(db: Kysely<ComputeTables>): Promise<void> {
  await ensureSequence(db, NAME)
  await db
    .updateTable('sequence')
    .set({ value: sql<number>`value + 1` })
    .where('name', '=', NAME)
    .execute()
}

/** The current generation (0 before the first change). */
export async function fleetGeneration(db: Kysely<ComputeTables>): Promise<number> {
  const row = await db
    .selectFrom('sequence')
    .select('value')
    .where('name', '=', NAME)
    .executeTakeFirst()
  return row === undefined ? 0 : row.value
}
