/**
 * @module Power actions (reboot, stop/start, pause, suspend, rescue, password, crash dump):
 * Nova's lock and state rules, then the host's agent does the work.
 */
import { computeErrors } from '../../../errors.js'
import type { Caller, ComputeDeps } from '../../deps.js'
import { checkHost, checkLock, checkState, type StateRule } from '../guards.js'
import { generatePassword } from '../names.js'
import type { InstanceRow } from '../records.js'
import { runOnHost } from './cast.js'

const ALLOW_HARD_REBOOT_TASKS = [
  null,
  'rebooting',
  'reboot_pending',
  'reboot_started',
  'resuming',
  'rebooting_hard',
  'unpausing',
  'pausing',
  'suspending',
]

export async function reboot(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  kind: 'SOFT' | 'HARD',
): Promise<void> {
  checkLock(caller, row)
  const hard = kind === 'HARD'
  const rule: StateRule = hard
    ? { vm: ['active', 'stopped', 'paused', 'suspended', 'error'], task: ALLOW_HARD_REBOOT_TASKS }
    : { vm: ['active'] }
  checkState(row, 'reboot', rule)
  await runOnHost(deps, caller, row, {
    name: 'reboot',
    taskState: hard ? 'rebooting_hard' : 'rebooting',
    ...(hard ? { from: ALLOW_HARD_REBOOT_TASKS } : {}),
    action: 'reboot',
    agentAction: hard ? 'reboot_hard' : 'reboot',
  })
}

interface SimpleAction {
  name: string
  rule: StateRule
  needsHost?: boolean
  taskState: string | null
  action: string
  agentAction: string
  set?: Partial<InstanceRow>
}

const SIMPLE: Record<string, SimpleAction> = {
  stop: {
    name: 'stop',
    rule: { vm: ['active', 'error'] },
    needsHost: true,
    taskState: 'powering-off',
    action: 'stop',
    agentAction: 'stop',
    set: { progress: 0 },
  },
  start: {
    name: 'start',
    rule: { vm: ['stopped'] },
    needsHost: true,
    taskState: 'powering-on',
    action: 'start',
    agentAction: 'start',
  },
  pause: {
    name: 'pause',
    rule: { vm: ['active'] },
    taskState: 'pausing',
    action: 'pause',
    agentAction: 'pause',
  },
  unpause: {
    name: 'unpause',
    rule: { vm: ['paused'] },
    taskState: 'unpausing',
    action: 'unpause',
    agentAction: 'unpause',
  },
  suspend: {
    name: 'suspend',
    rule: { vm: ['active'] },
    taskState: 'suspending',
    action: 'suspend',
    agentAction: 'suspend',
  },
  resume: {
    name: 'resume',
    rule: { vm: ['suspended'] },
    taskState: 'resuming',
    action: 'resume',
    agentAction: 'resume',
  },
  unrescue: {
    name: 'unrescue',
    rule: { vm: ['rescued'] },
    taskState: 'unrescuing',
    action: 'unrescue',
    agentAction: 'unrescue',
  },
  trigger_crash_dump: {
    name: 'trigger_crash_dump',
    rule: { vm: ['active', 'paused', 'rescued', 'resized', 'error'] },
    needsHost: true,
    taskState: null,
    action: 'trigger_crash_dump',
    agentAction: 'trigger_crash_dump',
  },
}

export async function simpleAction(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  name: string,
): Promise<void> {
  const a = SIMPLE[name]
  if (!a) throw new Error(`unknown power action ${name}`)
  checkLock(caller, row)
  if (a.needsHost) checkHost(row)
  checkState(row, a.name, a.rule)
  await runOnHost(deps, caller, row, {
    name: a.name,
    taskState: a.taskState,
    action: a.action,
    agentAction: a.agentAction,
    ...(a.set ? { set: a.set } : {}),
  })
}

/** Rescue: returns the password the rescue system boots with. */
export async function rescue(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  options: { password: string | undefined; rescueImageId: string | undefined },
): Promise<string> {
  const password = options.password ?? generatePassword()
  checkLock(caller, row)
  checkState(row, 'rescue', { vm: ['active', 'stopped', 'error'] })
  if (options.rescueImageId !== undefined) {
    const image = await deps.images.getImage(caller, options.rescueImageId)
    if (!image)
      throw computeErrors.badRequest(
        `Requested rescue image '${options.rescueImageId}' is not supported`,
      )
  }
  await runOnHost(deps, caller, row, {
    name: 'rescue',
    taskState: 'rescuing',
    action: 'rescue',
    agentAction: 'rescue',
    args: { password, ...(options.rescueImageId ? { rescueImageId: options.rescueImageId } : {}) },
  })
  return password
}

/** changePassword: a locked server is an "invalid state" here (Nova's handler catches it so). */
export async function changePassword(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  password: string,
): Promise<void> {
  checkLock(caller, row, 'changePassword')
  checkState(row, 'changePassword', { vm: ['active'] })
  await runOnHost(deps, caller, row, {
    name: 'changePassword',
    taskState: 'updating_password',
    action: 'changePassword',
    agentAction: 'change_password',
    args: { password },
  })
}

/** injectNetworkInfo: no network service to read from, so the lock check is all there is. */
export function injectNetworkInfo(caller: Caller, row: InstanceRow): void {
  checkLock(caller, row)
}
