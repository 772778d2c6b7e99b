/**
 * @module lock/unlock, os-resetState, injectNetworkInfo, resetNetwork (gone), forceDelete and
 * restore.
 */
import { Type } from '@sinclair/typebox'
import {
  lock,
  resetState,
  restore,
  unlock,
  unlockAllowedWithout,
} from '../../core/servers/actions/admin.js'
import { injectNetworkInfo } from '../../core/servers/actions/power.js'
import { deleteServer } from '../../core/servers/delete.js'
import { computeErrors } from '../../errors.js'
import { enforce, mv, validateBody } from '../compute-api.js'
import { type ActionHandler, accepted, target } from './action.js'

const strict = { additionalProperties: false }

const lockSchema = Type.Object(
  {
    lock: Type.Union([
      Type.Object(
        { locked_reason: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) },
        strict,
      ),
      Type.Null(),
    ]),
  },
  strict,
)

const resetStateSchema = Type.Object(
  {
    'os-resetState': Type.Object({ state: Type.String({ enum: ['active', 'error'] }) }, strict),
  },
  strict,
)

export const ADMIN_ACTIONS: Record<string, ActionHandler> = {
  lock: {
    handle: async (a) => {
      const reason = mv(a.req, '2.73')
        ? (validateBody(lockSchema, a.body).lock?.locked_reason ?? undefined)
        : undefined
      const row = await target(a, 'os_compute_api:os-lock-server:lock')
      await lock(a.api.deps, a.caller, row, reason)
      return accepted(a)
    },
  },
  unlock: {
    handle: async (a) => {
      const row = await target(a, 'os_compute_api:os-lock-server:unlock')
      if (!unlockAllowedWithout(a.caller, row))
        enforce(a.api, a.req, 'os_compute_api:os-lock-server:unlock:unlock_override', {
          project_id: row.project_id,
        })
      await unlock(a.api.deps, a.caller, row)
      return accepted(a)
    },
  },
  'os-resetState': {
    handle: async (a) => {
      const body = validateBody(resetStateSchema, a.body)
      const row = await target(a, 'os_compute_api:os-admin-actions:reset_state')
      // SAFETY: the schema allows only these two values.
      await resetState(a.api.deps, a.caller, row, body['os-resetState'].state as 'active' | 'error')
      return accepted(a)
    },
  },
  injectNetworkInfo: {
    handle: async (a) => {
      const row = await target(a, 'os_compute_api:os-admin-actions:inject_network_info')
      injectNetworkInfo(a.caller, row)
      return accepted(a)
    },
  },
  resetNetwork: {
    handle: () => Promise.reject(computeErrors.gone()),
  },
  forceDelete: {
    handle: async (a) => {
      const row = await target(a, 'os_compute_api:os-deferred-delete:force')
      await deleteServer(a.api.deps, a.caller, row, { force: true })
      return accepted(a)
    },
  },
  restore: {
    handle: async (a) => {
      const row = await target(a, 'os_compute_api:os-deferred-delete:restore')
      await restore(a.api.deps, a.caller, row)
      return accepted(a)
    },
  },
}
