/**
 * @module nova-network's networks on top of Neutron's: each legacy network is a Neutron provider
 * network (flat on its bridge, or a VLAN on its interface) with one subnet whose allocation pools
 * leave out what nova-network reserves, so Neutron's IPAM hands instances the same addresses
 * nova-network did (the first instance of a /24 gets .2). Beside them, the legacy_network row
 * keeps what nova-network showed and did: bridges, VPN fields, project and host association.
 */
import { networkFailure } from '../../compute/network-client.js'
import type { LegacyNetworkRow } from '../db/tables.js'
import type { Caller, NetworkDeps } from '../core/deps.js'
import { neutronTime } from '../core/deps.js'
import { createNetwork, deleteNetwork } from '../core/networks.js'
import { createSubnet } from '../core/subnets.js'
import {
  type LegacyCreateRequest,
  type LegacyDefaults,
  type LegacyManager,
  LegacyPlanError,
  type PlannedNetwork,
  planLegacyNetworks,
} from './plan.js'

/** The legacy manager configured, or undefined in neutron mode. */
export function legacyManager(deps: Pick<NetworkDeps, 'config'>): LegacyManager | undefined {
  const m = deps.config.manager
  return m === 'neutron' ? undefined : m
}

function defaultsOf(deps: Pick<NetworkDeps, 'config'>, manager: LegacyManager): LegacyDefaults {
  const c = deps.config
  return {
    manager,
    numNetworks: c.numNetworks,
    networkSize: c.networkSize,
    flatNetworkBridge: c.flatNetworkBridge,
    flatInterface: c.flatInterface,
    flatNetworkDns: c.flatNetworkDns,
    vlanStart: c.vlanStart,
    vlanInterface: c.vlanInterface,
    vpnStart: c.vpnStart,
    cntVpnClients: c.cntVpnClients,
    multiHost: c.multiHost,
    shareDhcpAddress: c.shareDhcpAddress,
  }
}

function requireLegacy(deps: Pick<NetworkDeps, 'config'>): LegacyManager {
  const manager = legacyManager(deps)
  if (!manager)
    throw networkFailure(
      'NovaException',
      'BadRequest',
      'Legacy networks need [network] manager = flat, flat_dhcp or vlan.',
    )
  return manager
}

const operatorOf = (caller: Caller): Caller => ({ ...caller, isAdmin: true })

/** The Neutron network and subnet of one planned network; removed again if either fails. */
async function materialize(
  deps: NetworkDeps,
  caller: Caller,
  manager: LegacyManager,
  plan: PlannedNetwork,
): Promise<LegacyNetworkRow> {
  const operator = operatorOf(caller)
  const owner = plan.projectId ?? String(caller.projectId)
  const network = await createNetwork(
    deps,
    operator,
    {
      name: plan.label,
      project_id: owner,
      admin_state_up: true,
      // Flat networks serve every project, as nova-network's did; a VLAN is one project's.
      shared: manager !== 'vlan' && plan.projectId === null,
      'router:external': false,
      port_security_enabled: true,
      availability_zone_hints: [],
      description: `nova-network ${manager} network`,
      ...(plan.mtu === null ? {} : { mtu: plan.mtu }),
      ...(plan.vlan === null
        ? { 'provider:network_type': 'flat', 'provider:physical_network': plan.bridge }
        : {
            'provider:network_type': 'vlan',
            'provider:physical_network': plan.bridgeInterface,
            'provider:segmentation_id': plan.vlan,
          }),
    },
    { operator: true },
  )
  const networkId = String(network.id)
  try {
    const subnet = await createSubnet(
      deps,
      operator,
      {
        network_id: networkId,
        project_id: owner,
        name: plan.label,
        ip_version: 4,
        cidr: plan.cidr,
        gateway_ip: plan.gateway,
        enable_dhcp: plan.enableDhcp,
        allocation_pools: plan.pools.map(([start, end]) => ({ start, end })),
        dns_nameservers: [plan.dns1, plan.dns2].filter((d): d is string => d !== null),
        description: '',
      },
      { operator: true },
    )
    const now = neutronTime(deps.clock)
    const row: LegacyNetworkRow = {
      network_id: networkId,
      subnet_id: String(subnet.id),
      label: plan.label,
      cidr: plan.cidr,
      netmask: plan.netmask,
      broadcast: plan.broadcast,
      gateway: plan.gateway,
      dhcp_start: plan.dhcpStart,
      dhcp_server: plan.dhcpServer,
      bridge: plan.bridge,
      bridge_interface: plan.bridgeInterface,
      vlan: plan.vlan,
      multi_host: plan.multiHost ? 1 : 0,
      dns1: plan.dns1,
      dns2: plan.dns2,
      project_id: plan.projectId,
      owner_project_id: owner,
      host: null,
      vpn_private_address: plan.vpnPrivateAddress,
      vpn_public_address: null,
      vpn_public_port: plan.vpnPublicPort,
      injected: deps.config.flatInjected && manager === 'flat' ? 1 : 0,
      enable_dhcp: plan.enableDhcp ? 1 : 0,
      share_address: plan.shareAddress ? 1 : 0,
      mtu: plan.mtu,
      created_at: now,
      updated_at: now,
    }
    await deps.db.insertInto('legacy_network').values(row).execute()
    return row
  } catch (err) {
    await deleteNetwork(deps, operator, networkId)
    throw err
  }
}

/**
 * `nova-manage network create` (and POST /os-networks): plans every network first, so a bad
 * request creates nothing, then makes them one by one, undoing all of them if one fails.
 */
