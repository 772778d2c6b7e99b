/**
 * @module What an agent does for each server action the API accepted: call the driver, then
 * tell the conductor the resulting states. The API already moved the server to the action's
 * task_state; every later update is conditional on the task_state the action left it in, so
 * a request that took the server over meanwhile (a delete, a hard reboot) wins.
 */
import { POWER_STATES } from '../virt/driver.js'
import { type AgentAction, specOf } from './action-types.js'
import { IMAGE_ACTIONS } from './image-actions.js'

const running = { power_state: POWER_STATES.RUNNING, task_state: null }

function reboot(kind: 'SOFT' | 'HARD'): AgentAction {
  const suffix = kind === 'HARD' ? '_hard' : ''
  return {
    taskState: `rebooting${suffix}`,
    event: 'compute_reboot_instance',
    notification: 'reboot',
    run: async (ctx) => {
      await ctx.update({ task_state: `reboot_pending${suffix}` })
      await ctx.update({ task_state: `reboot_started${suffix}` })
      await ctx.driver.reboot(ctx.instanceId, kind)
      return { vm_state: 'active', ...running }
    },
  }
}

const POWER_ACTIONS: Record<string, AgentAction> = {
  stop: {
    taskState: 'powering-off',
    event: 'compute_stop_instance',
    notification: 'power_off',
    run: async ({ driver, instanceId }) => {
      await driver.powerOff(instanceId)
      return { vm_state: 'stopped', power_state: POWER_STATES.SHUTDOWN, task_state: null }
    },
  },
  start: {
    taskState: 'powering-on',
    event: 'compute_start_instance',
    notification: 'power_on',
    run: async ({ driver, instanceId }) => {
      await driver.powerOn(instanceId)
      return { vm_state: 'active', ...running }
    },
  },
  reboot: reboot('SOFT'),
  reboot_hard: reboot('HARD'),
  pause: {
    taskState: 'pausing',
    event: 'compute_pause_instance',
    notification: 'pause',
    run: async ({ driver, instanceId }) => {
      await driver.pause(instanceId)
      return { vm_state: 'paused', power_state: POWER_STATES.PAUSED, task_state: null }
    },
  },
  unpause: {
    taskState: 'unpausing',
    event: 'compute_unpause_instance',
    notification: 'unpause',
    run: async ({ driver, instanceId }) => {
      await driver.unpause(instanceId)
      return { vm_state: 'active', ...running }
    },
  },
  suspend: {
    taskState: 'suspending',
    event: 'compute_suspend_instance',
    notification: 'suspend',
    run: async ({ driver, instanceId }) => {
      await driver.suspend(instanceId)
      return { vm_state: 'suspended', power_state: POWER_STATES.SUSPENDED, task_state: null }
    },
  },
  resume: {
    taskState: 'resuming',
    event: 'compute_resume_instance',
    notification: 'resume',
    run: async ({ driver, instanceId }) => {
      await driver.resume(instanceId)
      return { vm_state: 'active', ...running }
    },
  },
  rescue: {
    taskState: 'rescuing',
    event: 'compute_rescue_instance',
    notification: 'rescue',
    run: async (ctx) => {
      const image = typeof ctx.args.rescueImageId === 'string' ? ctx.args.rescueImageId : null
      await ctx.driver.rescue(ctx.instanceId, image)
      if (typeof ctx.args.password === 'string')
        await ctx.driver.setAdminPassword(ctx.instanceId, ctx.args.password)
      return { vm_state: 'rescued', ...running, launched_at: ctx.nowIso() }
    },
  },
  unrescue: {
    taskState: 'unrescuing',
    event: 'compute_unrescue_instance',
    notification: 'unrescue',
    run: async ({ driver, instanceId }) => {
      await driver.unrescue(instanceId)
      return { vm_state: 'active', ...running }
    },
  },
  change_password: {
    taskState: 'updating_password',
    event: 'compute_set_admin_password',
    run: async ({ driver, instanceId, args }) => {
      await driver.setAdminPassword(instanceId, String(args.password))
      return { task_state: null }
    },
  },
  trigger_crash_dump: {
    taskState: null,
    event: 'compute_trigger_crash_dump',
    notification: 'trigger_crash_dump',
    run: async ({ driver, instanceId }) => {
      await driver.triggerCrashDump(instanceId)
      return undefined
    },
  },
  rebuild: {
    taskState: 'rebuilding',
    event: 'compute_rebuild_instance',
    notification: 'rebuild',
    run: async (ctx) => {
      const spec = specOf(ctx.args)
      await ctx.update({ task_state: 'rebuild_block_device_mapping' })
      await ctx.update({ task_state: 'rebuild_spawning' })
      await ctx.driver.destroy(ctx.instanceId)
      await ctx.driver.spawn(spec)
      if (typeof ctx.args.password === 'string')
        await ctx.driver.setAdminPassword(ctx.instanceId, ctx.args.password)
      return {
        vm_state: spec.powerOn ? 'active' : 'stopped',
        power_state: spec.powerOn ? POWER_STATES.RUNNING : POWER_STATES.SHUTDOWN,
        task_state: null,
        launched_at: ctx.nowIso(),
      }
    },
  },
}

export const AGENT_ACTIONS: Record<string, AgentAction> = { ...POWER_ACTIONS, ...IMAGE_ACTIONS }
