/**
 * @module POST /servers/{id}/action: Nova dispatches on the body's single key; a body with
 * another shape is "Malformed request body", an unknown key "There is no such action", and an
 * action outside its microversions is a plain 404.
 */
import { computeErrors } from '../errors.js'
import { actionOf, callerOf, type ComputeApi, mv } from './compute-api.js'
import type { ActionHandler } from './server-actions/action.js'
import { ADMIN_ACTIONS } from './server-actions/admin.js'
import { CONSOLE_ACTIONS } from './server-actions/consoles.js'
import { IMAGE_ACTIONS } from './server-actions/images.js'
import { MOVE_ACTIONS } from './server-actions/moves.js'
import { NETWORK_ACTIONS } from './server-actions/network.js'
import { POWER_ACTIONS } from './server-actions/power.js'
import { REBUILD_ACTIONS } from './server-actions/rebuild.js'

const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  ...POWER_ACTIONS,
  ...ADMIN_ACTIONS,
  ...CONSOLE_ACTIONS,
  ...MOVE_ACTIONS,
  ...IMAGE_ACTIONS,
  ...REBUILD_ACTIONS,
  ...NETWORK_ACTIONS,
}

export function serverActionsRoutes(api: ComputeApi): void {
  api.app.route({
    method: 'POST',
    url: '/v2.1/servers/:server_id/action',
    access: 'token',
    handler: async (req, reply) => {
      const key = actionOf(req.body)
      const handler = Object.hasOwn(ACTIONS, key) ? ACTIONS[key] : undefined
      if (!handler) throw computeErrors.badRequest(`There is no such action: ${key}`)
      if (
        (handler.min !== undefined && !mv(req.raw, handler.min)) ||
        (handler.until !== undefined && mv(req.raw, handler.until))
      )
        throw computeErrors.notFound('The resource could not be found.')
      return handler.handle({
        api,
        req: req.raw,
        reply,
        // SAFETY: actionOf checked it is a plain object.
        body: req.body as Record<string, unknown>,
        caller: callerOf(req.raw),
      })
    },
  })
}
