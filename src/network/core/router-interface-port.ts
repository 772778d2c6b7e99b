/**
 * @module Whether a port the caller brings may become a router interface (Neutron's checks
 * for add_router_interface by port_id): free, addressed, one IPv4 subnet, no subnet the
 * router already has, and (for non-admins) addresses from the pools unless the subnet is theirs.
 */
import type { RouterRow, SubnetRow } from '../db/tables.js'
import type { Caller, NetworkDeps } from './deps.js'
import { parseIp } from './ip.js'
import { type FixedIp, routerPorts, subnetsById } from './l3-db.js'
import { badRequestFor, l3Errors } from './l3-errors.js'
import { checkAddressMode, checkDuplicateSubnets } from './router-subnets.js'

const isV6 = (ip: FixedIp) => parseIp(ip.ip_address)?.version === 6

/** The port's subnets, in the order of its fixed IPs, once every check passed. */
export async function checkPortAttachable(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  router: RouterRow,
  port: Record<string, unknown>,
): Promise<SubnetRow[]> {
  const portId = String(port.id)
  const networkId = String(port.network_id)
  if (port.device_id !== '')
    throw l3Errors.portInUse({ portId, networkId, deviceId: String(port.device_id) })
  const fixedIps = Array.isArray(port.fixed_ips) ? (port.fixed_ips as FixedIp[]) : []
  if (fixedIps.length === 0)
    throw badRequestFor('router', 'Router port must have at least one fixed IP')
  const byId = new Map(
    (
      await subnetsById(
        deps.db,
        fixedIps.map((f) => f.subnet_id),
      )
    ).map((s) => [s.id, s]),
  )
  const subnets = [...new Set(fixedIps.map((f) => f.subnet_id))]
    .map((id) => byId.get(id))
    .filter((s) => s !== undefined)
  for (const s of subnets) checkAddressMode(s)
  if (fixedIps.some(isV6))
    for (const other of await routerPorts(deps.db, router.id))
      if (other.networkId === networkId && other.fixedIps.some(isV6))
        throw badRequestFor(
          'router',
          `Cannot have multiple router ports with the same network id if both contain IPv6 subnets. Existing port ${other.portId} has IPv6 subnet(s) and network id ${networkId}`,
        )
  await checkDuplicateSubnets(deps.db, router.id, subnets)
  if (subnets.filter((s) => s.ip_version === 4).length > 1)
    throw badRequestFor('router', 'Cannot have multiple IPv4 subnets on router port')
  if (!caller.isAdmin) await checkInPools(deps, caller, portId, fixedIps, byId)
  return subnets
}

/** A non-admin may not put a router on an address outside the pools of someone else's subnet. */
async function checkInPools(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  portId: string,
  fixedIps: FixedIp[],
  subnets: Map<string, SubnetRow>,
): Promise<void> {
  const pools = await deps.db
    .selectFrom('subnet_allocation_pool')
    .selectAll()
    .where(
      'subnet_id',
      'in',
      fixedIps.map((f) => f.subnet_id),
    )
    .execute()
  for (const ip of fixedIps) {
    const addr = parseIp(ip.ip_address)
    const inPool = pools.some((p) => {
      const first = parseIp(p.first_ip)
      const last = parseIp(p.last_ip)
      return (
        p.subnet_id === ip.subnet_id &&
        addr !== undefined &&
        first !== undefined &&
        last !== undefined &&
        addr.version === first.version &&
        addr.value >= first.value &&
        addr.value <= last.value
      )
    })
    if (!inPool && subnets.get(ip.subnet_id)?.project_id !== caller.projectId)
      throw badRequestFor(
        'router',
        `Cannot add interface to router because specified port ${portId} has an IP address out of the allocation pool of subnet ${ip.subnet_id}, which is not owned by the project making the request`,
      )
  }
}
