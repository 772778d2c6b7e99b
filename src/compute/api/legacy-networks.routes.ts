/**
 * @module nova-network's administration APIs, served when a legacy [network] manager runs (up to
 * 2.35, 404 from 2.36, as Nova had them): os-networks create, delete, add and the association
 * actions; os-tenant-networks create and delete; os-fixed-ips show and reserve/unreserve;
 * os-floating-ips-bulk; /servers/{id}/os-virtual-interfaces (up to 2.43). The network service does the work (src/network/legacy/).
 */
import type { FastifyRequest } from 'fastify'
import type { LegacyCreateRequest, LegacyNetworkClient } from '../network-client.js'
import { computeErrors } from '../errors.js'
import {
  actionOf,
  type ComputeApi,
  callerOf,
  enforce,
  mv,
  param,
  validateBody,
} from './compute-api.js'
import {
  FLOATING_BULK_CREATE,
  FLOATING_BULK_DELETE,
  NETWORK_ADD,
  NETWORK_CREATE,
  TENANT_NETWORK_CREATE,
} from './legacy-networks.schemas.js'
import { networkView, removedAt236, tenantNetworkView } from './networks.routes.js'
import { serverFor } from './servers.routes.js'

const int = (v: unknown): number | undefined =>
  v === undefined || v === null ? undefined : Number(v)
const bool = (v: unknown): boolean | undefined => {
  if (typeof v === 'boolean') return v
  if (typeof v !== 'string') return undefined
  return ['1', 'true', 't', 'yes', 'y', 'on'].includes(v.toLowerCase())
}
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** POST /os-networks' body as the network manager's create_networks arguments. */
function createRequest(net: Record<string, unknown>): LegacyCreateRequest {
  const cidr = text(net.cidr)
  if (!cidr) {
    if (text(net.cidr_v6))
      throw computeErrors.badRequest('IPv6-only legacy networks are not supported here.')
    throw computeErrors.badRequest('cidr or cidr_v6 is required')
  }
  return {
    label: String(net.label),
    cidr,
    numNetworks: int(net.num_networks),
    networkSize: int(net.network_size),
    gateway: text(net.gateway),
    bridge: text(net.bridge),
    bridgeInterface: text(net.bridge_interface),
    vlan: int(net.vlan),
    vlanStart: int(net.vlan_start),
    multiHost: bool(net.multi_host),
    dns1: text(net.dns1),
    dns2: text(net.dns2),
    projectId: text(net.project_id),
    mtu: int(net.mtu),
    enableDhcp: bool(net.enable_dhcp),
    dhcpServer: text(net.dhcp_server),
    shareAddress: bool(net.share_address),
  }
}

