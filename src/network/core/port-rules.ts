/**
 * @module Rules ports share between create and update: who sees a port, who may set which
 * attribute (Neutron's port policies), what a binding makes of the status, and the refusals
 * both paths raise.
 */
import type { Kysely } from 'kysely'
import type { NetworkRow, NetworkTables, PortRow } from '../db/tables.js'
import { networkErrors, neutronError } from '../errors.js'
import type { Caller, NetworkDeps } from './deps.js'
import type { FixedIpSpec } from './ipam.js'
import { type PortItem, portItems } from './port-items.js'

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** The row, if the caller may see it (its project, the network's owner, or admin); else PortNotFound. */
export async function findPortRow(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  id: string,
): Promise<PortRow> {
  const row = await deps.db.selectFrom('port').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw networkErrors.notFound('port', id)
  if (caller.isAdmin || row.project_id === caller.projectId) return row
  const net = await deps.db
    .selectFrom('network')
    .select('project_id')
    .where('id', '=', row.network_id)
    .executeTakeFirst()
  if (net?.project_id !== caller.projectId || caller.projectId === undefined)
    throw networkErrors.notFound('port', id)
  return row
}

export async function showPort(deps: NetworkDeps, caller: Caller, id: string): Promise<PortItem> {
  const [item] = await portItems(deps, [await findPortRow(deps, caller, id)])
  return item as PortItem
}

/** What binding:host_id and the admin states make of a port. */
export function bindingState(
  hostId: string,
  vnicType: string,
  portUp: boolean,
  networkUp: boolean,
): { status: string; vif_type: string; vif_details: string } {
  if (hostId === '') return { status: 'DOWN', vif_type: 'unbound', vif_details: '{}' }
  if (vnicType !== 'normal')
    return { status: 'DOWN', vif_type: 'binding_failed', vif_details: '{}' }
  const status = portUp && networkUp ? 'ACTIVE' : 'DOWN'
  return { status, vif_type: 'bridge', vif_details: JSON.stringify({ port_filter: true }) }
}

/** Policy on attributes only the network's owner (or an admin) may set (Neutron's port policies). */
export function checkOwnerOnly(
  action: 'create_port' | 'update_port',
  caller: Caller,
  network: NetworkRow,
  attrs: Record<string, unknown>,
): void {
  if (caller.isAdmin || network.project_id === caller.projectId) return
  const refuse = (attr: string) => networkErrors.policy(`${action}:${attr}`)
  if (attrs.mac_address !== undefined) throw refuse('mac_address')
  if (attrs.fixed_ips !== undefined) {
    if (network.shared !== 1) throw refuse('fixed_ips')
    if ((attrs.fixed_ips as FixedIpSpec[]).some((f) => 'ip_address' in f))
      throw refuse('fixed_ips:ip_address')
  }
  if (str(attrs.device_owner)?.startsWith('network:')) throw refuse('device_owner')
  if (attrs.port_security_enabled !== undefined) throw refuse('port_security_enabled')
  if (attrs.allowed_address_pairs !== undefined) throw refuse('allowed_address_pairs')
}

/** A project may not claim another project's router as its port's device (DeviceIDNotOwnedByTenant). */
export async function checkRouterDevice(
  db: Kysely<NetworkTables>,
  caller: Caller,
  port: { projectId: string; deviceOwner: string; deviceId: string },
): Promise<void> {
  if (caller.isAdmin || port.deviceId === '') return
  if (
    ![
      'network:router_interface',
      'network:ha_router_replicated_interface',
      'network:router_interface_distributed',
    ].includes(port.deviceOwner)
  )
    return
  const router = await db
    .selectFrom('router')
    .select('project_id')
    .where('id', '=', port.deviceId)
    .executeTakeFirst()
  if (router && router.project_id !== port.projectId)
    throw neutronError(
      'Conflict',
      'DeviceIDNotOwnedByTenant',
      `The following device_id ${port.deviceId} is not owned by your tenant or matches another tenants router.`,
    )
}

export function checkMaxFixedIps(
  deps: Pick<NetworkDeps, 'config'>,
  fixed: readonly unknown[] | undefined,
): void {
  if (fixed && fixed.length > deps.config.maxFixedIpsPerPort)
    throw networkErrors.invalidInput('Exceeded maximum amount of fixed ips per port')
}

export function macInUse(networkId: string, mac: string) {
  return networkErrors.inUse(
    'MacAddressInUse',
    `Unable to complete operation for network ${networkId}. The mac address ${mac} is in use.`,
  )
}

/** Ids of the named subnets that exist anywhere (tells SubnetNotFound from a wrong network). */
export async function existingSubnets(
  db: Kysely<NetworkTables>,
  fixed: readonly FixedIpSpec[] | undefined,
): Promise<Set<string>> {
  const ids = (fixed ?? []).flatMap((f) => (f.subnet_id === undefined ? [] : [f.subnet_id]))
  if (ids.length === 0) return new Set()
  const rows = await db.selectFrom('subnet').select('id').where('id', 'in', ids).execute()
  return new Set(rows.map((r) => r.id))
}

export function addressPairsNeedPortSecurity() {
  return networkErrors.conflict(
    'AddressPairAndPortSecurityRequired',
    'Port Security must be enabled in order to have allowed address pairs on a port.',
  )
}

export function groupsNeedPortSecurity() {
  return neutronError(
    'BadRequest',
    'PortSecurityAndIPRequiredForSecurityGroups',
    'Port security must be enabled and port must have an IP address in order to use security groups.',
  )
}

export async function macTaken(
  db: Kysely<NetworkTables>,
  networkId: string,
  mac: string,
): Promise<boolean> {
  const hit = await db
    .selectFrom('port')
    .select('id')
    .where('network_id', '=', networkId)
    .where('mac_address', '=', mac)
    .executeTakeFirst()
  return hit !== undefined
}
