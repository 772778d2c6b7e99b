/**
 * @module Ports for servers, as Nova's network API makes them (allocate_for_instance): the
 * requested ports are checked and taken over, ports are created on the requested (or only)
 * networks with the server's security groups, then all are bound to the host with
 * device_id = server and device_owner = compute:<zone>. A failure deletes what this call made
 * and gives back what it took. Also the create-time checks (validate_networks).
 */
import { ensureHostAddresses } from '../legacy/multi-host.js'
import { ensureProjectNetwork } from '../legacy/networks.js'
import {
  type AllocateRequest,
  type NetworkCaller,
  networkFailure,
  type RequestedNetwork,
  type Vif,
} from '../../compute/network-client.js'
import type { NetworkDeps } from '../core/deps.js'
import { showPort } from '../core/ports.js'
import { projectLimits, usage } from '../core/quotas.js'
import {
  ambiguous,
  type AvailableNetwork,
  availableNetworks,
  checkExternalAttach,
  networkNotFound,
} from './networks.js'
import {
  admin,
  asAdmin,
  asCaller,
  type Json,
  neutronCreatePort,
  neutronDeletePort,
  neutronStatus,
  neutronType,
  neutronUpdatePort,
} from './neutron.js'
import { autoAllocatedNetwork, canAutoAllocate, cannotAutoAllocate } from './auto-allocate.js'
import { portsOfDevices, vifsOf } from './nw-info.js'
import { securityGroupIds } from './security-groups.js'