export function legacyNetworkRoutes(api: ComputeApi, legacy: LegacyNetworkClient): void {
  const { app } = api
  const route = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    handler: (req: FastifyRequest) => Promise<unknown>,
    status = 200,
  ) =>
    app.route({
      method,
      url: `/v2.1${url}`,
      access: 'token',
      handler: async (req, reply) => {
        removedAt236(req.raw)
        const body = await handler(req.raw)
        void reply.code(status)
        return body ?? ''
      },
    })

  route('POST', '/os-networks', async (req) => {
    enforce(api, req, 'os_compute_api:os-networks:create')
    const body = validateBody(NETWORK_CREATE, req.body)
    const [made] = await legacy.createNetworks(callerOf(req), createRequest(body.network))
    if (!made) throw computeErrors.badRequest('No network was created')
    return { network: networkView(made, true) }
  })
  route(
    'DELETE',
    '/os-networks/:id',
    async (req) => {
      enforce(api, req, 'os_compute_api:os-networks:delete')
      await legacy.deleteNetwork(callerOf(req), param(req, 'id'))
    },
    202,
  )
  route(
    'POST',
    '/os-networks/add',
    async (req) => {
      enforce(api, req, 'os_compute_api:os-networks:associate')
      const body = validateBody(NETWORK_ADD, req.body)
      if (legacy.manager !== 'vlan')
        throw computeErrors.notImplemented('VLAN support must be enabled')
      const caller = callerOf(req)
      await legacy.addNetworkToProject(caller, caller.projectId, body.id ?? undefined)
    },
    202,
  )
  route(
    'POST',
    '/os-networks/:id/action',
    async (req) => {
      const key = actionOf(req.body)
      const caller = callerOf(req)
      const id = param(req, 'id')
      // SAFETY: actionOf checked the body is an object with this one key.
      const value = (req.body as Record<string, unknown>)[key]
      if (key === 'disassociate') {
        enforce(api, req, 'os_compute_api:os-networks:disassociate')
        await legacy.associate(caller, id, { project: null, host: null })
      } else if (key === 'disassociate_host' || key === 'disassociate_project') {
        enforce(api, req, 'os_compute_api:os-networks-associate')
        await legacy.associate(
          caller,
          id,
          key === 'disassociate_host' ? { host: null } : { project: null },
        )
      } else if (key === 'associate_host') {
        enforce(api, req, 'os_compute_api:os-networks-associate')
        if (typeof value !== 'string' || value === '')
          throw computeErrors.badRequest('Invalid input for field/attribute associate_host.')
        await legacy.associate(caller, id, { host: value })
      } else throw computeErrors.badRequest(`There is no such action: ${key}`)
    },
    202,
  )

  route('POST', '/os-tenant-networks', async (req) => {
    enforce(api, req, 'os_compute_api:os-tenant-networks:create')
    const body = validateBody(TENANT_NETWORK_CREATE, req.body)
    const caller = callerOf(req)
    const [made] = await legacy.createNetworks(caller, {
      ...createRequest(body.network),
      projectId: caller.projectId,
    })
    if (!made) throw computeErrors.badRequest('No network was created')
    return { network: tenantNetworkView(made) }
  })
  route(
    'DELETE',
    '/os-tenant-networks/:id',
    async (req) => {
      enforce(api, req, 'os_compute_api:os-tenant-networks:delete')
      const caller = callerOf(req)
      const id = param(req, 'id')
      const net = await legacy.getNetwork(caller, id)
      if (!caller.isAdmin && net.project_id !== caller.projectId)
        throw computeErrors.notFound('Network not found')
      // The project's own network: give it up first, as os-tenant-networks did.
      await legacy.associate(caller, id, { project: null })
      await legacy.deleteNetwork(caller, id)
    },
    202,
  )

  route('GET', '/os-fixed-ips/:id', async (req) => {
    enforce(api, req, 'os_compute_api:os-fixed-ips:show')
    const fixed = await legacy.showFixedIp(callerOf(req), param(req, 'id'))
    const instance = fixed.instanceId
      ? await api.deps.db
          .selectFrom('instance')
          .select(['hostname', 'host'])
          .where('id', '=', fixed.instanceId)
          .where('deleted_at', 'is', null)
          .executeTakeFirst()
      : undefined
    return {
      fixed_ip: {
        cidr: fixed.cidr,
        address: fixed.address,
        hostname: instance?.hostname ?? null,
        host: instance?.host ?? null,
        ...(mv(req, '2.4') ? { reserved: fixed.reserved } : {}),
      },
    }
  })
  route(
    'POST',
    '/os-fixed-ips/:id/action',
    async (req) => {
      const key = actionOf(req.body)
      if (key !== 'reserve' && key !== 'unreserve')
        throw computeErrors.badRequest(`There is no such action: ${key}`)
      enforce(api, req, `os_compute_api:os-fixed-ips:${key}`)
      await legacy.setFixedIpReserved(callerOf(req), param(req, 'id'), key === 'reserve')
    },
    202,
  )

  const floatingInfo = async (req: FastifyRequest, host?: string) => {
    enforce(api, req, 'os_compute_api:os-floating-ips-bulk')
    let all = await legacy.listFloatingIps(callerOf(req))
    if (host !== undefined) {
      const ids = all.flatMap((f) => (f.instance_uuid ? [f.instance_uuid] : []))
      const onHost = new Set(
        ids.length === 0
          ? []
          : (
              await api.deps.db
                .selectFrom('instance')
                .select('id')
                .where('id', 'in', ids)
                .where('host', '=', host)
                .execute()
            ).map((r) => r.id),
      )
      all = all.filter((f) => f.instance_uuid !== null && onHost.has(f.instance_uuid))
      if (all.length === 0) throw computeErrors.notFound(`Floating IP not found for host ${host}.`)
    }
    return { floating_ip_info: all }
  }
  route('GET', '/os-floating-ips-bulk', (req) => floatingInfo(req))
  route('GET', '/os-floating-ips-bulk/:id', (req) => floatingInfo(req, param(req, 'id')))
  // nova-network's VIFs are the server's ports; the API left at 2.44 (net_id from 2.12).
  app.route({
    method: 'GET',
    url: '/v2.1/servers/:server_id/os-virtual-interfaces',
    access: 'token',
    handler: async (req) => {
      if (mv(req.raw, '2.44')) throw computeErrors.notFound('The resource could not be found.')
      const row = await serverFor(api, req.raw, 'os_compute_api:os-virtual-interfaces')
      const ports = (await api.deps.network?.listPorts(callerOf(req.raw), row.id)) ?? []
      const withNet = mv(req.raw, '2.12')
      return {
        virtual_interfaces: ports.map((p) => ({
          id: p.id,
          mac_address: p.macAddress,
          ...(withNet ? { net_id: p.networkId } : {}),
        })),
      }
    },
  })
  route('POST', '/os-floating-ips-bulk', async (req) => {
    enforce(api, req, 'os_compute_api:os-floating-ips-bulk')
    const body = validateBody(FLOATING_BULK_CREATE, req.body).floating_ips_bulk_create
    const made = {
      ip_range: body.ip_range,
      pool: body.pool ?? legacy.defaultFloatingPool,
      interface: body.interface ?? legacy.publicInterface,
    }
    await legacy.createFloatingRange(callerOf(req), {
      ipRange: made.ip_range,
      pool: made.pool,
      interface: made.interface,
    })
    return { floating_ips_bulk_create: made }
  })
  route('PUT', '/os-floating-ips-bulk/:id', async (req) => {
    enforce(api, req, 'os_compute_api:os-floating-ips-bulk')
    if (param(req, 'id') !== 'delete') throw computeErrors.notFound('Unknown action')
    const body = validateBody(FLOATING_BULK_DELETE, req.body)
    await legacy.deleteFloatingRange(callerOf(req), body.ip_range)
    return { floating_ips_bulk_delete: body.ip_range }
  })
}
