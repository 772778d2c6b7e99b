/**
 * @module reboot, os-stop/os-start, pause/unpause, suspend/resume, rescue/unrescue,
 * changePassword and trigger_crash_dump (2.17).
 */
import { Type } from '@sinclair/typebox'
import { changePassword, reboot, rescue, simpleAction } from '../../core/servers/actions/power.js'
import { validateBody } from '../compute-api.js'
import * as p from '../parameter-types.js'
import { type ActionHandler, type ActionRequest, accepted, target } from './action.js'

const strict = { additionalProperties: false }

const rebootSchema = Type.Object(
  {
    reboot: Type.Object(
      { type: Type.String({ enum: ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft'] }) },
      strict,
    ),
  },
  strict,
)

const rescueSchema = Type.Object(
  {
    rescue: Type.Union([
      Type.Object(
        { adminPass: Type.Optional(Type.String()), rescue_image_ref: Type.Optional(p.uuid) },
        strict,
      ),
      Type.Null(),
    ]),
  },
  strict,
)

const changePasswordSchema = Type.Object(
  { changePassword: Type.Object({ adminPass: Type.String() }, strict) },
  strict,
)

const crashDumpSchema = Type.Object({ trigger_crash_dump: Type.Null() }, strict)

/** An action whose body is ignored and whose whole work is simpleAction(). */
function simple(name: string, rule: string): ActionHandler {
  return {
    handle: async (a: ActionRequest) => {
      const row = await target(a, rule)
      await simpleAction(a.api.deps, a.caller, row, name)
      return accepted(a)
    },
  }
}

export const POWER_ACTIONS: Record<string, ActionHandler> = {
  reboot: {
    handle: async (a) => {
      const body = validateBody(rebootSchema, a.body)
      const row = await target(a, 'os_compute_api:servers:reboot')
      const kind = body.reboot.type.toUpperCase() === 'HARD' ? 'HARD' : 'SOFT'
      await reboot(a.api.deps, a.caller, row, kind)
      return accepted(a)
    },
  },
  'os-stop': simple('stop', 'os_compute_api:servers:stop'),
  'os-start': simple('start', 'os_compute_api:servers:start'),
  pause: simple('pause', 'os_compute_api:os-pause-server:pause'),
  unpause: simple('unpause', 'os_compute_api:os-pause-server:unpause'),
  suspend: simple('suspend', 'os_compute_api:os-suspend-server:suspend'),
  resume: simple('resume', 'os_compute_api:os-suspend-server:resume'),
  unrescue: simple('unrescue', 'os_compute_api:os-unrescue'),
  trigger_crash_dump: {
    min: '2.17',
    handle: async (a) => {
      validateBody(crashDumpSchema, a.body)
      const row = await target(a, 'os_compute_api:servers:trigger_crash_dump')
      await simpleAction(a.api.deps, a.caller, row, 'trigger_crash_dump')
      return accepted(a)
    },
  },
  rescue: {
    handle: async (a) => {
      const body = validateBody(rescueSchema, a.body)
      const row = await target(a, 'os_compute_api:os-rescue')
      const password = await rescue(a.api.deps, a.caller, row, {
        password: body.rescue?.adminPass,
        rescueImageId: body.rescue?.rescue_image_ref,
      })
      // Nova answers 200 here (kept for compatibility), with the rescue password.
      return { adminPass: password }
    },
  },
  changePassword: {
    handle: async (a) => {
      const body = validateBody(changePasswordSchema, a.body)
      const row = await target(a, 'os_compute_api:os-admin-password')
      await changePassword(a.api.deps, a.caller, row, body.changePassword.adminPass)
      return accepted(a)
    },
  },
}
