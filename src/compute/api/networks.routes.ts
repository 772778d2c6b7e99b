/**
 * @module The nova-network era proxies /os-networks and /os-tenant-networks: list and show up
 * to 2.35 (404 from 2.36), answered by Nova from the network service's networks the caller can
 * see, in the shapes Nova keeps for them (an id and a label; the nova-network fields null, or
 * "None" as os-tenant-networks' cidr). Without a network service they list nothing. Creating,
 * deleting and associating networks left with nova-network: 410 at every microversion.
 */
import type { FastifyRequest } from 'fastify'
import { computeErrors } from '../errors.js'
import { type ComputeApi, callerOf, enforce, mv, param } from './compute-api.js'

const FIELDS = ['cidr', 'netmask', 'gateway', 'broadcast', 'dns1', 'dns2', 'cidr_v6', 'gateway_v6']
const ADMIN_FIELDS = [
  'created_at',
  'updated_at',
  'deleted_at',
  'deleted',
  'injected',
  'bridge',
  'vlan',
  'vpn_public_address',
  'vpn_public_port',
  'vpn_private_address',
  'dhcp_start',
  'project_id',
  'host',
  'bridge_interface',
  'multi_host',
  'priority',
  'rxtx_base',
  'mtu',
  'dhcp_server',
  'enable_dhcp',
  'share_address',
]

/** os-networks' network_dict: id and label, every nova-network field null (more for admins). */
function networkView(net: { id: string; name: string }, isAdmin: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { id: net.id }
  for (const f of FIELDS) out[f] = null
  out.label = net.name
  out.netmask_v6 = null
  if (isAdmin) for (const f of ADMIN_FIELDS) out[f] = null
  return out
}

/** os-tenant-networks' network_dict (a cidr of "None", as Nova has always answered). */
function tenantNetworkView(net: { id: string; name: string }): Record<string, unknown> {
  return { id: net.id, cidr: 'None', label: net.name }
}

/** The actions of POST /os-networks/{id}/action (networks and networks_associate). */
const GONE_ACTIONS = ['disassociate', 'disassociate_host', 'disassociate_project', 'associate_host']

function removedAt236(req: FastifyRequest): void {
  if (mv(req, '2.36')) throw computeErrors.notFound('The resource could not be found.')
}

export function networksRoutes(api: ComputeApi): void {
  const { app } = api
  const gone = () => {
    throw computeErrors.gone()
  }

  for (const [collection, rule] of [
    ['os-networks', 'os_compute_api:os-networks'],
    ['os-tenant-networks', 'os_compute_api:os-tenant-networks'],
  ] as const) {
    app.route({
      method: 'GET',
      url: `/v2.1/${collection}`,
      access: 'token',
      handler: async (req) => {
        removedAt236(req.raw)
        enforce(api, req.raw, `${rule}:list`)
        const caller = callerOf(req.raw)
        const nets = (await api.deps.network?.listNetworks(caller)) ?? []
        return {
          networks: nets.map((n) =>
            collection === 'os-networks' ? networkView(n, caller.isAdmin) : tenantNetworkView(n),
          ),
        }
      },
    })
    app.route({
      method: 'GET',
      url: `/v2.1/${collection}/:id`,
      access: 'token',
      handler: async (req) => {
        removedAt236(req.raw)
        enforce(api, req.raw, `${rule}:show`)
        const caller = callerOf(req.raw)
        const network = api.deps.network
        if (!network) throw computeErrors.notFound('Network not found')
        const net = await network.getNetwork(caller, param(req.raw, 'id')).catch(() => {
          throw computeErrors.notFound('Network not found')
        })
        return {
          network:
            collection === 'os-networks'
              ? networkView(net, caller.isAdmin)
              : tenantNetworkView(net),
        }
      },
    })
    app.route({ method: 'POST', url: `/v2.1/${collection}`, access: 'token', handler: gone })
    app.route({ method: 'DELETE', url: `/v2.1/${collection}/:id`, access: 'token', handler: gone })
  }

  app.route({ method: 'POST', url: '/v2.1/os-networks/add', access: 'token', handler: gone })

  app.route({
    method: 'POST',
    url: '/v2.1/os-networks/:id/action',
    access: 'token',
    handler: (req) => {
      const body: unknown = req.body
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw computeErrors.badRequest('Malformed request body')
      const keys = Object.keys(body)
      const [key] = keys
      if (keys.length !== 1 || key === undefined)
        throw computeErrors.badRequest('Malformed request body')
      if (!GONE_ACTIONS.includes(key))
        throw computeErrors.badRequest(`There is no such action: ${key}`)
      throw computeErrors.gone()
    },
  })
}
