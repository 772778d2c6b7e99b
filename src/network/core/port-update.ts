/**
 * @module Port updates: fixed IPs re-planned as Neutron does (addresses asked for again are kept,
 * a subnet asked for again keeps its address, the rest is freed except SLAAC addresses), the
 * MAC (while unbound), groups, port security, address pairs, DHCP options and binding — all in
 * one transaction, so a refused address frees nothing and changes nothing.
 */
import { portsChanged } from './nova-notifier.js'
import { sql, type Transaction } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import type { NetworkTables, PortRow } from '../db/tables.js'
import { networkErrors, neutronError } from '../errors.js'
import { portUpdated, type SegmentInfo } from './agent-notify.js'
import { type Caller, type NetworkDeps, neutronTime } from './deps.js'
import { normalizeIp } from './ip.js'
import {
  allocateIps,
  type FixedIp,
  type FixedIpSpec,
  type IpamSubnet,
  type IpRequest,
  isAutoAddress,
  isEui64,
  loadIpamSubnets,
  planFixedIps,
  releaseIps,
  ROUTER_INTERFACE_OWNERS_SNAT,
  withDbRetry,
} from './ipam.js'
import { normalizeMac } from './mac.js'
import { findNetwork } from './networks.js'
import {
  checkAddressPairs,
  checkDhcpOptions,
  checkSecurityGroups,
  writeAddressPairs,
  writeDhcpOptions,
  writeSecurityGroups,
} from './port-extras.js'
import { portItems } from './port-items.js'
import {
  addressPairsNeedPortSecurity,
  bindingState,
  checkMaxFixedIps,
  checkOwnerOnly,
  checkRouterDevice,
  existingSubnets,
  findPortRow,
  groupsNeedPortSecurity,
  macInUse,
  macTaken,
  showPort,
} from './port-rules.js'

interface IpChanges {
  keep: FixedIp[]
  remove: FixedIp[]
  requests: IpRequest[]
}

/** Neutron's _get_changed_ips_for_port, then the plan for what is new. */
function changedIps(
  original: readonly FixedIp[],
  wanted: readonly FixedIpSpec[],
  subnets: IpamSubnet[],
  ctx: { networkId: string; deviceOwner: string; subnetExists: ReadonlySet<string> },
): IpChanges {
  const keep: FixedIp[] = []
  const add: FixedIpSpec[] = []
  const candidates: FixedIp[] = []
  const byIp = new Map(original.map((o) => [o.ip_address, o]))
  for (const w of wanted) {
    if (w.ip_address === undefined) continue
    const key = normalizeIp(w.ip_address) ?? w.ip_address
    const o = byIp.get(key)
    if (o) {
      keep.push(o)
      byIp.delete(key)
    } else add.push(w)
  }
  const bySubnet = new Map<string, FixedIp[]>()
  for (const o of byIp.values())
    bySubnet.set(o.subnet_id, [...(bySubnet.get(o.subnet_id) ?? []), o])
  for (const w of wanted) {
    if (w.ip_address !== undefined) continue
    const o = bySubnet.get(w.subnet_id ?? '')?.pop()
    if (!o) add.push(w)
    else if (isEui64(o.ip_address)) {
      // The prefix may have changed: let IPAM give the EUI-64 address again.
      add.push(w)
      candidates.push(o)
    } else keep.push(o)
  }
  const remove: FixedIp[] = []
  const auto = new Set(subnets.filter(isAutoAddress).map((s) => s.id))
  const routerPort = ROUTER_INTERFACE_OWNERS_SNAT.includes(ctx.deviceOwner)
  for (const o of [...[...bySubnet.values()].flat(), ...candidates])
    if (routerPort || !auto.has(o.subnet_id)) remove.push(o)
    else keep.push(o)
  const handledAuto = new Set(
    [...keep, ...remove, ...add].flatMap((x) => (x.subnet_id === undefined ? [] : [x.subnet_id])),
  )
  const requests = planFixedIps(subnets, add, { ...ctx, handledAuto })
  return { keep, remove, requests }
}

const has = (attrs: Record<string, unknown>, key: string) => attrs[key] !== undefined

