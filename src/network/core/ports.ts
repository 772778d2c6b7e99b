/**
 * @module Ports: creation (MAC, fixed IPs, security groups, address pairs, DHCP options, all in
 * one transaction under the project's port quota, so a refusal leaves nothing behind), show,
 * list and delete. This is also the internal API routers, floating IPs and compute use: they
 * pass `{...caller, isAdmin: true}` and attributes shaped like prepareCreate's output.
 *
 * Binding: there is no L2 agent to report a port up yet, so a port is ACTIVE as soon as it is
 * bound to a host (binding:host_id set, vnic_type normal) while it and its network are up, and
 * DOWN otherwise; bound ports show vif_type `bridge` (our linuxbridge-style data plane).
 */
import { portGone } from './nova-notifier.js'
import { type Kysely, type Transaction } from 'kysely'
import { insertIfAbsent } from '../../lib/db/errors.js'
import { uuid } from '../../lib/ids/ids.js'
import type { NetworkTables, PortRow } from '../db/tables.js'
import { networkErrors, neutronError } from '../errors.js'
import { portCreated, portDeleted, routerUpdated } from './agent-notify.js'
import { ensureDefaultSecurityGroup } from './default-security-group.js'
import { disassociateFloatingIpsOfPort } from './floating-ips.js'
import { type Caller, type NetworkDeps, neutronTime } from './deps.js'
import {
  allocateIps,
  type FixedIpSpec,
  loadIpamSubnets,
  planFixedIps,
  withDbRetry,
} from './ipam.js'
import { normalizeMac, randomMac } from './mac.js'
import { findNetwork } from './networks.js'
import {
  checkAddressPairs,
  checkDhcpOptions,
  checkSecurityGroups,
  writeAddressPairs,
  writeDhcpOptions,
  writeSecurityGroups,
} from './port-extras.js'
import {
  addressPairsNeedPortSecurity,
  checkMaxFixedIps,
  checkOwnerOnly,
  checkRouterDevice,
  existingSubnets,
  findPortRow,
  groupsNeedPortSecurity,
  bindingState,
  macInUse,
  macTaken,
  showPort,
} from './port-rules.js'
import { withQuota } from './quotas.js'
import { deleteTags, setTags } from './tags.js'

export { listPorts, portItems, type PortItem } from './port-items.js'
export { updatePort } from './port-update.js'
export { findPortRow, showPort } from './port-rules.js'

/** Owners whose ports only their router or floating IP may delete (Neutron's router_device_owners). */
const L3_OWNERS = [
  'network:router_interface',
  'network:router_gateway',
  'network:floatingip',
  'network:ha_router_replicated_interface',
  'network:router_interface_distributed',
  'network:router_centralized_snat',
  'network:router_ha_interface',
]

/** MACs tried before giving up on a network (Neutron's mac_generation_retries). */
const MAC_TRIES = 16

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

export async function createPort(
  deps: NetworkDeps,
  caller: Caller,
  attrs: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const networkId = String(attrs.network_id)
  const network = await findNetwork(deps, caller, networkId)
  const projectId = str(attrs.project_id) ?? caller.projectId ?? ''
  const deviceOwner = str(attrs.device_owner) ?? ''
  const deviceId = str(attrs.device_id) ?? ''
  checkOwnerOnly('create_port', caller, network, attrs)
  await checkRouterDevice(deps.db, caller, { projectId, deviceOwner, deviceId })
  // Neutron trusts network:* ports (DHCP, routers): no port security, no groups.
  const trusted = deviceOwner.startsWith('network:')
  const portSecurity = trusted
    ? false
    : typeof attrs.port_security_enabled === 'boolean'
      ? attrs.port_security_enabled
      : network.port_security_enabled === 1
  const pairs = checkAddressPairs(attrs.allowed_address_pairs)
  if (pairs.length > 0 && !portSecurity) throw addressPairsNeedPortSecurity()
  const requested = attrs.security_groups as string[] | undefined
  let groups: string[] = []
  if (portSecurity)
    groups =
      requested !== undefined
        ? await checkSecurityGroups(deps.db, requested, { projectId, isAdmin: caller.isAdmin })
        : projectId === ''
          ? []
          : [await ensureDefaultSecurityGroup(deps, projectId)]
  else if (requested && requested.length > 0) throw groupsNeedPortSecurity()
  const fixed = attrs.fixed_ips as FixedIpSpec[] | undefined
  checkMaxFixedIps(deps, fixed)
  const plan = planFixedIps(await loadIpamSubnets(deps.db, networkId), fixed, {
    networkId,
    deviceOwner,
    subnetExists: await existingSubnets(deps.db, fixed),
  })
  const options = checkDhcpOptions(attrs.extra_dhcp_opts)
  const givenMac = attrs.mac_address === undefined ? undefined : normalizeMac(attrs.mac_address)
  if (givenMac !== undefined && (await macTaken(deps.db, networkId, givenMac)))
    throw macInUse(networkId, givenMac)
  const host = str(attrs['binding:host_id']) ?? ''
  const vnicType = str(attrs['binding:vnic_type']) ?? 'normal'
  const portUp = attrs.admin_state_up !== false
  const id = uuid()
  const now = neutronTime(deps.clock)
  const row: PortRow = {
    id,
    project_id: projectId,
    network_id: networkId,
    name: str(attrs.name) ?? '',
    mac_address: givenMac ?? '',
    admin_state_up: portUp ? 1 : 0,
    device_id: deviceId,
    device_owner: deviceOwner,
    port_security_enabled: portSecurity ? 1 : 0,
    host_id: host,
    vnic_type: vnicType,
    binding_profile: JSON.stringify(attrs['binding:profile'] ?? {}),
    dns_name: '',
    ip_allocation: fixed !== undefined && fixed.length === 0 ? 'none' : 'immediate',
    description: str(attrs.description) ?? '',
    created_at: now,
    updated_at: now,
    revision_number: 1,
    ...bindingState(host, vnicType, portUp, network.admin_state_up === 1),
  }
  const work = async (trx: Transaction<NetworkTables>) => {
    const mac = await insertPortRow(trx, deps, row, givenMac)
    await allocateIps(trx, deps, { networkId, portId: id, mac }, plan)
    await writeSecurityGroups(trx, id, groups)
    await writeAddressPairs(trx, id, mac, pairs)
    await writeDhcpOptions(trx, id, options)
    if (Array.isArray(attrs.tags)) await setTags(trx, 'ports', id, attrs.tags as string[])
  }
  await withDbRetry(() =>
    projectId === ''
      ? deps.db.transaction().execute(work)
      : withQuota(deps, projectId, 'port', 1, work),
  )
  deps.notifier.notify('port.create.end', {
    port: { id, network_id: networkId, project_id: projectId },
  })
  const port = await showPort(deps, { ...caller, isAdmin: true }, id)
  await portCreated(deps, port)
  return port
}

