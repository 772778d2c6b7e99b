/**
 * @module /os-networks and /os-tenant-networks, up to 2.35 (404 from 2.36). With Neutron, as Nova
 * answers them: list and show of the networks the caller can see (an id and a label, the
 * nova-network fields null, or "None" as os-tenant-networks' cidr), and 410 for creating,
 * deleting and associating. With a legacy manager (flat, flat_dhcp, vlan), as nova-network did:
 * every field, create, delete and the project and host associations.
 */
import type { FastifyRequest } from 'fastify'
import type { LegacyNetworkInfo } from '../network-client.js'
import { computeErrors } from '../errors.js'
import { actionOf, type ComputeApi, callerOf, enforce, mv, param } from './compute-api.js'
import { legacyNetworkRoutes } from './legacy-networks.routes.js'

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

/**
 * os-networks' network_dict: the id, the label, the nova-network fields (more for admins); with
 * Neutron every one of them null.
 */
export function networkView(
  net: { id: string; name: string } | LegacyNetworkInfo,
  isAdmin: boolean,
): Record<string, unknown> {
  const legacy: Partial<Record<string, unknown>> = 'label' in net ? { ...net } : {}
  const out: Record<string, unknown> = { id: net.id }
  for (const f of FIELDS) out[f] = legacy[f] ?? null
  out.label = 'label' in net ? net.label : net.name
  out.netmask_v6 = null
  if (isAdmin) for (const f of ADMIN_FIELDS) out[f] = legacy[f] ?? null
  if (isAdmin && 'label' in net) out.deleted = false
  return out
}

/** os-tenant-networks' network_dict (with Neutron a cidr of "None", as Nova has always answered). */
export function tenantNetworkView(
  net: { id: string; name: string } | LegacyNetworkInfo,
): Record<string, unknown> {
  return 'label' in net
    ? { id: net.id, cidr: net.cidr, label: net.label }
    : { id: net.id, cidr: 'None', label: net.name }
}

/** The actions of POST /os-networks/{id}/action (networks and networks_associate). */
export const GONE_ACTIONS = [
  'disassociate',
  'disassociate_host',
  'disassociate_project',
  'associate_host',
]

export function removedAt236(req: FastifyRequest): void {
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
        const legacy = api.deps.network?.legacy
        const nets = legacy
          ? await legacy.listNetworks(caller)
          : ((await api.deps.network?.listNetworks(caller)) ?? [])
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
        const id = param(req.raw, 'id')
        const net = await (
          network.legacy ? network.legacy.getNetwork(caller, id) : network.getNetwork(caller, id)
        ).catch(() => {
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
  }
  if (api.deps.network?.legacy) {
    legacyNetworkRoutes(api, api.deps.network.legacy)
    return
  }
  for (const collection of ['os-networks', 'os-tenant-networks']) {
    app.route({ method: 'POST', url: `/v2.1/${collection}`, access: 'token', handler: gone })
    app.route({ method: 'DELETE', url: `/v2.1/${collection}/:id`, access: 'token', handler: gone })
  }

  app.route({ method: 'POST', url: '/v2.1/os-networks/add', access: 'token', handler: gone })

  app.route({
    method: 'POST',
    url: '/v2.1/os-networks/:id/action',
    access: 'token',
    handler: (req) => {
      const key = actionOf(req.body)
      if (!GONE_ACTIONS.includes(key))
        throw computeErrors.badRequest(`There is no such action: ${key}`)
      throw computeErrors.gone()
    },
  })
}
