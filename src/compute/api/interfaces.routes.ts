/**
 * @module /servers/{id}/os-interface (Nova's attach_interfaces): the server's ports as the
 * network service has them, one port attached (on a network, optionally at a fixed IP, or the
 * user's own port) by the server's host, and one detached. Tags from 2.49 (attach) and 2.70
 * (shown).
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { ErrorKind } from '../../lib/errors/app-error.js'
import { rpcClient } from '../../lib/rpc/define-rpc.js'
import { computeAgentRpc } from '../agent/rpc.js'
import { startAction } from '../core/instance-actions.js'
import { checkHost, checkLock, checkState } from '../core/servers/guards.js'
import { networkInfoOf } from '../core/servers/network-info.js'
import { computeErrors } from '../errors.js'
import {
  type NetworkClient,
  type NovaNetworkException,
  type PortInfo,
  withStatuses,
} from '../network-client.js'
import { allows, callerOf, type ComputeApi, mv, param, validateBody } from './compute-api.js'
import * as p from './parameter-types.js'
import { serverFor } from './servers.routes.js'

const ipAddress = Type.String({ anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] })

function createSchema(withTag: boolean) {
  return Type.Object(
    {
      interfaceAttachment: Type.Optional(
        Type.Object(
          {
            net_id: Type.Optional(p.uuid),
            port_id: Type.Optional(p.uuid),
            fixed_ips: Type.Optional(
              Type.Array(Type.Object({ ip_address: ipAddress }, { additionalProperties: false }), {
                minItems: 1,
                maxItems: 1,
              }),
            ),
            ...(withTag ? { tag: Type.Optional(p.tag) } : {}),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  )
}
const schemas = { v20: createSchema(false), v249: createSchema(true) }

/** How attach answers the network service's refusals (attach_interfaces.py create). */
const ATTACH_STATUSES: Partial<Record<NovaNetworkException, ErrorKind>> = {
  InterfaceAttachFailedNoNetwork: 'BadRequest',
  NetworkAmbiguous: 'BadRequest',
  NoMoreFixedIps: 'BadRequest',
  PortNotUsable: 'BadRequest',
  SecurityGroupCannotBeApplied: 'BadRequest',
  InvalidInput: 'BadRequest',
  PortBindingFailed: 'BadRequest',
  FixedIpAlreadyInUse: 'Conflict',
  PortInUse: 'Conflict',
  PortNotFound: 'NotFound',
  NetworkNotFound: 'NotFound',
  PortLimitExceeded: 'Forbidden',
  ExternalNetworkAttachForbidden: 'Forbidden',
}

function attachmentView(
  port: PortInfo,
  tag: string | null | undefined,
  withTag: boolean,
): Record<string, unknown> {
  return {
    net_id: port.networkId,
    port_id: port.id,
    mac_addr: port.macAddress,
    port_state: port.status,
    fixed_ips: port.fixedIps,
    ...(withTag ? { tag: tag ?? null } : {}),
  }
}

function networkOf(api: ComputeApi): NetworkClient {
  const network = api.deps.network
  if (!network) throw computeErrors.notImplemented('The requested functionality is not supported.')
  return network
}

async function tagsOf(api: ComputeApi, req: FastifyRequest, serverId: string) {
  if (!mv(req, '2.70')) return new Map<string, string | null>()
  return new Map((await networkInfoOf(api.deps.db, serverId)).map((v) => [v.id, v.tag]))
}

/** GET one attachment: the port must be the server's (Nova's "does not have a port"). */
async function showAttachment(
  api: ComputeApi,
  req: FastifyRequest,
  serverId: string,
  portId: string,
): Promise<Record<string, unknown>> {
  const port = await networkOf(api)
    .showPort(callerOf(req), portId)
    .catch((err: unknown) => {
      throw withStatuses(err, { PortNotFound: 'NotFound', Forbidden: 'Forbidden' })
    })
  if (port.deviceId !== serverId)
    throw computeErrors.notFound(`Instance ${serverId} does not have a port with id ${portId}`)
  const tags = await tagsOf(api, req, serverId)
  return { interfaceAttachment: attachmentView(port, tags.get(portId), mv(req, '2.70')) }
}

