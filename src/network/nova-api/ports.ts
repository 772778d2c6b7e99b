/**
 * @module A server's ports one at a time, as Nova's network API handles them: os-interface's
 * view of a port, a port detached (deleted, or given back to the user who brought it), the
 * device-up report of a hypervisor that plugged ports, and multinic's extra fixed addresses.
 */
import { networkFailure, type NetworkCaller, type PortInfo } from '../../compute/network-client.js'
import type { NetworkDeps } from '../core/deps.js'
import { bumpRevision } from '../core/networks.js'
import { listPorts } from '../core/ports.js'
import { lookupPort, unbindPort } from './allocate.js'
import {
  admin,
  asAdmin,
  asCaller,
  type Json,
  neutronDeletePort,
  neutronUpdatePort,
} from './neutron.js'
import { portsOfDevices } from './nw-info.js'

const str = (v: unknown) => (typeof v === 'string' ? v : '')
const fixedIpsOf = (port: Json) =>
  Array.isArray(port.fixed_ips)
    ? (port.fixed_ips as { subnet_id: string; ip_address: string }[])
    : []

export function portInfo(port: Json): PortInfo {
  return {
    id: str(port.id),
    networkId: str(port.network_id),
    macAddress: str(port.mac_address),
    status: str(port.status),
    deviceId: str(port.device_id),
    projectId: str(port.project_id),
    fixedIps: fixedIpsOf(port).map((f) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })),
  }
}

export async function serverPorts(
  deps: NetworkDeps,
  caller: NetworkCaller,
  instanceId: string,
): Promise<PortInfo[]> {
  return (await listPorts(deps, asCaller(caller), { device_id: instanceId })).map(portInfo)
}

export async function showPortInfo(
  deps: NetworkDeps,
  caller: NetworkCaller,
  portId: string,
): Promise<PortInfo> {
  return portInfo(await lookupPort(deps, caller, portId))
}

/** Nova's deallocate_port_for_instance: the user's port is given back, a made one deleted. */
export async function deallocatePort(
  deps: NetworkDeps,
  caller: NetworkCaller,
  portId: string,
  preserved: boolean,
): Promise<void> {
  if (preserved) await unbindPort(deps, caller, portId)
  else await neutronDeletePort(deps, admin(caller), portId)
}

/**
 * A hypervisor plugged these ports (what an L2 agent reports as update_device_up): ports bound
 * to `host`, up and bound without failure come up. Ports on other hosts stay as they are.
 */
export async function vifsPlugged(
  deps: NetworkDeps,
  host: string,
  portIds: readonly string[],
): Promise<void> {
  if (portIds.length === 0) return
  const rows = await deps.db
    .selectFrom('port')
    .select('id')
    .where('id', 'in', [...portIds])
    .where('host_id', '=', host)
    .where('status', '!=', 'ACTIVE')
    .where('admin_state_up', '=', 1)
    .where('vif_type', 'not in', ['unbound', 'binding_failed'])
    .execute()
  for (const r of rows) {
    await bumpRevision(deps, 'port', r.id, { status: 'ACTIVE' })
    deps.notifier.notify('port.update.end', { port: { id: r.id, status: 'ACTIVE' } })
  }
}

export async function portStatuses(
  deps: NetworkDeps,
  portIds: readonly string[],
): Promise<Record<string, string>> {
  if (portIds.length === 0) return {}
  const rows = await deps.db
    .selectFrom('port')
    .select(['id', 'status'])
    .where('id', 'in', [...portIds])
    .execute()
  return Object.fromEntries(rows.map((r) => [r.id, r.status]))
}

const noNetwork = (instanceId: string) =>
  networkFailure(
    'NetworkNotFound',
    'BadRequest',
    `Network could not be found for instance ${instanceId}.`,
  )

/** Nova's add_fixed_ip_to_instance: one more address from a subnet of the network. */
export async function addFixedIp(
  deps: NetworkDeps,
  caller: NetworkCaller,
  instanceId: string,
  networkId: string,
): Promise<void> {
  const subnets = await deps.db
    .selectFrom('subnet')
    .select('id')
    .where('network_id', '=', networkId)
    .orderBy('created_at')
    .execute()
  if (subnets.length === 0) throw noNetwork(instanceId)
  const ports = (await portsOfDevices(deps, [instanceId])).filter((p) => p.network_id === networkId)
  for (const p of ports) {
    const current = fixedIpsOf(await lookupPort(deps, asAdmin(caller), p.id))
    for (const s of subnets)
      try {
        await neutronUpdatePort(deps, asCaller(caller), p.id, {
          fixed_ips: [...current, { subnet_id: s.id }],
        })
        return
      } catch {
        // Nova tries the next subnet.
      }
  }
  throw noNetwork(instanceId)
}

/** Nova's remove_fixed_ip_from_instance. */
export async function removeFixedIp(
  deps: NetworkDeps,
  caller: NetworkCaller,
  instanceId: string,
  address: string,
): Promise<void> {
  for (const p of await portsOfDevices(deps, [instanceId])) {
    const current = fixedIpsOf(await lookupPort(deps, asAdmin(caller), p.id))
    if (!current.some((f) => f.ip_address === address)) continue
    await neutronUpdatePort(deps, asCaller(caller), p.id, {
      fixed_ips: current.filter((f) => f.ip_address !== address),
    })
    return
  }
  throw networkFailure(
    'FixedIpNotFoundForInstance',
    'BadRequest',
    `Instance ${instanceId} does not have fixed IP '${address}'.`,
  )
}
