/**
 * @module Migration records (resize, cold/live migration, evacuation) and the claims that move
 * with them: while a server moves, what it held on its source node belongs to the migration
 * (placement's migration consumer), and the server's own claim is the destination's.
 */
import type { Selectable } from 'kysely'
import { ensureSequence, nextValue } from '../../../lib/db/sequence.js'
import { uuid } from '../../../lib/ids/ids.js'
import type { ComputeTables, MigrationTable } from '../../db/tables.js'
import type { ComputeDeps } from '../deps.js'

export type MigrationRow = Selectable<MigrationTable>
export type MigrationType = 'migration' | 'resize' | 'live-migration' | 'evacuation'

export async function createMigration(
  deps: Pick<ComputeDeps, 'db' | 'clock'>,
  m: {
    instanceId: string
    type: MigrationType
    status: string
    sourceCompute: string | null
    sourceNode: string | null
    destCompute?: string | null
    oldFlavorId: string | null
    newFlavorId: string | null
    projectId: string
    userId: string
  },
): Promise<MigrationRow> {
  const now = deps.clock.now().toISOString()
  await ensureSequence(deps.db, 'migration')
  return deps.db.transaction().execute(async (trx) => {
    const row: MigrationRow = {
      id: await nextValue<ComputeTables>(trx, 'migration'),
      uuid: uuid(),
      instance_uuid: m.instanceId,
      source_compute: m.sourceCompute,
      dest_compute: m.destCompute ?? null,
      source_node: m.sourceNode,
      dest_node: null,
      dest_host: null,
      status: m.status,
      migration_type: m.type,
      old_flavor_id: m.oldFlavorId,
      new_flavor_id: m.newFlavorId,
      project_id: m.projectId,
      user_id: m.userId,
      created_at: now,
      updated_at: now,
    }
    await trx.insertInto('migration').values(row).execute()
    return row
  })
}

export async function setMigration(
  deps: Pick<ComputeDeps, 'db' | 'clock'>,
  id: number,
  set: Partial<Omit<MigrationRow, 'id' | 'uuid'>>,
  onlyIfStatus?: string,
): Promise<boolean> {
  let q = deps.db
    .updateTable('migration')
    .set({ ...set, updated_at: deps.clock.now().toISOString() })
    .where('id', '=', id)
  if (onlyIfStatus !== undefined) q = q.where('status', '=', onlyIfStatus)
  const res = await q.executeTakeFirst()
  return Number(res.numUpdatedRows) === 1
}

export async function findMigration(
  deps: Pick<ComputeDeps, 'db'>,
  instanceId: string,
  status: string,
): Promise<MigrationRow | undefined> {
  return deps.db
    .selectFrom('migration')
    .selectAll()
    .where('instance_uuid', '=', instanceId)
    .where('status', '=', status)
    .orderBy('id', 'desc')
    .executeTakeFirst()
}

/** Hands every allocation of one consumer to another (server <-> migration). */
export async function moveAllocations(
  deps: Pick<ComputeDeps, 'db'>,
  from: string,
  to: string,
): Promise<void> {
  await deps.db
    .updateTable('allocation')
    .set({ instance_id: to })
    .where('instance_id', '=', from)
    .execute()
}
