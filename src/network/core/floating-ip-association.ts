/**
 * @module Where a floating IP may point: an IPv4 fixed address of a port of its project, on a
 * subnet that some router connects to the floating IP's external network (the router whose
 * interface is the subnet's gateway first), one floating IP per fixed address and network.
 */
import type { Kysely } from 'kysely'
import type { NetworkTables } from '../db/tables.js'
import type { Caller, NetworkDeps } from './deps.js'
import { parseIp } from './ip.js'
import { DEVICE_OWNER_DHCP, DEVICE_OWNER_ROUTER_GW, DEVICE_OWNER_ROUTER_INTF } from './l3-db.js'
import { badRequestFor, l3Errors } from './l3-errors.js'
import { showPort } from './ports.js'

export interface Association {
  portId: string | null
  fixedIp: string | null
  routerId: string | null
}

export const NO_ASSOCIATION: Association = { portId: null, fixedIp: null, routerId: null }

/** The floating IP as the association checks see it. */
export interface FloatingIpRef {
  id: string
  projectId: string
  networkId: string
  address: string
  portId: string | null
  fixedIp: string | null
  routerId: string | null
}

/**
 * The router that joins the port's subnet to the external network, preferring one whose
 * interface holds the subnet's gateway address; ExternalGatewayForFloatingIPNotFound if none.
 */
export async function routerForFloatingIp(
  db: Kysely<NetworkTables>,
  p: { portId: string; networkId: string; subnetId: string; externalNetworkId: string },
): Promise<string> {
  const candidates = await db
    .selectFrom('router_port as rp')
    .innerJoin('port as p', 'p.id', 'rp.port_id')
    .innerJoin('ip_allocation as ia', 'ia.port_id', 'p.id')
    .innerJoin('port as gw', 'gw.device_id', 'rp.router_id')
    .select(['rp.router_id', 'ia.ip_address'])
    .where('p.network_id', '=', p.networkId)
    .where('rp.port_type', '=', DEVICE_OWNER_ROUTER_INTF)
    .where('ia.subnet_id', '=', p.subnetId)
    .where('gw.network_id', '=', p.externalNetworkId)
    .where('gw.device_owner', '=', DEVICE_OWNER_ROUTER_GW)
    .orderBy('rp.router_id')
    .execute()
  const gateway = await db
    .selectFrom('subnet')
    .select('gateway_ip')
    .where('id', '=', p.subnetId)
    .executeTakeFirst()
  const best =
    candidates.find((c) => gateway?.gateway_ip && c.ip_address === gateway.gateway_ip) ??
    candidates[0]
  if (!best)
    throw l3Errors.externalGatewayNotFound({
      networkId: p.externalNetworkId,
      subnetId: p.subnetId,
      portId: p.portId,
    })
  return best.router_id
}

interface FixedIpEntry {
  subnet_id: string
  ip_address: string
}

/** The port, its subnet and address the floating IP would use (Neutron's checks, in order). */
async function internalTarget(
  deps: NetworkDeps,
  caller: Caller,
  fip: FloatingIpRef,
  req: { portId: string; fixedIp: string | null },
) {
  const port = await showPort(deps, caller, req.portId)
  const portId = String(port.id)
  if (port.project_id !== fip.projectId && !caller.isAdmin)
    throw badRequestFor(
      'floatingip',
      `Cannot process floating IP association with Port ${portId}, since that port is owned by a different tenant`,
    )
  if (port.device_owner === DEVICE_OWNER_DHCP)
    throw badRequestFor('floatingip', `Port ${portId} is unable to be assigned a floating IP`)
  const fixedIps = Array.isArray(port.fixed_ips) ? (port.fixed_ips as FixedIpEntry[]) : []
  let chosen: FixedIpEntry | undefined
  if (req.fixedIp !== null) {
    if (parseIp(req.fixedIp)?.version !== 4)
      throw badRequestFor(
        'floatingip',
        `Cannot process floating IP association with ${req.fixedIp}, since that is not an IPv4 address`,
      )
    chosen = fixedIps.find((ip) => ip.ip_address === req.fixedIp)
    if (!chosen)
      throw badRequestFor('floatingip', `Port ${portId} does not have fixed ip ${req.fixedIp}`)
  } else {
    const v4 = fixedIps.filter((ip) => parseIp(ip.ip_address)?.version === 4)
    if (v4.length === 0)
      throw badRequestFor(
        'floatingip',
        `Cannot add floating IP to port ${portId} that has no fixed IPv4 addresses`,
      )
    if (v4.length > 1)
      throw badRequestFor(
        'floatingip',
        `Port ${portId} has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP`,
      )
    chosen = v4[0]
  }
  // SAFETY: both branches above either set `chosen` or throw.
  const target = chosen as FixedIpEntry
  return { portId, networkId: String(port.network_id), target }
}

/**
 * What the floating IP points at after a request: `portId` undefined keeps the current
 * association, null removes it.
 */
export async function resolveAssociation(
  deps: NetworkDeps,
  caller: Caller,
  fip: FloatingIpRef,
  req: { portId: string | null | undefined; fixedIp: string | null | undefined },
): Promise<Association> {
  if (req.fixedIp && !req.portId)
    throw badRequestFor('floatingip', 'fixed_ip_address cannot be specified without a port_id')
  if (req.portId === undefined)
    return { portId: fip.portId, fixedIp: fip.fixedIp, routerId: fip.routerId }
  if (req.portId === null) return NO_ASSOCIATION
  const { portId, networkId, target } = await internalTarget(deps, caller, fip, {
    portId: req.portId,
    fixedIp: req.fixedIp ?? null,
  })
  // nova-network's hosts NAT floating IPs themselves: legacy networks need no router.
  const legacy =
    deps.config.manager !== 'neutron' &&
    (await deps.db
      .selectFrom('legacy_network')
      .select('network_id')
      .where('network_id', '=', networkId)
      .executeTakeFirst())
  const routerId = legacy
    ? null
    : await routerForFloatingIp(deps.db, {
        portId,
        networkId,
        subnetId: target.subnet_id,
        externalNetworkId: fip.networkId,
      })
  if (portId !== fip.portId) await checkNotAssociated(deps.db, fip, portId, target.ip_address)
  return { portId, fixedIp: target.ip_address, routerId }
}

/** One floating IP per fixed address on each external network (FloatingIPPortAlreadyAssociated). */
export async function checkNotAssociated(
  db: Kysely<NetworkTables>,
  fip: FloatingIpRef,
  portId: string,
  fixedIp: string,
): Promise<void> {
  const other = await db
    .selectFrom('floating_ip')
    .select('id')
    .where('fixed_port_id', '=', portId)
    .where('floating_network_id', '=', fip.networkId)
    .where('fixed_ip_address', '=', fixedIp)
    .where('id', '!=', fip.id)
    .executeTakeFirst()
  if (other)
    throw l3Errors.portAlreadyAssociated({
      floatingIpAddress: fip.address,
      fipId: fip.id,
      portId,
      fixedIp,
      networkId: fip.networkId,
    })
}
