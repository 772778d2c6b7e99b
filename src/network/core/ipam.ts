/**
 * @module IPAM: which fixed IPs a port gets, and the guarantee that no address is ever handed
 * out twice. Uniqueness rests on one thing only: the ip_allocation primary key
 * (subnet_id, ip_address). Every allocation is an `insertIfAbsent` into it; a lost race is
 * not an error, it only moves the allocator to another candidate.
 *
 * Candidates ("next fit"): each service instance keeps a cursor per subnet and hands out the
 * addresses after it in pool order, advancing the cursor before the insert is awaited, so
 * concurrent requests in one process never try the same address. The cursor starts from a
 * scan for the lowest free address; when it runs past the pools, or keeps hitting addresses
 * taken elsewhere (another API process on the same database), the allocator scans again,
 * lowest free first. So a fresh subnet fills .2, .3, ... in order, freed addresses come back
 * once the pools have been gone through, and a full subnet is known only after a scan.
 */
import { sql, type Transaction } from 'kysely'
import type { DialectName } from '../../lib/db/open-database.js'
import { insertIfAbsent } from '../../lib/db/errors.js'
import type { NetworkTables } from '../db/tables.js'
import { networkErrors, neutronError } from '../errors.js'
import type { NetworkDeps } from './deps.js'
import { type Cidr, contains, formatIp, lastOf, parseCidr, parseIp } from './ip.js'
import { eui64 } from './mac.js'

export interface IpamSubnet {
  id: string
  networkId: string
  cidr: Cidr
  ipv6AddressMode: string | null
  ipv6RaMode: string | null
  /** Allocation pools, sorted by first address. */
  pools: [bigint, bigint][]
}

/** One address a port asks for. `any` takes one from the first of its subnets with room. */
export type IpRequest =
  | { kind: 'specific'; subnet: IpamSubnet; ip: bigint }
  | { kind: 'any'; subnets: IpamSubnet[] }
  | { kind: 'eui64'; subnet: IpamSubnet }

export interface FixedIp {
  subnet_id: string
  ip_address: string
}

/** Owners whose ports are router interfaces (they take stateful addresses even on SLAAC subnets). */
export const ROUTER_INTERFACE_OWNERS = [
  'network:router_interface',
  'network:ha_router_replicated_interface',
  'network:router_interface_distributed',
]
export const ROUTER_INTERFACE_OWNERS_SNAT = [
  ...ROUTER_INTERFACE_OWNERS,
  'network:router_centralized_snat',
]
const ROUTER_PORT_OWNERS = [...ROUTER_INTERFACE_OWNERS_SNAT, 'network:router_gateway']

/** SLAAC and DHCPv6-stateless subnets: addresses come from the MAC, not from the pools. */
export function isAutoAddress(s: {
  ipv6AddressMode: string | null
  ipv6RaMode: string | null
}): boolean {
  const modes = ['slaac', 'dhcpv6-stateless']
  return modes.includes(s.ipv6AddressMode ?? '') || modes.includes(s.ipv6RaMode ?? '')
}

/** Whether `ip` may be a port's address on the subnet (never IPv4's network or broadcast). */
export function checkSubnetIp(cidr: Cidr, ip: bigint, deviceOwner: string): boolean {
  if (!contains(cidr, { version: cidr.version, value: ip })) return false
  if (cidr.version === 6)
    return ip !== cidr.network || deviceOwner === '' || ROUTER_PORT_OWNERS.includes(deviceOwner)
  return cidr.prefix >= 31 || (ip !== cidr.network && ip !== lastOf(cidr))
}