export async function createLegacyNetworks(
  deps: NetworkDeps,
  caller: Caller,
  req: LegacyCreateRequest,
): Promise<LegacyNetworkRow[]> {
  const manager = requireLegacy(deps)
  const existing = await deps.db.selectFrom('legacy_network').select(['cidr', 'vlan']).execute()
  let plans: PlannedNetwork[]
  try {
    plans = planLegacyNetworks(req, defaultsOf(deps, manager), {
      cidrs: existing.map((e) => e.cidr),
      vlans: existing.flatMap((e) => (e.vlan === null ? [] : [e.vlan])),
    })
  } catch (err) {
    if (err instanceof LegacyPlanError)
      throw networkFailure('InvalidInput', 'BadRequest', err.message)
    throw err
  }
  const made: LegacyNetworkRow[] = []
  try {
    for (const plan of plans) made.push(await materialize(deps, caller, manager, plan))
  } catch (err) {
    for (const row of made) await removeLegacyNetwork(deps, caller, row)
    throw err
  }
  return made
}

export async function listLegacyNetworks(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
): Promise<LegacyNetworkRow[]> {
  let q = deps.db.selectFrom('legacy_network').selectAll().orderBy('created_at').orderBy('label')
  // nova-network's project_only="allow_none": a project sees its own and the unassociated ones.
  if (!caller.isAdmin)
    q = q.where((eb) =>
      eb.or([eb('project_id', 'is', null), eb('project_id', '=', caller.projectId ?? '')]),
    )
  return q.execute()
}

const notFound = (id: string) =>
  networkFailure('NetworkNotFound', 'NotFound', `Network ${id} could not be found.`)

export async function getLegacyNetwork(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  id: string,
): Promise<LegacyNetworkRow> {
  const row = await deps.db
    .selectFrom('legacy_network')
    .selectAll()
    .where('network_id', '=', id)
    .executeTakeFirst()
  if (!row || (!caller.isAdmin && row.project_id !== null && row.project_id !== caller.projectId))
    throw notFound(id)
  return row
}

async function removeLegacyNetwork(
  deps: NetworkDeps,
  caller: Caller,
  row: LegacyNetworkRow,
): Promise<void> {
  await deps.db.deleteFrom('legacy_network').where('network_id', '=', row.network_id).execute()
  await deleteNetwork(deps, operatorOf(caller), row.network_id)
}

/** DELETE /os-networks/{id}: only once no project holds it and no instance uses it. */
export async function deleteLegacyNetwork(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
): Promise<void> {
  const row = await getLegacyNetwork(deps, caller, id)
  if (row.project_id !== null && requireLegacy(deps) === 'vlan')
    throw networkFailure(
      'NovaException',
      'Conflict',
      `Network must be disassociated from project ${row.project_id} before delete`,
    )
  const used = await deps.db
    .selectFrom('port')
    .select('id')
    .where('network_id', '=', id)
    .where('device_owner', 'not like', 'network:%')
    .executeTakeFirst()
  if (used) throw networkFailure('NovaException', 'Conflict', `Network ${id} is still in use.`)
  await removeLegacyNetwork(deps, caller, row)
}

/** Gives the network to a project (or back to its maker): Neutron's owner follows. */
async function setProject(
  deps: NetworkDeps,
  row: LegacyNetworkRow,
  projectId: string | null,
  onlyIfFree: boolean,
): Promise<boolean> {
  const now = neutronTime(deps.clock)
  return deps.db.transaction().execute(async (trx) => {
    let q = trx
      .updateTable('legacy_network')
      .set({ project_id: projectId, updated_at: now })
      .where('network_id', '=', row.network_id)
    if (onlyIfFree) q = q.where('project_id', 'is', null)
    const res = await q.executeTakeFirst()
    if (res.numUpdatedRows === 0n) return false
    const owner = projectId ?? row.owner_project_id
    const shared = projectId === null && deps.config.manager !== 'vlan' ? 1 : 0
    await trx
      .updateTable('network')
      .set({ project_id: owner, shared, updated_at: now })
      .where('id', '=', row.network_id)
      .execute()
    await trx
      .updateTable('subnet')
      .set({ project_id: owner, updated_at: now })
      .where('network_id', '=', row.network_id)
      .execute()
    return true
  })
}

/** The os-networks associations: a project (null: none), a host (null: none). */
export async function associateLegacyNetwork(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  change: { project?: string | null; host?: string | null },
): Promise<void> {
  requireLegacy(deps)
  const row = await getLegacyNetwork(deps, caller, id)
  if (change.project !== undefined) await setProject(deps, row, change.project, false)
  if (change.host !== undefined)
    await deps.db
      .updateTable('legacy_network')
      .set({ host: change.host, updated_at: neutronTime(deps.clock) })
      .where('network_id', '=', id)
      .execute()
}

/**
 * VlanManager's network on demand: the project's network, else the free one with the lowest
 * VLAN, taken with a conditional update so two projects never get the same one.
 */
export async function ensureProjectNetwork(
  deps: NetworkDeps,
  projectId: string,
  networkId?: string,
): Promise<LegacyNetworkRow | undefined> {
  if (deps.config.manager !== 'vlan') return undefined
  for (let attempt = 0; attempt < 20; attempt++) {
    const own = await deps.db
      .selectFrom('legacy_network')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('vlan')
      .executeTakeFirst()
    if (own && networkId === undefined) return own
    let q = deps.db
      .selectFrom('legacy_network')
      .selectAll()
      .where('project_id', 'is', null)
      .orderBy('vlan')
    if (networkId !== undefined) q = q.where('network_id', '=', networkId)
    const free = await q.executeTakeFirst()
    if (!free) {
      if (own) return own
      throw networkFailure('NovaException', 'BadRequest', 'No more available networks.')
    }
    if (await setProject(deps, free, projectId, true)) return { ...free, project_id: projectId }
  }
  throw networkFailure('NovaException', 'Conflict', 'No more available networks.')
}
