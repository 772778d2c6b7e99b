/**
 * @module Small server sub-resources: os-server-password, ips (from the network info cache),
 * diagnostics (admin) and remote-consoles (2.6; noVNC only, as Nova's defaults enable).
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { remoteConsole } from '../core/servers/actions/consoles.js'
import { diagnostics, legacyDiagnostics, standardDiagnostics } from '../core/servers/diagnostics.js'
import { setSystemMetadata, systemMetadata } from '../core/servers/system-metadata.js'
import { computeErrors } from '../errors.js'
import { addressesView, networkInfoOf } from '../core/servers/network-info.js'
import { type ComputeApi, mv, param, validateBody } from './compute-api.js'
import { serverFor } from './servers.routes.js'

const strict = { additionalProperties: false }

function remoteConsoleSchema(v28: boolean) {
  return Type.Object(
    {
      remote_console: Type.Object(
        {
          protocol: Type.String({
            enum: ['vnc', 'spice', 'rdp', 'serial', ...(v28 ? ['mks'] : [])],
          }),
          type: Type.String({
            enum: [
              'novnc',
              'xvpvnc',
              'rdp-html5',
              'spice-html5',
              'serial',
              ...(v28 ? ['webmks'] : []),
            ],
          }),
        },
        strict,
      ),
    },
    strict,
  )
}
const consoleSchemas = { v26: remoteConsoleSchema(false), v28: remoteConsoleSchema(true) }

function requireVersion(req: FastifyRequest, version: string): void {
  if (!mv(req, version)) throw computeErrors.notFound('The resource could not be found.')
}

export function serverExtrasRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const base = '/v2.1/servers/:server_id'

  app.route({
    method: 'GET',
    url: `${base}/os-server-password`,
    access: 'token',
    handler: async (req) => {
      const row = await serverFor(api, req.raw, 'os_compute_api:os-server-password:show')
      return { password: (await systemMetadata(deps.db, row.id)).password ?? '' }
    },
  })

  app.route({
    method: 'DELETE',
    url: `${base}/os-server-password`,
    access: 'token',
    handler: async (req, reply) => {
      const row = await serverFor(api, req.raw, 'os_compute_api:os-server-password:clear')
      await setSystemMetadata(deps.db, row.id, { password: null })
      void reply.code(204)
      return undefined
    },
  })

  app.route({
    method: 'GET',
    url: `${base}/ips`,
    access: 'token',
    handler: async (req) => {
      const row = await serverFor(api, req.raw, 'os_compute_api:ips:index')
      return { addresses: addressesView(await networkInfoOf(deps.db, row.id), false) }
    },
  })

  app.route({
    method: 'GET',
    url: `${base}/ips/:network_label`,
    access: 'token',
    handler: async (req) => {
      const row = await serverFor(api, req.raw, 'os_compute_api:ips:show')
      const label = param(req.raw, 'network_label')
      const addresses = addressesView(await networkInfoOf(deps.db, row.id), false)
      const ips = Object.hasOwn(addresses, label) ? addresses[label] : undefined
      if (!ips) throw computeErrors.notFound('Instance is not a member of specified network')
      return { [label]: ips }
    },
  })

  app.route({
    method: 'GET',
    url: `${base}/diagnostics`,
    access: 'token',
    handler: async (req) => {
      const row = await serverFor(api, req.raw, 'os_compute_api:os-server-diagnostics')
      const d = await diagnostics(deps, row)
      return mv(req.raw, '2.48') ? standardDiagnostics(d) : legacyDiagnostics(d)
    },
  })

  app.route({
    method: 'POST',
    url: `${base}/remote-consoles`,
    access: 'token',
    handler: async (req) => {
      requireVersion(req.raw, '2.6')
      const body = validateBody(
        mv(req.raw, '2.8') ? consoleSchemas.v28 : consoleSchemas.v26,
        req.body,
      )
      const row = await serverFor(api, req.raw, 'os_compute_api:os-remote-consoles')
      const { protocol, type } = body.remote_console
      const action = protocol === 'vnc' ? 'get_vnc_console' : `get_${protocol}_console`
      const url = await remoteConsole(deps, row, protocol, type, action)
      return { remote_console: { protocol, type, url } }
    },
  })
}
