/**
 * @module Claims: what a server holds on a node, recorded as an allocation and added to the
 * node's usage by one conditional UPDATE that only succeeds while the node still has room
 * (after allocation ratios). Two schedulers racing for the last room on a node cannot both win.
 */
import { sql } from 'kysely'
import type { ComputeDeps } from '../core/deps.js'

export interface Claim {
  instanceId: string
  nodeId: string
  vcpus: number
  memoryMb: number
  diskGb: number
  /**
   * The overcommit ratios the scheduler decided with (aggregates may lower the node's own);
   * the node's columns when absent.
   */
  ratios?: { cpu: number; ram: number; disk: number }
}

/** `column * ratio`, or the node's own ratio column (`* 1.0` keeps PostgreSQL from typing the parameter integer). */
function capacity(column: string, ratioColumn: string, ratio: number | undefined) {
  return ratio === undefined
    ? sql`${sql.ref(column)} * ${sql.ref(ratioColumn)}`
    : sql`${sql.ref(column)} * 1.0 * ${ratio}`
}

/** True when the node had room and the claim is recorded. */
export async function claimResources(deps: ComputeDeps, c: Claim): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('compute_node')
      .set({
        vcpus_used: sql`vcpus_used + ${c.vcpus}`,
        memory_mb_used: sql`memory_mb_used + ${c.memoryMb}`,
        local_gb_used: sql`local_gb_used + ${c.diskGb}`,
        running_vms: sql`running_vms + 1`,
        updated_at: deps.clock.now().toISOString(),
      })
      .where('id', '=', c.nodeId)
      .where(
        sql<boolean>`memory_mb_used + reserved_memory_mb + ${c.memoryMb} <= ${capacity('memory_mb', 'ram_allocation_ratio', c.ratios?.ram)}`,
      )
      .where(
        sql<boolean>`vcpus_used + ${c.vcpus} <= ${capacity('vcpus', 'cpu_allocation_ratio', c.ratios?.cpu)}`,
      )
      // Reserved disk is in MB: compare in MB so integer division cannot round it away.
      .where(
        sql<boolean>`(local_gb_used + ${c.diskGb}) * 1024 + reserved_disk_mb <= ${capacity('local_gb', 'disk_allocation_ratio', c.ratios?.disk)} * 1024`,
      )
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) !== 1) return false
    await trx
      .insertInto('allocation')
      .values({
        instance_id: c.instanceId,
        node_id: c.nodeId,
        vcpus: c.vcpus,
        memory_mb: c.memoryMb,
        disk_gb: c.diskGb,
      })
      .execute()
    return true
  })
}

/** Gives back everything a server holds. Idempotent. */
export async function releaseResources(deps: ComputeDeps, instanceId: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const held = await trx
      .selectFrom('allocation')
      .selectAll()
      .where('instance_id', '=', instanceId)
      .execute()
    for (const a of held) {
      await trx
        .updateTable('compute_node')
        .set({
          vcpus_used: sql`vcpus_used - ${a.vcpus}`,
          memory_mb_used: sql`memory_mb_used - ${a.memory_mb}`,
          local_gb_used: sql`local_gb_used - ${a.disk_gb}`,
          running_vms: sql`running_vms - 1`,
          updated_at: deps.clock.now().toISOString(),
        })
        .where('id', '=', a.node_id)
        .execute()
    }
    await trx.deleteFrom('allocation').where('instance_id', '=', instanceId).execute()
  })
}
