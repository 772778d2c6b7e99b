/**
 * @module The legacy managers as compute's in-process client: nova-network's calls answered by
 * ./networks, ./fixed-ips and ./floating-ranges, in the shapes os-networks and friends show.
 */
import type {
  LegacyNetworkClient,
  LegacyNetworkInfo,
  NetworkCaller,
} from '../../compute/network-client.js'
import type { LegacyNetworkRow } from '../db/tables.js'
import type { NetworkDeps } from '../core/deps.js'
import { asCaller } from '../nova-api/neutron.js'
import { setLegacyFixedIpReserved, showLegacyFixedIp } from './fixed-ips.js'
import { createFloatingRange, deleteFloatingRange, listFloatingRanges } from './floating-ranges.js'
import {
  associateLegacyNetwork,
  createLegacyNetworks,
  deleteLegacyNetwork,
  ensureProjectNetwork,
  getLegacyNetwork,
  legacyManager,
  listLegacyNetworks,
} from './networks.js'

/** nova-network printed its datetimes with microseconds and no zone. */
const novaTime = (t: string) => `${t.slice(0, 19)}.000000`

export function legacyNetworkInfo(row: LegacyNetworkRow): LegacyNetworkInfo {
  return {
    id: row.network_id,
    label: row.label,
    cidr: row.cidr,
    netmask: row.netmask,
    gateway: row.gateway,
    broadcast: row.broadcast,
    dns1: row.dns1,
    dns2: row.dns2,
    created_at: novaTime(row.created_at),
    updated_at: novaTime(row.updated_at),
    injected: row.injected === 1,
    bridge: row.bridge,
    vlan: row.vlan,
    vpn_public_address: row.vpn_public_address,
    vpn_public_port: row.vpn_public_port,
    vpn_private_address: row.vpn_private_address,
    dhcp_start: row.dhcp_start,
    project_id: row.project_id,
    host: row.host,
    bridge_interface: row.bridge_interface,
    multi_host: row.multi_host === 1,
    mtu: row.mtu,
    dhcp_server: row.dhcp_server,
    enable_dhcp: row.enable_dhcp === 1,
    share_address: row.share_address === 1,
  }
}

/** The client, or undefined in neutron mode. */
export function legacyNetworkClient(deps: NetworkDeps): LegacyNetworkClient | undefined {
  const manager = legacyManager(deps)
  if (!manager) return undefined
  const as = (caller: NetworkCaller) => asCaller(caller)
  return {
    manager,
    defaultFloatingPool: deps.config.defaultFloatingPool,
    publicInterface: deps.config.publicInterface,
    listNetworks: async (caller) =>
      (await listLegacyNetworks(deps, as(caller))).map(legacyNetworkInfo),
    getNetwork: async (caller, id) =>
      legacyNetworkInfo(await getLegacyNetwork(deps, as(caller), id)),
    createNetworks: async (caller, req) =>
      (await createLegacyNetworks(deps, as(caller), req)).map(legacyNetworkInfo),
    deleteNetwork: (caller, id) => deleteLegacyNetwork(deps, as(caller), id),
    associate: (caller, id, change) => associateLegacyNetwork(deps, as(caller), id, change),
    addNetworkToProject: async (_caller, projectId, networkId) => {
      await ensureProjectNetwork(deps, projectId, networkId)
    },
    showFixedIp: (_caller, address) => showLegacyFixedIp(deps, address),
    setFixedIpReserved: (_caller, address, reserved) =>
      setLegacyFixedIpReserved(deps, address, reserved),
    listFloatingIps: () => listFloatingRanges(deps),
    createFloatingRange: (caller, req) => createFloatingRange(deps, as(caller), req),
    deleteFloatingRange: (caller, ipRange) => deleteFloatingRange(deps, as(caller), ipRange),
  }
}