/** Nova's _show_port: PortNotFound in Nova's words. */
export async function lookupPort(
  deps: NetworkDeps,
  caller: NetworkCaller,
  portId: string,
): Promise<Json> {
  try {
    return await showPort(deps, asCaller(caller), portId)
  } catch (err) {
    if (neutronStatus(err) === 404)
      throw networkFailure('PortNotFound', 'NotFound', `Port id ${portId} could not be found.`)
    throw err
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '')
const fixedIpsOf = (port: Json) =>
  Array.isArray(port.fixed_ips) ? (port.fixed_ips as { ip_address: string }[]) : []

function checkBinding(port: Json): void {
  if (port['binding:vif_type'] === 'binding_failed')
    throw networkFailure(
      'PortBindingFailed',
      'BadRequest',
      `Binding failed for port ${str(port.id)}, please check neutron logs for more information.`,
    )
}

const unspecified = (r: RequestedNetwork) => r.networkId === undefined && r.portId === undefined

/** Nova's _ports_needed_per_instance and validate_networks, at server create. */
export async function validateNetworks(
  deps: NetworkDeps,
  caller: NetworkCaller,
  requested: AllocateRequest['requested'],
  maxCount: number,
): Promise<number> {
  let needed = 0
  if (requested === 'none') return maxCount
  if (requested === undefined || requested === 'auto' || requested.length === 0) {
    // VlanManager gives a project its network on first use.
    await ensureProjectNetwork(deps, caller.projectId)
    const nets = await availableNetworks(deps, caller, caller.projectId)
    if (nets.length > 1) throw ambiguous()
    if (nets.length === 0 && requested === 'auto' && !(await canAutoAllocate(deps, caller)))
      throw cannotAutoAllocate(caller.projectId)
    needed = 1
  } else {
    const netIds: string[] = []
    for (const r of requested) {
      if (r.portId !== undefined) {
        const port = await lookupPort(deps, caller, r.portId)
        if (str(port.device_id) !== '') throw portInUse(r.portId)
        if (fixedIpsOf(port).length === 0)
          throw networkFailure(
            'PortRequiresFixedIP',
            'BadRequest',
            `Port ${r.portId} requires a FixedIP in order to be used.`,
          )
        continue
      }
      needed++
      netIds.push(r.networkId ?? '')
      if (r.fixedIp !== undefined) await checkFixedIpFree(deps, r.networkId ?? '', r.fixedIp)
    }
    if (netIds.length > 0) {
      const nets = await availableNetworks(deps, caller, caller.projectId, { ids: netIds })
      for (const n of nets)
        if (!n.hasSubnets)
          throw networkFailure(
            'NetworkRequiresSubnet',
            'BadRequest',
            `Network ${n.row.id} requires a subnet in order to boot instances on.`,
          )
      const found = new Set(nets.map((n) => n.row.id))
      const lost = [...new Set(netIds)].filter((id) => !found.has(id))
      if (lost.length > 0) throw networkNotFound(lost.join(', '))
    }
  }
  if (needed === 0) return maxCount
  const limit = (await projectLimits(deps, caller.projectId)).port
  if (limit < 0) return maxCount
  const used = await usage(deps.db, caller.projectId, 'port')
  const free = limit - used
  if (free < 0)
    throw networkFailure(
      'PortLimitExceeded',
      'Forbidden',
      `The number of defined ports: ${used} is over the limit: ${limit}`,
    )
  return free >= needed * maxCount ? maxCount : Math.floor(free / needed)
}

async function checkFixedIpFree(deps: NetworkDeps, networkId: string, ip: string): Promise<void> {
  const taken = await deps.db
    .selectFrom('ip_allocation')
    .innerJoin('port', 'port.id', 'ip_allocation.port_id')
    .select('port.device_id')
    .where('ip_allocation.network_id', '=', networkId)
    .where('ip_allocation.ip_address', '=', ip)
    .executeTakeFirst()
  if (taken)
    throw networkFailure(
      'FixedIpAlreadyInUse',
      'BadRequest',
      `Fixed IP address ${ip} is already in use on instance ${taken.device_id}.`,
    )
}

const portInUse = (portId: string) =>
  networkFailure('PortInUse', 'Conflict', `Port ${portId} is still in use.`)

interface Planned {
  request: RequestedNetwork & { networkId: string }
  /** The user's own port, when the request named one. */
  port?: Json
}

/** Nova's _validate_requested_port_ids: the user's ports are free, theirs, and bindable. */
async function takeRequestedPorts(
  deps: NetworkDeps,
  caller: NetworkCaller,
  req: AllocateRequest,
): Promise<Planned[]> {
  const planned: Planned[] = []
  if (req.requested === undefined || req.requested === 'auto' || req.requested === 'none')
    return planned
  for (const r of req.requested) {
    if (r.portId !== undefined) {
      const port = await lookupPort(deps, asAdmin(caller), r.portId)
      if (str(port.project_id) !== req.projectId)
        throw networkFailure(
          'PortNotUsable',
          'BadRequest',
          `Port ${r.portId} not usable for instance ${req.instanceId}.`,
        )
      if (str(port.device_id) !== '') throw portInUse(r.portId)
      checkBinding(port)
      planned.push({ request: { ...r, networkId: str(port.network_id) }, port })
    } else if (r.networkId !== undefined)
      planned.push({ request: { ...r, networkId: r.networkId } })
  }
  return planned
}

/** Nova's _validate_requested_network_ids: the networks to use, picking the only one if none was named. */
async function networksFor(
  deps: NetworkDeps,
  caller: NetworkCaller,
  req: AllocateRequest,
  planned: Planned[],
): Promise<Map<string, AvailableNetwork>> {
  const requested = req.requested
  const auto = requested === 'auto'
  const listed: readonly RequestedNetwork[] =
    typeof requested === 'string' || requested === undefined ? [] : requested
  if (listed.length === 0) await ensureProjectNetwork(deps, req.projectId)
  let nets = await availableNetworks(deps, caller, req.projectId, {
    ids: planned.map((p) => p.request.networkId),
    upOnly: auto,
  })
  if (nets.length === 0 && auto) nets = [await autoAllocatedNetwork(deps, caller, req.projectId)]
  if (nets.length === 0) {
    if (listed.length === 0) return new Map()
    for (const r of listed)
      if (r.portId === undefined && r.networkId !== undefined) throw networkNotFound(r.networkId)
  }
  const single = listed.length === 1 && listed[0] !== undefined && unspecified(listed[0])
  if (listed.length === 0 || single || auto) {
    if (nets.length === 0)
      throw networkFailure(
        'InterfaceAttachFailedNoNetwork',
        'BadRequest',
        `No specific network was requested and none are available for project '${req.projectId}'.`,
      )
    if (nets.length > 1) throw ambiguous()
    const only = nets[0] as AvailableNetwork
    planned.push({ request: { ...(listed[0] ?? {}), networkId: only.row.id } })
    nets = [only]
  }
  checkExternalAttach(nets, req.canAttachExternal)
  return new Map(nets.map((n) => [n.row.id, n]))
}

/** Nova's _create_port_minimal, with Neutron's refusals in Nova's words. */
async function createPortFor(
  deps: NetworkDeps,
  caller: NetworkCaller,
  req: AllocateRequest,
  networkId: string,
  fixedIp: string | undefined,
  groups: string[],
): Promise<string> {
  try {
    const port = await neutronCreatePort(deps, asCaller(caller), {
      device_id: req.instanceId,
      network_id: networkId,
      admin_state_up: true,
      project_id: req.projectId,
      ...(fixedIp === undefined ? {} : { fixed_ips: [{ ip_address: fixedIp }] }),
      ...(groups.length > 0 ? { security_groups: groups } : {}),
    })
    return str(port.id)
  } catch (err) {
    const type = neutronType(err)
    if (type === 'InvalidIpForNetwork' || type === 'InvalidIpForSubnet')
      throw networkFailure(
        'InvalidInput',
        'BadRequest',
        `Invalid input received: Fixed IP ${fixedIp ?? ''} is not a valid ip address for network ${networkId}.`,
      )
    if (type === 'IpAddressInUse' || type === 'IpAddressAlreadyAllocated')
      throw networkFailure(
        'FixedIpAlreadyInUse',
        'Conflict',
        `Fixed IP ${fixedIp ?? ''} is already in use.`,
      )
    if (type === 'OverQuota')
      throw networkFailure('PortLimitExceeded', 'Forbidden', 'Maximum number of ports exceeded')
    if (type === 'IpAddressGenerationFailure')
      throw networkFailure(
        'NoMoreFixedIps',
        'BadRequest',
        `No fixed IP addresses available for network: ${networkId}`,
      )
    throw err
  }
}

const cannotApplyGroups = () =>
  networkFailure(
    'SecurityGroupCannotBeApplied',
    'BadRequest',
    'Network requires port_security_enabled and subnet associated in order to apply security groups.',
  )

/** Takes the user's port back off a server (Nova's _unbind_ports). */
export async function unbindPort(
  deps: NetworkDeps,
  caller: NetworkCaller,
  portId: string,
): Promise<void> {
  try {
    await neutronUpdatePort(deps, admin(caller), portId, {
      device_id: '',
      device_owner: '',
      'binding:host_id': null,
    })
  } catch (err) {
    if (neutronStatus(err) !== 404) throw err
  }
}

export async function allocateForInstance(
  deps: NetworkDeps,
  caller: NetworkCaller,
  req: AllocateRequest,
): Promise<Vif[]> {
  if (req.requested === 'none') return []
  const planned = await takeRequestedPorts(deps, caller, req)
  const nets = await networksFor(deps, caller, req, planned)
  if (nets.size === 0) return []
  const groups = await securityGroupIds(deps, caller, req.projectId, req.securityGroups)
  const created: string[] = []
  const taken: string[] = []
  try {
    for (const p of planned) {
      const net = nets.get(p.request.networkId)
      if (!net || p.port) continue
      if (net.row.port_security_enabled === 1 ? !net.hasSubnets : groups.length > 0)
        throw cannotApplyGroups()
      created.push(await createPortFor(deps, caller, req, net.row.id, p.request.fixedIp, groups))
    }
    let next = 0
    const order: string[] = []
    const tags = new Map<string, string | null>()
    for (const p of planned) {
      if (!nets.has(p.request.networkId)) continue
      const portId = p.port ? str(p.port.id) : (created[next++] ?? '')
      order.push(portId)
      tags.set(portId, p.request.tag ?? null)
      const port = await neutronUpdatePort(deps, admin(caller), portId, {
        device_id: req.instanceId,
        device_owner: `compute:${req.availabilityZone}`,
        'binding:host_id': req.host,
      })
      if (p.port) taken.push(portId)
      checkBinding(port)
    }
    const rows = await portsOfDevices(deps, [req.instanceId])
    await ensureHostAddresses(
      deps,
      rows.map((r) => r.network_id),
      req.host,
    )
    const byId = new Map(rows.map((r) => [r.id, r]))
    const ours = order.flatMap((id) => {
      const row = byId.get(id)
      return row ? [row] : []
    })
    const vifs = await vifsOf(deps, ours, [])
    return vifs.map((v) => ({
      ...v,
      preserveOnDelete: taken.includes(v.id),
      tag: tags.get(v.id) ?? null,
    }))
  } catch (err) {
    for (const id of taken) await unbindPort(deps, caller, id).catch(() => undefined)
    for (const id of created)
      await neutronDeletePort(deps, admin(caller), id).catch(() => undefined)
    throw err
  }
}

/** Nova's deallocate_for_instance: made ports go, the user's are given back. Idempotent. */
export async function deallocateForInstance(
  deps: NetworkDeps,
  caller: NetworkCaller,
  instanceId: string,
  preserved: readonly string[],
): Promise<void> {
  const keep = new Set(preserved)
  for (const id of keep) await unbindPort(deps, caller, id)
  for (const port of await portsOfDevices(deps, [instanceId]))
    if (!keep.has(port.id)) await neutronDeletePort(deps, admin(caller), port.id)
}

/** Binds every port of the server to `host` (or unbinds them). */
export async function bindPorts(
  deps: NetworkDeps,
  instanceId: string,
  host: string | null,
): Promise<void> {
  const service: NetworkCaller = { projectId: '', userId: '', isAdmin: true, requestId: '' }
  const ports = await portsOfDevices(deps, [instanceId])
  for (const port of ports)
    await neutronUpdatePort(deps, admin(service), port.id, { 'binding:host_id': host })
  await ensureHostAddresses(
    deps,
    ports.map((p) => p.network_id),
    host,
  )
}
