/**
 * @module os-floating-ips-bulk on Neutron: a pool is an external network named after it, each
 * range one subnet of that network whose allocation pool is the range's host addresses. The
 * floating IPs themselves are Neutron's, made when a project allocates one (nova-network made
 * a row per address up front; the list below shows every address of every range the same way).
 */
import { type LegacyFloatingIpInfo, networkFailure } from '../../compute/network-client.js'
import type { Caller, NetworkDeps } from '../core/deps.js'
import { neutronTime } from '../core/deps.js'
import {
  type Cidr,
  formatCidr,
  formatIp,
  lastOf,
  overlaps,
  parseCidr,
  parseIp,
} from '../core/ip.js'
import { createNetwork, deleteNetwork } from '../core/networks.js'
import { createSubnet, deleteSubnet } from '../core/subnets.js'
import { deleteFloatingIp } from '../core/floating-ips.js'

export interface FloatingRangeRequest {
  ipRange: string
  pool: string
  interface: string
}

const invalid = (reason: string) =>
  networkFailure('InvalidInput', 'BadRequest', `Invalid input received: ${reason}`)

/** nova's _address_to_hosts: one address, or a CIDR of at least 4 addresses (its hosts). */
function rangeOf(ipRange: string): { cidr: Cidr; first: bigint; last: bigint } {
  const single = parseIp(ipRange)
  if (single) {
    if (single.version !== 4) throw invalid(`${ipRange} is not an IPv4 address`)
    const cidr: Cidr = { version: 4, network: single.value, prefix: 32 }
    return { cidr, first: single.value, last: single.value }
  }
  const cidr = parseCidr(ipRange)
  if (!cidr || cidr.version !== 4) throw invalid(`invalid IPNetwork ${ipRange}`)
  if (cidr.prefix > 30)
    throw invalid(`/${cidr.prefix} should be specified as single address(es) not in cidr format`)
  return { cidr, first: cidr.network + 1n, last: lastOf(cidr) - 1n }
}

const operatorOf = (caller: Caller): Caller => ({ ...caller, isAdmin: true })

/** The pool's external network: the one of that name, made on first use. */
async function poolNetwork(deps: NetworkDeps, caller: Caller, pool: string): Promise<string> {
  const found = await deps.db
    .selectFrom('network')
    .select('id')
    .where('name', '=', pool)
    .where('external', '=', 1)
    .orderBy('created_at')
    .executeTakeFirst()
  if (found) return found.id
  const made = await createNetwork(
    deps,
    operatorOf(caller),
    {
      name: pool,
      project_id: String(caller.projectId),
      admin_state_up: true,
      shared: false,
      'router:external': true,
      port_security_enabled: true,
      availability_zone_hints: [],
      description: 'nova-network floating IP pool',
      // Floating addresses live on each host's public_interface, not on one L2 segment.
      'provider:network_type': 'local',
    },
    { operator: true },
  )
  return String(made.id)
}

/** POST /os-floating-ips-bulk. */
export async function createFloatingRange(
  deps: NetworkDeps,
  caller: Caller,
  req: FloatingRangeRequest,
): Promise<void> {
  const range = rangeOf(req.ipRange)
  const existing = await deps.db.selectFrom('legacy_floating_range').selectAll().execute()
  for (const e of existing) {
    const other = parseCidr(e.ip_range)
    if (other && overlaps(other, range.cidr)) {
      const first = other.network > range.first ? other.network : range.first
      throw networkFailure(
        'NovaException',
        'Conflict',
        `Floating IP ${formatIp(4, first)} already exists.`,
      )
    }
  }
  const networkId = await poolNetwork(deps, caller, req.pool)
  const subnet = await createSubnet(
    deps,
    operatorOf(caller),
    {
      network_id: networkId,
      project_id: String(caller.projectId),
      name: req.ipRange,
      ip_version: 4,
      cidr: formatCidr(range.cidr),
      gateway_ip: null,
      enable_dhcp: false,
      allocation_pools: [{ start: formatIp(4, range.first), end: formatIp(4, range.last) }],
      description: '',
    },
    { operator: true },
  )
  await deps.db
    .insertInto('legacy_floating_range')
    .values({
      ip_range: formatCidr(range.cidr),
      pool: req.pool,
      interface: req.interface,
      network_id: networkId,
      subnet_id: String(subnet.id),
      created_at: neutronTime(deps.clock),
    })
    .execute()
}

/** PUT /os-floating-ips-bulk/delete: the range, its floating IPs (disassociated), its subnet. */
export async function deleteFloatingRange(
  deps: NetworkDeps,
  caller: Caller,
  ipRange: string,
): Promise<void> {
  const key = formatCidr(rangeOf(ipRange).cidr)
  const row = await deps.db
    .selectFrom('legacy_floating_range')
    .selectAll()
    .where('ip_range', '=', key)
    .executeTakeFirst()
  if (!row)
    throw networkFailure(
      'FloatingIpNotFoundForAddress',
      'NotFound',
      `Floating IP not found for address ${ipRange}.`,
    )
  const operator = operatorOf(caller)
  const fips = await deps.db
    .selectFrom('floating_ip as f')
    .innerJoin('ip_allocation as ia', 'ia.port_id', 'f.floating_port_id')
    .select('f.id')
    .where('ia.subnet_id', '=', row.subnet_id)
    .execute()
  for (const f of fips) await deleteFloatingIp(deps, operator, f.id)
  await deleteSubnet(deps, operator, row.subnet_id)
  await deps.db.deleteFrom('legacy_floating_range').where('ip_range', '=', key).execute()
  const left = await deps.db
    .selectFrom('subnet')
    .select('id')
    .where('network_id', '=', row.network_id)
    .executeTakeFirst()
  if (!left) await deleteNetwork(deps, operator, row.network_id)
}

/** GET /os-floating-ips-bulk: every address of every range, with who holds it. */
export async function listFloatingRanges(
  deps: Pick<NetworkDeps, 'db'>,
): Promise<LegacyFloatingIpInfo[]> {
  const ranges = await deps.db
    .selectFrom('legacy_floating_range')
    .selectAll()
    .orderBy('created_at')
    .execute()
  const held = await deps.db
    .selectFrom('floating_ip as f')
    .leftJoin('port as p', 'p.id', 'f.fixed_port_id')
    .select(['f.floating_ip_address', 'f.project_id', 'f.fixed_ip_address', 'p.device_id'])
    .where(
      'f.floating_network_id',
      'in',
      ranges.length > 0 ? [...new Set(ranges.map((r) => r.network_id))] : [''],
    )
    .execute()
  const byAddress = new Map(held.map((h) => [h.floating_ip_address, h]))
  const out: LegacyFloatingIpInfo[] = []
  for (const r of ranges) {
    const { first, last } = rangeOf(
      r.ip_range.endsWith('/32') ? r.ip_range.slice(0, -3) : r.ip_range,
    )
    for (let v = first; v <= last; v++) {
      const address = formatIp(4, v)
      const h = byAddress.get(address)
      out.push({
        address,
        pool: r.pool,
        interface: r.interface,
        project_id: h?.project_id ?? null,
        instance_uuid: h?.device_id || null,
        fixed_ip: h?.fixed_ip_address ?? null,
      })
    }
  }
  return out
}
