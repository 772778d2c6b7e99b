/**
 * @module os-fixed-ips on legacy networks. nova-network kept a row per address with a `reserved`
 * flag; here an address is reserved when it lies outside its subnet's allocation pools, so
 * reserving one takes it out of the pools (Neutron's IPAM then never hands it out) and
 * unreserving puts it back, except the addresses nova-network itself keeps (network, gateway,
 * DHCP server, VPN, broadcast).
 */
import { networkFailure } from '../../compute/network-client.js'
import type { LegacyNetworkRow } from '../db/tables.js'
import type { NetworkDeps } from '../core/deps.js'
import { contains, formatIp, lastOf, parseCidr, parseIp } from '../core/ip.js'
import { writePools } from '../core/subnet-rows.js'

export interface LegacyFixedIp {
  address: string
  cidr: string
  reserved: boolean
  /** The instance (port device_id) holding it, if any. */
  instanceId: string | null
}

async function networkOf(
  deps: Pick<NetworkDeps, 'db'>,
  address: string,
): Promise<{ row: LegacyNetworkRow; ip: bigint }> {
  const ip = parseIp(address)
  if (!ip || ip.version !== 4)
    throw networkFailure('InvalidInput', 'BadRequest', `Fixed IP address ${address} is invalid.`)
  const rows = await deps.db.selectFrom('legacy_network').selectAll().execute()
  const row = rows.find((r) => {
    const cidr = parseCidr(r.cidr)
    return cidr !== undefined && contains(cidr, ip)
  })
  if (!row)
    throw networkFailure(
      'FixedIpNotFoundForAddress',
      'NotFound',
      `Fixed IP address ${address} is not found.`,
    )
  return { row, ip: ip.value }
}

async function poolsOf(deps: Pick<NetworkDeps, 'db'>, subnetId: string) {
  const rows = await deps.db
    .selectFrom('subnet_allocation_pool')
    .select(['first_ip', 'last_ip'])
    .where('subnet_id', '=', subnetId)
    .execute()
  return rows
    .map((r) => [parseIp(r.first_ip)?.value ?? 0n, parseIp(r.last_ip)?.value ?? 0n] as const)
    .map(([a, b]) => [a, b] as [bigint, bigint])
    .sort((x, y) => (x[0] < y[0] ? -1 : 1))
}

export async function showLegacyFixedIp(
  deps: Pick<NetworkDeps, 'db'>,
  address: string,
): Promise<LegacyFixedIp> {
  const { row, ip } = await networkOf(deps, address)
  const pools = await poolsOf(deps, row.subnet_id)
  const holder = await deps.db
    .selectFrom('ip_allocation as ia')
    .innerJoin('port as p', 'p.id', 'ia.port_id')
    .select(['p.device_id', 'p.device_owner'])
    .where('ia.subnet_id', '=', row.subnet_id)
    .where('ia.ip_address', '=', formatIp(4, ip))
    .executeTakeFirst()
  return {
    address: formatIp(4, ip),
    cidr: row.cidr,
    reserved: !pools.some(([a, b]) => a <= ip && ip <= b),
    instanceId:
      holder && holder.device_owner.startsWith('compute:') && holder.device_id !== ''
        ? holder.device_id
        : null,
  }
}

/** The addresses nova-network always kept out of the pools, whatever the operator asks. */
function alwaysReserved(row: LegacyNetworkRow): Set<bigint> {
  const cidr = parseCidr(row.cidr)
  const out = new Set<bigint>()
  if (!cidr) return out
  out.add(cidr.network)
  out.add(lastOf(cidr))
  for (const a of [row.gateway, row.dhcp_server, row.vpn_private_address]) {
    const v = a === null ? undefined : parseIp(a)
    if (v) out.add(v.value)
  }
  return out
}

function withoutAddress(pools: [bigint, bigint][], ip: bigint): [bigint, bigint][] {
  return pools.flatMap(([a, b]): [bigint, bigint][] => {
    if (ip < a || ip > b) return [[a, b]]
    const out: [bigint, bigint][] = []
    if (a < ip) out.push([a, ip - 1n])
    if (ip < b) out.push([ip + 1n, b])
    return out
  })
}

function withAddress(pools: [bigint, bigint][], ip: bigint): [bigint, bigint][] {
  const merged: [bigint, bigint][] = []
  for (const [a, b] of [...pools, [ip, ip] as [bigint, bigint]].sort((x, y) =>
    x[0] < y[0] ? -1 : 1,
  )) {
    const last = merged[merged.length - 1]
    if (last && a <= last[1] + 1n) last[1] = b > last[1] ? b : last[1]
    else merged.push([a, b])
  }
  return merged
}

/** POST /os-fixed-ips/{address}/action reserve|unreserve. */
export async function setLegacyFixedIpReserved(
  deps: Pick<NetworkDeps, 'db'>,
  address: string,
  reserved: boolean,
): Promise<void> {
  const { row, ip } = await networkOf(deps, address)
  if (!reserved && alwaysReserved(row).has(ip)) return
  const pools = await poolsOf(deps, row.subnet_id)
  const next = reserved ? withoutAddress(pools, ip) : withAddress(pools, ip)
  await deps.db.transaction().execute((trx) => writePools(trx, row.subnet_id, 4, next))
}
