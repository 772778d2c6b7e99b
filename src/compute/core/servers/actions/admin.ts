/**
 * @module Lock/unlock (owner vs admin locks, with the reason of 2.73), os-resetState, and the
 * deferred-delete pair: restore (only a soft-deleted server) and forceDelete.
 */
import type { Caller, ComputeDeps } from '../../deps.js'
import { recordActionEvent, startAction } from '../../instance-actions.js'
import { notifyInstance } from '../../notifications.js'
import { checkLock, checkState } from '../guards.js'
import type { InstanceRow } from '../records.js'

async function apiEvent(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  action: string,
  work: () => Promise<void>,
): Promise<void> {
  await startAction(deps, caller, row.id, action)
  const e = { instanceId: row.id, requestId: caller.requestId, event: `api_${action}`, host: null }
  await recordActionEvent(deps, { ...e, phase: 'start' })
  await work()
  await recordActionEvent(deps, { ...e, phase: 'finish', result: 'Success' })
  notifyInstance(deps, `instance.${action}`, row.id)
}

/** Who a lock by this caller is held by (Nova: 'owner' when the projects match). */
export function lockHolder(caller: Caller, row: InstanceRow): 'owner' | 'admin' {
  return row.project_id === caller.projectId ? 'owner' : 'admin'
}

/** Nova's is_expected_locked_by: false when someone else's kind of lock holds it. */
export function unlockAllowedWithout(caller: Caller, row: InstanceRow): boolean {
  return row.locked_by === null || row.locked_by === lockHolder(caller, row)
}

export async function lock(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  reason: string | undefined,
): Promise<void> {
  const holder = lockHolder(caller, row)
  if (row.locked === 1 && holder === 'owner') return
  await apiEvent(deps, caller, row, 'lock', async () => {
    await deps.db
      .updateTable('instance')
      .set({
        locked: 1,
        locked_by: holder,
        ...(reason === undefined ? {} : { locked_reason: reason }),
        updated_at: deps.clock.now().toISOString(),
      })
      .where('id', '=', row.id)
      .execute()
  })
}

export async function unlock(deps: ComputeDeps, caller: Caller, row: InstanceRow): Promise<void> {
  await apiEvent(deps, caller, row, 'unlock', async () => {
    await deps.db
      .updateTable('instance')
      .set({
        locked: 0,
        locked_by: null,
        locked_reason: null,
        updated_at: deps.clock.now().toISOString(),
      })
      .where('id', '=', row.id)
      .execute()
  })
}

export async function resetState(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  state: 'active' | 'error',
): Promise<void> {
  await startAction(deps, caller, row.id, 'resetState')
  const now = deps.clock.now().toISOString()
  await deps.db
    .updateTable('instance')
    .set({ vm_state: state, task_state: null, updated_at: now })
    .where('id', '=', row.id)
    .execute()
  await deps.db
    .updateTable('instance_action')
    .set({ finish_time: now, updated_at: now })
    .where('instance_id', '=', row.id)
    .where('request_id', '=', caller.requestId)
    .execute()
  notifyInstance(deps, 'instance.update', row.id)
}

/** Only a soft-deleted server comes back; with reclaim_instance_interval 0 there are none. */
export async function restore(deps: ComputeDeps, caller: Caller, row: InstanceRow): Promise<void> {
  checkLock(caller, row, 'restore')
  checkState(row, 'restore', { vm: ['soft-delete'] })
  await startAction(deps, caller, row.id, 'restore')
  await deps.db
    .updateTable('instance')
    .set({ vm_state: 'active', task_state: null, updated_at: deps.clock.now().toISOString() })
    .where('id', '=', row.id)
    .execute()
}