/** Inserts the port with the given MAC or a fresh random one; the unique index settles races. */
async function insertPortRow(
  trx: Transaction<NetworkTables>,
  deps: Pick<NetworkDeps, 'dialect' | 'config'>,
  row: PortRow,
  givenMac: string | undefined,
): Promise<string> {
  for (let i = 0; i < MAC_TRIES; i++) {
    const mac = givenMac ?? randomMac(deps.config.baseMac)
    if (
      await insertIfAbsent(
        trx.insertInto('port').values({ ...row, mac_address: mac }),
        deps.dialect,
      )
    )
      return mac
    if (givenMac !== undefined) throw macInUse(row.network_id, givenMac)
  }
  throw neutronError(
    'Unavailable',
    'NetworkMacAddressGenerationFailure',
    `Unable to generate unique mac on network ${row.network_id}.`,
  )
}

/**
 * Deletes the port and gives its addresses back. Ports of routers and floating IPs (that still
 * exist) are refused unless `internal` (their own code removing them): ServicePortInUse.
 */
export async function deletePort(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  opts: { internal?: boolean } = {},
): Promise<void> {
  const row = await findPortRow(deps, caller, id)
  if (!opts.internal && L3_OWNERS.includes(row.device_owner)) await checkL3Port(deps.db, row)
  const routers = await withDbRetry(() =>
    deps.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('ip_allocation').where('port_id', '=', id).execute()
      await trx.deleteFrom('port_security_group').where('port_id', '=', id).execute()
      await trx.deleteFrom('port_address_pair').where('port_id', '=', id).execute()
      await trx.deleteFrom('port_dhcp_option').where('port_id', '=', id).execute()
      await deleteTags(trx, 'ports', id)
      await trx.deleteFrom('port').where('id', '=', id).execute()
      // Floating IPs of the port lose their association, as Neutron's disassociate_floatingips.
      return disassociateFloatingIpsOfPort({ db: trx, clock: deps.clock }, id)
    }),
  )
  deps.notifier.notify('port.delete.end', { port_id: id })
  portGone(deps, row)
  await portDeleted(deps, id, row.network_id)
  await routerUpdated(deps, routers)
}

async function checkL3Port(db: Kysely<NetworkTables>, row: PortRow): Promise<void> {
  const ip = await db
    .selectFrom('ip_allocation')
    .select('port_id')
    .where('port_id', '=', row.id)
    .executeTakeFirst()
  // A port of a router or floating IP that is gone (or with no address) is stale: it may go.
  if (!ip || row.device_id === '') return
  const owner =
    row.device_owner === 'network:floatingip'
      ? await db
          .selectFrom('floating_ip')
          .select('id')
          .where('id', '=', row.device_id)
          .executeTakeFirst()
      : await db
          .selectFrom('router')
          .select('id')
          .where('id', '=', row.device_id)
          .executeTakeFirst()
  if (owner)
    throw networkErrors.inUse(
      'ServicePortInUse',
      `Port ${row.id} cannot be deleted directly via the port API: has device owner ${row.device_owner}.`,
    )
}