/** The network's subnets in creation order, with their pools. */
export async function loadIpamSubnets(
  db: Pick<NetworkDeps, 'db'>['db'],
  networkId: string,
): Promise<IpamSubnet[]> {
  const rows = await db
    .selectFrom('subnet')
    .select(['id', 'network_id', 'cidr', 'ipv6_address_mode', 'ipv6_ra_mode'])
    .where('network_id', '=', networkId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  if (rows.length === 0) return []
  const pools = await db
    .selectFrom('subnet_allocation_pool')
    .selectAll()
    .where(
      'subnet_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute()
  return rows.flatMap((r) => {
    const cidr = parseCidr(r.cidr)
    if (!cidr) return []
    const own = pools
      .filter((p) => p.subnet_id === r.id)
      .flatMap((p): [bigint, bigint][] => {
        const first = parseIp(p.first_ip)
        const last = parseIp(p.last_ip)
        return first && last ? [[first.value, last.value]] : []
      })
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    return [
      {
        id: r.id,
        networkId: r.network_id,
        cidr,
        ipv6AddressMode: r.ipv6_address_mode,
        ipv6RaMode: r.ipv6_ra_mode,
        pools: own,
      },
    ]
  })
}

export interface FixedIpSpec {
  subnet_id?: string
  ip_address?: string
}

/**
 * What to allocate for a port (Neutron's _test_fixed_ips_for_port and automatic allocation):
 * without fixed_ips, one IPv4 address (from the first IPv4 subnet with room), one stateful
 * IPv6 address likewise, plus the EUI-64 address of every SLAAC subnet.
 */
export function planFixedIps(
  subnets: IpamSubnet[],
  fixedIps: readonly FixedIpSpec[] | undefined,
  ctx: {
    networkId: string
    deviceOwner: string
    subnetExists: ReadonlySet<string>
    /** SLAAC subnets the port already has (or gives up) an address on: no EUI-64 request. */
    handledAuto?: ReadonlySet<string>
  },
): IpRequest[] {
  const { deviceOwner } = ctx
  const auto = subnets.filter((s) => isAutoAddress(s) && !ctx.handledAuto?.has(s.id))
  const isRouter = ROUTER_INTERFACE_OWNERS_SNAT.includes(deviceOwner)
  const requests: IpRequest[] = []
  if (fixedIps === undefined) {
    const v4 = subnets.filter((s) => s.cidr.version === 4)
    const v6 = subnets.filter((s) => s.cidr.version === 6 && !isAutoAddress(s))
    for (const group of [v4, v6])
      if (group.length > 0) requests.push({ kind: 'any', subnets: group })
  } else {
    for (const fixed of fixedIps) {
      const subnet = subnetForFixedIp(subnets, fixed, ctx)
      const ip = fixed.ip_address === undefined ? undefined : parseIp(fixed.ip_address)
      if (ip) {
        if (isAutoAddress(subnet) && !ROUTER_INTERFACE_OWNERS.includes(deviceOwner))
          throw neutronError(
            'BadRequest',
            'AllocationOnAutoAddressSubnet',
            `IPv6 address ${fixed.ip_address ?? ''} cannot be directly assigned to a port on subnet ${subnet.id} as the subnet is configured for automatic addresses`,
          )
        requests.push({ kind: 'specific', subnet, ip: ip.value })
      } else if (isRouter || !isAutoAddress(subnet)) {
        requests.push({ kind: 'any', subnets: [subnet] })
      }
    }
  }
  if (!isRouter) for (const s of auto) requests.push({ kind: 'eui64', subnet: s })
  // Specific addresses first: they may be the very ones the others would be given next.
  return requests.sort((a, b) => Number(b.kind === 'specific') - Number(a.kind === 'specific'))
}

function subnetForFixedIp(
  subnets: IpamSubnet[],
  fixed: FixedIpSpec,
  ctx: { networkId: string; deviceOwner: string; subnetExists: ReadonlySet<string> },
): IpamSubnet {
  if (subnets.length === 0)
    throw networkErrors.invalidInput('IP allocation requires subnets for network')
  const ip = fixed.ip_address === undefined ? undefined : parseIp(fixed.ip_address)
  if (fixed.subnet_id !== undefined) {
    const subnet = subnets.find((s) => s.id === fixed.subnet_id)
    if (!subnet) {
      if (!ctx.subnetExists.has(fixed.subnet_id))
        throw networkErrors.notFound('subnet', fixed.subnet_id)
      throw networkErrors.invalidInput(
        `Failed to create port on network ${ctx.networkId}, because fixed_ips included invalid subnet ${fixed.subnet_id}`,
      )
    }
    if (ip && !checkSubnetIp(subnet.cidr, ip.value, ctx.deviceOwner))
      throw neutronError(
        'BadRequest',
        'InvalidIpForSubnet',
        `IP address ${fixed.ip_address ?? ''} is not a valid IP for the specified subnet.`,
      )
    return subnet
  }
  if (!ip) throw networkErrors.invalidInput('IP allocation requires subnet_id or ip_address')
  const found = subnets.find((s) => checkSubnetIp(s.cidr, ip.value, ctx.deviceOwner))
  if (!found)
    throw neutronError(
      'BadRequest',
      'InvalidIpForNetwork',
      `IP address ${fixed.ip_address ?? ''} is not a valid IP for any of the subnets on the specified network.`,
    )
  return found
}

/** Per service instance (deps object): subnet id -> the next address to try. */
const CURSORS = new WeakMap<object, Map<string, bigint>>()

function cursorsOf(deps: object): Map<string, bigint> {
  let map = CURSORS.get(deps)
  if (!map) CURSORS.set(deps, (map = new Map<string, bigint>()))
  return map
}

/** Attempts before a cursor that keeps colliding gives way to a scan. */
const CURSOR_TRIES = 8
/** Free addresses one scan proposes before it looks again. */
const SCAN_WINDOW = 16

type Trx = Transaction<NetworkTables>

export interface AllocationTarget {
  networkId: string
  portId: string
  mac: string
}

/**
 * Allocates every request inside the caller's transaction (so a failure later in it takes the
 * addresses back). Throws IpAddressAlreadyAllocated for a taken specific address and
 * IpAddressGenerationFailure when no subnet of an `any` request has room.
 */
export async function allocateIps(
  trx: Trx,
  deps: Pick<NetworkDeps, 'dialect' | 'config'> & object,
  target: AllocationTarget,
  requests: readonly IpRequest[],
): Promise<FixedIp[]> {
  const out: FixedIp[] = []
  const locked = new Set<string>()
  const lock = async (subnet: IpamSubnet) => {
    if (locked.has(subnet.id)) return
    await lockSubnet(trx, deps.dialect, subnet.id)
    locked.add(subnet.id)
  }
  const insert = (subnet: IpamSubnet, ip: bigint) =>
    insertIfAbsent(
      trx.insertInto('ip_allocation').values({
        subnet_id: subnet.id,
        ip_address: formatIp(subnet.cidr.version, ip),
        port_id: target.portId,
        network_id: target.networkId,
      }),
      deps.dialect,
    )
  for (const req of requests) {
    if (req.kind === 'any') {
      let got: FixedIp | undefined
      for (const subnet of req.subnets) {
        await lock(subnet)
        // nova-network handed out the lowest free address (the first instance of a /24 gets .2):
        // its managers skip the next-fit cursor, which a retried transaction can leave ahead.
        const cursors =
          deps.config.manager === 'neutron' ? cursorsOf(deps) : new Map<string, bigint>()
        const ip = await allocateFrom(trx, cursors, subnet, (c) => insert(subnet, c))
        if (ip !== undefined) {
          got = { subnet_id: subnet.id, ip_address: formatIp(subnet.cidr.version, ip) }
          break
        }
      }
      if (!got) throw networkErrors.ipGenerationFailure(target.networkId)
      out.push(got)
      continue
    }
    await lock(req.subnet)
    const ip = req.kind === 'specific' ? req.ip : eui64(req.subnet.cidr, target.mac)
    const text = formatIp(req.subnet.cidr.version, ip)
    if (!(await insert(req.subnet, ip)))
      throw neutronError(
        'Conflict',
        'IpAddressAlreadyAllocated',
        `IP address ${text} already allocated in subnet ${req.subnet.id}`,
      )
    out.push({ subnet_id: req.subnet.id, ip_address: text })
  }
  return out
}

/**
 * Holds the subnet row (shared) until commit, so a concurrent subnet delete either sees this
 * allocation or happens first and makes this fail: no address outlives its subnet.
 */
async function lockSubnet(trx: Trx, dialect: DialectName, subnetId: string): Promise<void> {
  const q = trx.selectFrom('subnet').select('id').where('id', '=', subnetId)
  const row = await (
    dialect === 'postgres'
      ? q.forShare()
      : dialect === 'mysql'
        ? q.modifyEnd(sql`lock in share mode`)
        : q
  ).executeTakeFirst()
  if (!row) throw networkErrors.notFound('subnet', subnetId)
}

/** The first address at or after `from` inside a pool. */
function nextInPools(pools: [bigint, bigint][], from: bigint): bigint | undefined {
  for (const [first, last] of pools) {
    if (from <= first) return first
    if (from <= last) return from
  }
  return undefined
}

async function allocateFrom(
  trx: Trx,
  cursors: Map<string, bigint>,
  subnet: IpamSubnet,
  tryInsert: (ip: bigint) => Promise<boolean>,
): Promise<bigint | undefined> {
  const lost = new Set<bigint>()
  const take = async (ip: bigint) => {
    cursors.set(subnet.id, ip + 1n)
    if (await tryInsert(ip)) return true
    lost.add(ip)
    return false
  }
  for (let i = 0; i < CURSOR_TRIES; i++) {
    const from = cursors.get(subnet.id)
    const ip = from === undefined ? undefined : nextInPools(subnet.pools, from)
    if (ip === undefined) break
    if (await take(ip)) return ip
  }
  for (;;) {
    const candidates = await lowestFree(trx, subnet, lost)
    if (candidates.length === 0) {
      cursors.delete(subnet.id)
      return undefined
    }
    for (const ip of candidates) if (await take(ip)) return ip
  }
}

/** Up to SCAN_WINDOW free addresses of the pools, lowest first, skipping those lost already. */
async function lowestFree(trx: Trx, subnet: IpamSubnet, lost: Set<bigint>): Promise<bigint[]> {
  const rows = await trx
    .selectFrom('ip_allocation')
    .select('ip_address')
    .where('subnet_id', '=', subnet.id)
    .execute()
  const taken = new Set<bigint>()
  for (const r of rows) {
    const ip = parseIp(r.ip_address)
    if (ip) taken.add(ip.value)
  }
  const out: bigint[] = []
  for (const [first, last] of subnet.pools)
    for (let ip = first; ip <= last && out.length < SCAN_WINDOW; ip++)
      if (!taken.has(ip) && !lost.has(ip)) out.push(ip)
  return out
}

/** Whether an IPv6 address carries an EUI-64 interface id (ff:fe in its middle). */
export function isEui64(ip: string): boolean {
  const p = parseIp(ip)
  return p?.version === 6 && ((p.value >> 24n) & 0xffffn) === 0xfffen
}

/** Gives a port's addresses back (all of them, or those listed). */
export async function releaseIps(
  trx: Trx,
  portId: string,
  ips?: readonly FixedIp[],
): Promise<void> {
  if (ips === undefined) {
    await trx.deleteFrom('ip_allocation').where('port_id', '=', portId).execute()
    return
  }
  for (const ip of ips)
    await trx
      .deleteFrom('ip_allocation')
      .where('subnet_id', '=', ip.subnet_id)
      .where('ip_address', '=', ip.ip_address)
      .where('port_id', '=', portId)
      .execute()
}

/** A deadlock or serialisation failure: the whole transaction may simply be run again. */
function isRetryable(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown }
  return e.code === '40P01' || e.code === '40001' || e.errno === 1213 || e.code === 'SQLITE_BUSY'
}

/** Runs `work` (one transaction) again when the database aborted it to break a deadlock. */
export async function withDbRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (err) {
      if (attempt >= 5 || !isRetryable(err)) throw err
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt))
    }
  }
}
