/**
 * @module The network service as an in-process client for compute (Nova's network API over
 * Neutron, without HTTP): every call goes to the network core as the caller, or as the service
 * itself where Nova uses its admin client. The Nova-side logic lives in ./nova-api/.
 */
import type { NetworkCaller, NetworkClient } from '../compute/network-client.js'
import { networkFailure } from '../compute/network-client.js'
import type { NetworkDeps } from './core/deps.js'
import { findNetwork, listNetworks } from './core/networks.js'
import {
  allocateForInstance,
  bindPorts,
  deallocateForInstance,
  validateNetworks,
} from './nova-api/allocate.js'
import {
  allocateFloatingIp,
  associateFloatingIp,
  disassociateFloatingIp,
  floatingIpPools,
  getFloatingIp,
  getFloatingIpByAddress,
  listProjectFloatingIps,
  releaseFloatingIp,
} from './nova-api/floating-ips.js'
import { legacyNetworkClient } from './legacy/client.js'
import { asCaller, neutronStatus } from './nova-api/neutron.js'
import { instanceNwInfo } from './nova-api/nw-info.js'
import {
  addFixedIp,
  deallocatePort,
  portStatuses,
  removeFixedIp,
  serverPorts,
  showPortInfo,
  vifsPlugged,
} from './nova-api/ports.js'
import {
  createGroup,
  createRule,
  deleteGroup,
  deleteRule,
  getGroup,
  getRule,
  listGroups,
  updateGroup,
} from './nova-api/security-group-proxy.js'
import {
  addToInstance,
  removeFromInstance,
  serverGroupBindings,
  serverGroups,
  validateSecurityGroups,
} from './nova-api/security-groups.js'

async function getNetwork(
  deps: NetworkDeps,
  caller: NetworkCaller,
  id: string,
): Promise<{ id: string; name: string }> {
  try {
    const row = await findNetwork(deps, asCaller(caller), id)
    return { id: row.id, name: row.name }
  } catch (err) {
    if (neutronStatus(err) === 404)
      throw networkFailure('NetworkNotFound', 'NotFound', `Network ${id} could not be found.`)
    throw err
  }
}

export function inProcessNetworkClient(deps: NetworkDeps): NetworkClient {
  const legacy = legacyNetworkClient(deps)
  return {
    ...(legacy ? { legacy } : {}),
    validateNetworks: (caller, requested, maxCount) =>
      validateNetworks(deps, caller, requested, maxCount),
    validateSecurityGroups: (caller, names) => validateSecurityGroups(deps, caller, names),
    allocateForInstance: (caller, req) => allocateForInstance(deps, caller, req),
    getInstanceNwInfo: (_caller, instanceId, cached) => instanceNwInfo(deps, instanceId, cached),
    bindPorts: (instanceId, host) => bindPorts(deps, instanceId, host),
    deallocateForInstance: (caller, instanceId, preserved) =>
      deallocateForInstance(deps, caller, instanceId, preserved),
    deallocatePort: (caller, portId, preserved) => deallocatePort(deps, caller, portId, preserved),
    vifsPlugged: (host, portIds) => vifsPlugged(deps, host, portIds),
    portStatuses: (portIds) => portStatuses(deps, portIds),
    listPorts: (caller, instanceId) => serverPorts(deps, caller, instanceId),
    showPort: (caller, portId) => showPortInfo(deps, caller, portId),
    serverSecurityGroupNames: async (caller, instanceIds) => {
      const { bindings, groups } = await serverGroupBindings(deps, caller, instanceIds)
      const out = new Map<string, { name: string }[]>()
      for (const [device, ids] of bindings)
        out.set(
          device,
          ids.map((id) => ({ name: groups.get(id)?.name || id })),
        )
      return out
    },
    serverSecurityGroups: (caller, instanceId) => serverGroups(deps, caller, instanceId),
    addSecurityGroup: (caller, instanceId, name) => addToInstance(deps, caller, instanceId, name),
    removeSecurityGroup: (caller, instanceId, name) =>
      removeFromInstance(deps, caller, instanceId, name),
    listSecurityGroups: (caller, allTenants) => listGroups(deps, caller, allTenants),
    getSecurityGroup: (caller, id) => getGroup(deps, caller, id),
    createSecurityGroup: (caller, name, description) =>
      createGroup(deps, caller, name, description),
    updateSecurityGroup: (caller, id, changes) => updateGroup(deps, caller, id, changes),
    deleteSecurityGroup: (caller, id) => deleteGroup(deps, caller, id),
    createSecurityGroupRule: (caller, rule) => createRule(deps, caller, rule),
    getSecurityGroupRule: (caller, id) => getRule(deps, caller, id),
    deleteSecurityGroupRule: (caller, id) => deleteRule(deps, caller, id),
    listFloatingIps: (caller) => listProjectFloatingIps(deps, caller),
    getFloatingIp: (caller, id) => getFloatingIp(deps, caller, id),
    getFloatingIpByAddress: (caller, address) => getFloatingIpByAddress(deps, caller, address),
    allocateFloatingIp: (caller, pool) => allocateFloatingIp(deps, caller, pool ?? 'nova'),
    releaseFloatingIp: (caller, address) => releaseFloatingIp(deps, caller, address),
    associateFloatingIp: (caller, instanceId, floating, fixed) =>
      associateFloatingIp(deps, caller, instanceId, floating, fixed),
    disassociateFloatingIp: (caller, address) => disassociateFloatingIp(deps, caller, address),
    floatingIpPools: (caller) => floatingIpPools(deps, caller),
    listNetworks: async (caller) =>
      (await listNetworks(deps, asCaller(caller))).map((n) => ({
        id: String(n.id),
        name: typeof n.name === 'string' ? n.name : '',
      })),
    getNetwork: (caller, id) => getNetwork(deps, caller, id),
    addFixedIp: (caller, instanceId, networkId) => addFixedIp(deps, caller, instanceId, networkId),
    removeFixedIp: (caller, instanceId, address) =>
      removeFixedIp(deps, caller, instanceId, address),
  }
}
