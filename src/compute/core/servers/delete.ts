/**
 * @module Server delete: a server on a host is handed to its agent (task_state deleting), which
 * destroys the guest, gives its ports back and tells the conductor to mark the server deleted
 * and free its claim; a server that never reached a host is deleted here at once (with any
 * port it still has). Quota frees with the row.
 */
import { rpcClient } from '../../../lib/rpc/define-rpc.js'
import { computeAgentRpc } from '../../agent/rpc.js'
import { schedulerRpc } from '../../scheduler/rpc.js'
import type { Caller, ComputeDeps } from '../deps.js'
import { startAction } from '../instance-actions.js'
import { notifyInstance } from '../notifications.js'
import { checkLock, checkState } from './guards.js'
import { networkInfoOf, preservedPortIds, saveNetworkInfo } from './network-info.js'
import type { InstanceRow } from './records.js'
import { systemMetadata } from './system-metadata.js'

/** A shelved server's snapshot goes with it (Nova deletes it in the API). */
async function dropShelvedImage(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
): Promise<void> {
  if (row.vm_state !== 'shelved' && row.vm_state !== 'shelved_offloaded') return
  const imageId = (await systemMetadata(deps.db, row.id)).shelved_image_id
  if (imageId !== undefined) await deps.images.deleteImage(caller, imageId).catch(() => undefined)
}

/** Nova's _local_delete gives back whatever ports the server still has (none, usually). */
async function deallocateLocally(
  deps: ComputeDeps,
  caller: Caller,
  instanceId: string,
): Promise<void> {
  if (!deps.network) return
  const cached = await networkInfoOf(deps.db, instanceId)
  await deps.network
    .deallocateForInstance({ ...caller, isAdmin: true }, instanceId, preservedPortIds(cached))
    .catch((err: unknown) => deps.log.warn({ err, instanceId }, 'ports not given back'))
  if (cached.length > 0)
    await saveNetworkInfo(deps.db, instanceId, [], deps.clock.now().toISOString())
}

export async function deleteServer(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  options: { force: boolean },
): Promise<void> {
  checkLock(caller, row)
  if (options.force) checkState(row, 'forceDelete', { task: [null], mustHaveLaunched: false })
  const now = deps.clock.now().toISOString()
  await startAction(deps, caller, row.id, 'delete')
  notifyInstance(deps, 'instance.delete.start', row.id)
  const update = await deps.db
    .updateTable('instance')
    .set({ task_state: 'deleting', updated_at: now })
    .where('id', '=', row.id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (Number(update.numUpdatedRows) === 0) return
  await dropShelvedImage(deps, caller, row)
  // Re-read: the conductor may have placed it on a host since the caller loaded it.
  const current = await deps.db
    .selectFrom('instance')
    .select(['host'])
    .where('id', '=', row.id)
    .executeTakeFirst()
  if (current?.host) {
    await rpcClient(deps.bus, computeAgentRpc, { server: current.host }).terminateInstance({
      instanceId: row.id,
      requestId: caller.requestId,
    })
    return
  }
  await deallocateLocally(deps, caller, row.id)
  await deps.db
    .updateTable('instance')
    .set({
      vm_state: 'deleted',
      task_state: null,
      power_state: 0,
      deleted_at: now,
      terminated_at: now,
      updated_at: now,
    })
    .where('id', '=', row.id)
    .where('host', 'is', null)
    .execute()
  await deps.db.deleteFrom('server_group_member').where('instance_id', '=', row.id).execute()
  await rpcClient(deps.bus, schedulerRpc).releaseClaim({ instanceId: row.id })
  notifyInstance(deps, 'instance.delete.end', row.id)
}
