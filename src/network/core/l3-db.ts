/**
 * @module What routers and floating IPs share: Neutron's device owners, who may see a router,
 * the router row lock, and reads of the ports, fixed IPs and subnets a router is made of.
 */
import { type Kysely, sql } from 'kysely'
import type { RouterRow, SubnetRow } from '../db/tables.js'
import type { NetworkTables } from '../db/tables.js'
import { networkErrors } from '../errors.js'
import { type Caller, type NetworkDeps, neutronTime } from './deps.js'
import { l3Errors } from './l3-errors.js'

export const DEVICE_OWNER_ROUTER_GW = 'network:router_gateway'
export const DEVICE_OWNER_ROUTER_INTF = 'network:router_interface'
export const DEVICE_OWNER_FLOATINGIP = 'network:floatingip'
export const DEVICE_OWNER_DHCP = 'network:dhcp'

export interface FixedIp {
  subnet_id: string
  ip_address: string
}

/** Neutron's elevated context: the L3 code makes and removes its own ports with it. */
export function elevated(caller: Caller): Caller {
  return { ...caller, isAdmin: true }
}

/** The router, if the caller may see it (its project or an admin); else RouterNotFound. */
export async function findRouter(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  id: string,
): Promise<RouterRow> {
  const row = await deps.db.selectFrom('router').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row || (!caller.isAdmin && row.project_id !== caller.projectId))
    throw l3Errors.routerNotFound(id)
  return row
}

/**
 * Bumps the router's revision (and sets `set`) as the first statement of a transaction: the
 * row lock it takes orders interface changes against a concurrent router delete. Throws
 * RouterNotFound when the router is gone.
 */
export async function lockRouter(
  db: Kysely<NetworkTables>,
  deps: Pick<NetworkDeps, 'clock'>,
  id: string,
  set: Partial<Pick<RouterRow, 'gw_port_id' | 'enable_snat'>> = {},
): Promise<void> {
  const result = await db
    .updateTable('router')
    .set({
      ...set,
      revision_number: sql<number>`revision_number + 1`,
      updated_at: neutronTime(deps.clock),
    })
    .where('id', '=', id)
    .executeTakeFirst()
  if (result.numUpdatedRows === 0n) throw l3Errors.routerNotFound(id)
}

/** Fixed IPs of ports, in Neutron's order (by address, then subnet). */
export async function fixedIpsOf(
  db: Kysely<NetworkTables>,
  portIds: readonly string[],
): Promise<Map<string, FixedIp[]>> {
  const out = new Map<string, FixedIp[]>()
  if (portIds.length === 0) return out
  const rows = await db
    .selectFrom('ip_allocation')
    .select(['port_id', 'subnet_id', 'ip_address'])
    .where('port_id', 'in', portIds)
    .orderBy('ip_address')
    .orderBy('subnet_id')
    .execute()
  for (const r of rows)
    out.set(r.port_id, [
      ...(out.get(r.port_id) ?? []),
      { subnet_id: r.subnet_id, ip_address: r.ip_address },
    ])
  return out
}

export interface RouterPortInfo {
  portId: string
  portType: string
  networkId: string
  fixedIps: FixedIp[]
}

/** The router's gateway and interface ports with their fixed IPs. */
export async function routerPorts(
  db: Kysely<NetworkTables>,
  routerId: string,
): Promise<RouterPortInfo[]> {
  const rows = await db
    .selectFrom('router_port')
    .innerJoin('port', 'port.id', 'router_port.port_id')
    .select(['router_port.port_id', 'router_port.port_type', 'port.network_id'])
    .where('router_port.router_id', '=', routerId)
    .orderBy('port.created_at')
    .orderBy('port.id')
    .execute()
  const ips = await fixedIpsOf(
    db,
    rows.map((r) => r.port_id),
  )
  return rows.map((r) => ({
    portId: r.port_id,
    portType: r.port_type,
    networkId: r.network_id,
    fixedIps: ips.get(r.port_id) ?? [],
  }))
}

export async function subnetsById(
  db: Kysely<NetworkTables>,
  ids: readonly string[],
): Promise<SubnetRow[]> {
  if (ids.length === 0) return []
  return db
    .selectFrom('subnet')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .execute()
}

export async function subnetsOfNetwork(
  db: Kysely<NetworkTables>,
  networkId: string,
): Promise<SubnetRow[]> {
  return db
    .selectFrom('subnet')
    .selectAll()
    .where('network_id', '=', networkId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

/**
 * The subnet, if the caller may see it (Neutron: its project, a shared network, or an
 * admin); else SubnetNotFound.
 */
export async function findSubnet(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  id: string,
): Promise<SubnetRow> {
  const row = await deps.db.selectFrom('subnet').selectAll().where('id', '=', id).executeTakeFirst()
  if (row && (caller.isAdmin || row.project_id === caller.projectId)) return row
  if (row) {
    const net = await deps.db
      .selectFrom('network')
      .select('shared')
      .where('id', '=', row.network_id)
      .executeTakeFirst()
    if (net?.shared === 1) return row
  }
  throw networkErrors.notFound('subnet', id)
}
