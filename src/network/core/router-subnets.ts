/**
 * @module Which subnets a router may join: never one it already has a port on, never one that
 * overlaps a subnet it already routes (its external network's count too), never an IPv6
 * subnet that takes its RAs from an outside router.
 */
import type { Kysely } from 'kysely'
import type { NetworkTables, SubnetRow } from '../db/tables.js'
import { overlaps, parseCidr } from './ip.js'
import { DEVICE_OWNER_ROUTER_GW, routerPorts, subnetsById, subnetsOfNetwork } from './l3-db.js'
import { badRequestFor } from './l3-errors.js'

/**
 * Refuses `newSubnets` on the router when it already has a port on one of them or one
 * overlaps a subnet the router is on. `excludePortId` leaves out a port about to be replaced.
 */
export async function checkDuplicateSubnets(
  db: Kysely<NetworkTables>,
  routerId: string,
  newSubnets: readonly SubnetRow[],
  opts: { excludePortId?: string | null } = {},
): Promise<void> {
  const newIds = new Set(newSubnets.map((s) => s.id))
  const routed: string[] = []
  for (const port of await routerPorts(db, routerId)) {
    if (port.portId === opts.excludePortId) continue
    for (const ip of port.fixedIps) {
      if (newIds.has(ip.subnet_id))
        throw badRequestFor('router', `Router already has a port on subnet ${ip.subnet_id}`)
      if (port.portType === DEVICE_OWNER_ROUTER_GW)
        routed.push(...(await subnetsOfNetwork(db, port.networkId)).map((s) => s.id))
      else routed.push(ip.subnet_id)
    }
  }
  for (const sub of await subnetsById(db, routed)) {
    const have = parseCidr(sub.cidr)
    for (const s of newSubnets) {
      const want = parseCidr(s.cidr)
      if (have && want && overlaps(have, want))
        throw badRequestFor(
          'router',
          `Cidr ${s.cidr} of subnet ${s.id} overlaps with cidr ${sub.cidr} of subnet ${sub.id}`,
        )
    }
  }
}

/** An IPv6 subnet whose hosts follow an outside router's RAs cannot be routed by ours. */
export function checkAddressMode(subnet: SubnetRow): void {
  if (subnet.ip_version === 6 && subnet.ipv6_ra_mode === null && subnet.ipv6_address_mode !== null)
    throw badRequestFor(
      'router',
      `IPv6 subnet ${subnet.id} configured to receive RAs from an external router cannot be added to Neutron Router.`,
    )
}