export function interfacesRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const base = '/v2.1/servers/:server_id/os-interface'

  app.route({
    method: 'GET',
    url: base,
    access: 'token',
    handler: async (req) => {
      const row = await serverFor(api, req.raw, 'os_compute_api:os-attach-interfaces:list')
      const ports = await networkOf(api).listPorts(callerOf(req.raw), row.id)
      const tags = await tagsOf(api, req.raw, row.id)
      const withTag = mv(req.raw, '2.70')
      return {
        interfaceAttachments: ports.map((port) => attachmentView(port, tags.get(port.id), withTag)),
      }
    },
  })

  app.route({
    method: 'GET',
    url: `${base}/:port_id`,
    access: 'token',
    handler: async (req) => {
      const row = await serverFor(api, req.raw, 'os_compute_api:os-attach-interfaces:show')
      return showAttachment(api, req.raw, row.id, param(req.raw, 'port_id'))
    },
  })

  app.route({
    method: 'POST',
    url: base,
    access: 'token',
    handler: async (req) => {
      const body = validateBody(mv(req.raw, '2.49') ? schemas.v249 : schemas.v20, req.body ?? {})
      const row = await serverFor(api, req.raw, 'os_compute_api:os-attach-interfaces:create')
      const caller = callerOf(req.raw)
      // SAFETY: the band's schema accepted the attachment.
      const a = (body.interfaceAttachment ?? {}) as {
        net_id?: string
        port_id?: string
        fixed_ips?: { ip_address: string }[]
        tag?: string
      }
      const fixedIp = a.fixed_ips?.[0]?.ip_address
      if (a.net_id && a.port_id)
        throw computeErrors.badRequest('Must not input both network_id and port_id')
      if (fixedIp !== undefined && !a.net_id)
        throw computeErrors.badRequest('Must input network_id when request IP address')
      checkLock(caller, row)
      checkState(row, 'attach_interface', { vm: ['active', 'paused', 'stopped'] })
      const host = checkHost(row)
      networkOf(api)
      await startAction(deps, caller, row.id, 'attach_interface')
      const vif = await rpcClient(deps.bus, computeAgentRpc, { server: host })
        .attachInterface({
          instanceId: row.id,
          requestId: caller.requestId,
          projectId: row.project_id,
          availabilityZone: row.availability_zone ?? deps.config.defaultAvailabilityZone,
          caller,
          request: {
            ...(a.net_id ? { networkId: a.net_id } : {}),
            ...(a.port_id ? { portId: a.port_id } : {}),
            ...(fixedIp === undefined ? {} : { fixedIp }),
            ...(a.tag === undefined ? {} : { tag: a.tag }),
          },
          canAttachExternal: allows(api, req.raw, 'network:attach_external_network'),
        })
        .catch((err: unknown) => {
          throw withStatuses(err, ATTACH_STATUSES)
        })
      return showAttachment(api, req.raw, row.id, vif.id)
    },
  })

  app.route({
    method: 'DELETE',
    url: `${base}/:port_id`,
    access: 'token',
    handler: async (req, reply) => {
      const row = await serverFor(api, req.raw, 'os_compute_api:os-attach-interfaces:delete')
      const caller = callerOf(req.raw)
      checkLock(caller, row)
      checkState(row, 'detach_interface', { vm: ['active', 'paused', 'stopped'] })
      const host = checkHost(row)
      networkOf(api)
      await startAction(deps, caller, row.id, 'detach_interface')
      await rpcClient(deps.bus, computeAgentRpc, { server: host }).detachInterface({
        instanceId: row.id,
        requestId: caller.requestId,
        portId: param(req.raw, 'port_id'),
        caller,
      })
      void reply.code(202)
      return undefined
    },
  })
}
