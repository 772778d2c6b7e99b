/**
 * @module Neutron's network-ip-availability: per network, and per subnet, how many addresses
 * the allocation pools hold (the whole CIDR for a subnet without pools) and how many are
 * allocated. Totals of IPv6 pools exceed 2^53, so they are bigints until the wire.
 */
import type { NetworkDeps } from './deps.js'
import { parseCidr, parseIp, sizeOf } from './ip.js'

export interface SubnetAvailability {
  subnet_id: string
  subnet_name: string
  ip_version: number
  cidr: string
  used_ips: number
  total_ips: bigint
}

export interface NetworkAvailability {
  network_id: string
  network_name: string
  project_id: string
  tenant_id: string
  used_ips: number
  total_ips: bigint
  subnet_ip_availability: SubnetAvailability[]
}

export interface AvailabilityFilters {
  network_id?: readonly string[]
  network_name?: readonly string[]
  project_id?: readonly string[]
  ip_version?: readonly number[]
}

/** Every network (with at least one subnet of the wanted version when ip_version is given). */
export async function ipAvailabilities(
  deps: Pick<NetworkDeps, 'db'>,
  f: AvailabilityFilters = {},
): Promise<NetworkAvailability[]> {
  const db = deps.db
  let nets = db.selectFrom('network').select(['id', 'name', 'project_id'])
  if (f.network_id?.length) nets = nets.where('id', 'in', [...f.network_id])
  if (f.network_name?.length) nets = nets.where('name', 'in', [...f.network_name])
  if (f.project_id?.length) nets = nets.where('project_id', 'in', [...f.project_id])
  const networks = await nets.orderBy('created_at').orderBy('id').execute()
  if (networks.length === 0) return []
  const ids = networks.map((n) => n.id)
  let subs = db
    .selectFrom('subnet')
    .select(['id', 'name', 'network_id', 'ip_version', 'cidr'])
    .where('network_id', 'in', ids)
  if (f.ip_version?.length) subs = subs.where('ip_version', 'in', [...f.ip_version])
  const subnets = await subs.orderBy('created_at').orderBy('id').execute()
  const subnetIds = subnets.map((s) => s.id)
  const [pools, used] =
    subnetIds.length === 0
      ? [[], []]
      : await Promise.all([
          db
            .selectFrom('subnet_allocation_pool')
            .selectAll()
            .where('subnet_id', 'in', subnetIds)
            .execute(),
          db
            .selectFrom('ip_allocation')
            .select((eb) => ['subnet_id', eb.fn.countAll<number | string>().as('n')])
            .where('subnet_id', 'in', subnetIds)
            .groupBy('subnet_id')
            .execute(),
        ])
  const usedOf = new Map(used.map((u) => [u.subnet_id, Number(u.n)]))
  const totalOf = new Map<string, bigint>()
  for (const p of pools) {
    const first = parseIp(p.first_ip)?.value
    const last = parseIp(p.last_ip)?.value
    if (first === undefined || last === undefined) continue
    totalOf.set(p.subnet_id, (totalOf.get(p.subnet_id) ?? 0n) + last - first + 1n)
  }
  const out: NetworkAvailability[] = []
  for (const n of networks) {
    const own = subnets.filter((s) => s.network_id === n.id)
    if (f.ip_version?.length && own.length === 0) continue
    const items = own.map((s) => {
      const cidr = parseCidr(s.cidr)
      return {
        subnet_id: s.id,
        subnet_name: s.name,
        ip_version: s.ip_version,
        cidr: s.cidr,
        used_ips: usedOf.get(s.id) ?? 0,
        total_ips: totalOf.get(s.id) ?? (cidr ? sizeOf(cidr) : 0n),
      }
    })
    out.push({
      network_id: n.id,
      network_name: n.name,
      project_id: n.project_id,
      tenant_id: n.project_id,
      used_ips: items.reduce((a, s) => a + s.used_ips, 0),
      total_ips: items.reduce((a, s) => a + s.total_ips, 0n),
      subnet_ip_availability: items,
    })
  }
  return out
}
