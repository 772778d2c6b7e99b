/**
 * @module Nova's decorators on compute API actions: check_instance_lock, check_instance_state
 * (allowed vm_states and task_states, launched or not) and check_instance_host, with Nova's
 * 409 messages.
 */
import { computeErrors } from '../../errors.js'
import type { Caller } from '../deps.js'
import type { InstanceRow } from './records.js'

/**
 * Nova's check_instance_lock. A few handlers (changePassword, restore) catch the lock error
 * as a generic invalid state: pass their action name to word it so.
 */
export function checkLock(caller: Caller, row: InstanceRow, wordedAs?: string): void {
  if (row.locked !== 1 || caller.isAdmin) return
  if (wordedAs === undefined) throw computeErrors.locked(row.id)
  throw computeErrors.conflict(`Instance ${row.id} is in an invalid state for '${wordedAs}'`)
}

export interface StateRule {
  /** Allowed vm_states (undefined: any). */
  vm?: readonly string[]
  /** Allowed task_states (undefined: only none; 'any': any). */
  task?: readonly (string | null)[] | 'any'
  mustHaveLaunched?: boolean
}

export function checkState(row: InstanceRow, action: string, rule: StateRule): void {
  if (rule.vm && !rule.vm.includes(row.vm_state))
    throw computeErrors.invalidState(action, row.id, 'vm_state', row.vm_state)
  const task = rule.task ?? [null]
  if (task !== 'any' && !task.includes(row.task_state))
    throw computeErrors.invalidState(action, row.id, 'task_state', row.task_state)
  if ((rule.mustHaveLaunched ?? true) && row.launched_at === null)
    throw computeErrors.invalidState(action, row.id, 'launched_at', null)
}

export function checkHost(row: InstanceRow): string {
  if (!row.host) throw computeErrors.conflict(`Instance ${row.id} is not ready`)
  return row.host
}