export async function updatePort(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  attrs: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const row = await findPortRow(deps, caller, id)
  const network = await findNetwork(deps, { ...caller, isAdmin: true }, row.network_id)
  checkOwnerOnly('update_port', caller, network, attrs)
  const [current] = await portItems(deps, [row])
  const original = (current?.fixed_ips ?? []) as FixedIp[]
  const deviceOwner = typeof attrs.device_owner === 'string' ? attrs.device_owner : row.device_owner
  const deviceId = typeof attrs.device_id === 'string' ? attrs.device_id : row.device_id
  if (has(attrs, 'device_owner') || has(attrs, 'device_id'))
    await checkRouterDevice(deps.db, caller, { projectId: row.project_id, deviceOwner, deviceId })
  const mac = await newMac(deps, row, attrs, deviceOwner)
  const portSecurity =
    typeof attrs.port_security_enabled === 'boolean'
      ? attrs.port_security_enabled
      : row.port_security_enabled === 1
  const pairs = has(attrs, 'allowed_address_pairs')
    ? checkAddressPairs(attrs.allowed_address_pairs)
    : undefined
  const groups = attrs.security_groups as string[] | undefined
  if (!portSecurity) {
    const keptPairs = pairs ?? (current?.allowed_address_pairs as unknown[] | undefined) ?? []
    if (keptPairs.length > 0) throw addressPairsNeedPortSecurity()
    if (groups && groups.length > 0) throw groupsNeedPortSecurity()
    if (
      groups === undefined &&
      ((current?.security_groups as unknown[] | undefined) ?? []).length > 0
    )
      throw neutronError(
        'Conflict',
        'PortSecurityPortHasSecurityGroup',
        'Port has security group associated. Cannot disable port security or IP address until security group is removed.',
      )
  }
  const checkedGroups =
    groups === undefined
      ? undefined
      : await checkSecurityGroups(deps.db, groups, {
          projectId: row.project_id,
          isAdmin: caller.isAdmin,
        })
  const options = has(attrs, 'extra_dhcp_opts') ? checkDhcpOptions(attrs.extra_dhcp_opts) : []
  const subnets = await loadIpamSubnets(deps.db, row.network_id)
  const wanted = attrs.fixed_ips as FixedIpSpec[] | undefined
  checkMaxFixedIps(deps, wanted)
  const ctx = {
    networkId: row.network_id,
    deviceOwner,
    subnetExists: await existingSubnets(deps.db, wanted),
  }
  const changes: IpChanges = wanted
    ? changedIps(original, wanted, subnets, ctx)
    : { keep: [...original], remove: [], requests: [] }
  if (mac !== row.mac_address) {
    // SLAAC addresses follow the MAC.
    const byId = new Map(subnets.map((s) => [s.id, s]))
    for (const o of changes.keep.filter((k) => isEui64(k.ip_address))) {
      const subnet = byId.get(o.subnet_id)
      if (!subnet || !isAutoAddress(subnet)) continue
      changes.keep = changes.keep.filter((k) => k !== o)
      changes.remove.push(o)
      changes.requests.push({ kind: 'eui64', subnet })
    }
  }
  const host = typeof attrs['binding:host_id'] === 'string' ? attrs['binding:host_id'] : row.host_id
  const vnicType =
    typeof attrs['binding:vnic_type'] === 'string' ? attrs['binding:vnic_type'] : row.vnic_type
  const portUp =
    typeof attrs.admin_state_up === 'boolean' ? attrs.admin_state_up : row.admin_state_up === 1
  const set: Partial<PortRow> = {
    mac_address: mac,
    device_owner: deviceOwner,
    device_id: deviceId,
    admin_state_up: portUp ? 1 : 0,
    port_security_enabled: portSecurity ? 1 : 0,
    host_id: host,
    vnic_type: vnicType,
    ...bindingState(host, vnicType, portUp, network.admin_state_up === 1),
    updated_at: neutronTime(deps.clock),
  }
  if (typeof attrs.name === 'string') set.name = attrs.name
  if (typeof attrs.description === 'string') set.description = attrs.description
  if (has(attrs, 'binding:profile'))
    set.binding_profile = JSON.stringify(attrs['binding:profile'] ?? {})
  const work = async (trx: Transaction<NetworkTables>) => {
    await releaseIps(trx, id, changes.remove)
    await allocateIps(trx, deps, { networkId: row.network_id, portId: id, mac }, changes.requests)
    await trx
      .updateTable('port')
      .set({ ...set, revision_number: sql<number>`revision_number + 1` })
      .where('id', '=', id)
      .execute()
    if (checkedGroups) await writeSecurityGroups(trx, id, checkedGroups)
    if (pairs) await writeAddressPairs(trx, id, mac, pairs)
    if (options.length > 0) await writeDhcpOptions(trx, id, options)
  }
  try {
    await withDbRetry(() => deps.db.transaction().execute(work))
  } catch (err) {
    // Another port took the MAC between the check and the update.
    if (isUniqueViolation(err)) throw macInUse(row.network_id, mac)
    throw err
  }
  deps.notifier.notify('port.update.end', { port: { id, network_id: row.network_id } })
  const port = await showPort(deps, { ...caller, isAdmin: true }, id)
  await portUpdated(deps, port, await segmentOf(deps, row.network_id))
  // Compute's view of the server follows its addresses (Neutron's nova notifier).
  if (changes.remove.length > 0 || changes.requests.length > 0) await portsChanged(deps, [id])
  return port
}

/** The network's first segment, as the L2 agents' port_update carries it. */
async function segmentOf(deps: Pick<NetworkDeps, 'db'>, networkId: string): Promise<SegmentInfo> {
  const seg = await deps.db
    .selectFrom('network_segment')
    .select(['network_type', 'segmentation_id', 'physical_network'])
    .where('network_id', '=', networkId)
    .orderBy('segment_index')
    .executeTakeFirst()
  return {
    network_type: seg?.network_type ?? null,
    segmentation_id: seg && seg.segmentation_id !== 0 ? seg.segmentation_id : null,
    physical_network: seg && seg.physical_network !== '' ? seg.physical_network : null,
  }
}

/** The port's MAC after the update: changeable only while unbound and not a network:* port. */
async function newMac(
  deps: NetworkDeps,
  row: PortRow,
  attrs: Record<string, unknown>,
  deviceOwner: string,
): Promise<string> {
  if (attrs.mac_address === undefined) return row.mac_address
  const mac = normalizeMac(attrs.mac_address) ?? row.mac_address
  if (mac === row.mac_address) return mac
  if (deviceOwner.startsWith('network:'))
    throw networkErrors.conflict(
      'UnsupportedPortDeviceOwner',
      `Operation mac address update is not supported for device_owner ${deviceOwner} on port ${row.id}.`,
    )
  if (row.vif_type !== 'unbound' && row.vif_type !== 'binding_failed')
    throw networkErrors.conflict(
      'PortBound',
      `Unable to complete operation on port ${row.id}, port is already bound, port type: ${row.vif_type}, old_mac ${row.mac_address}, new_mac ${mac}.`,
    )
  if (await macTaken(deps.db, row.network_id, mac)) throw macInUse(row.network_id, mac)
  return mac
}
