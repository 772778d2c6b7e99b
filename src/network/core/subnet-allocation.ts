/**
 * @module Subnets from a subnet pool (Neutron's subnet_alloc): which pool a request names (or
 * the default one it asks for), and, inside the subnet's transaction and under the pool's
 * lock, the CIDR it gets: the smallest free block that fits, or the CIDR asked for when it is
 * wholly free. Two allocations from one pool are serialised by that lock, so they can never
 * overlap; a pool changed or deleted meanwhile is read afresh under it.
 */
import type { Transaction } from 'kysely'
import type { DialectName } from '../../lib/db/open-database.js'
import type { NetworkTables, SubnetPoolRow } from '../db/tables.js'
import { networkErrors, neutronError } from '../errors.js'
import type { Caller, NetworkDeps } from './deps.js'
import { type Cidr, contains, formatCidr, formatIp, lastOf, parseCidr, parseIp } from './ip.js'
import { cidrsOf, difference, isSubset, rangeOf } from './ip-set.js'
import { gatewayAndPools, generatePools, type Pool } from './subnet-rules.js'
import { subnetpoolErrors } from './subnetpool-errors.js'
import { quotaUnits } from './subnetpool-rules.js'
import {
  allocatedCidrs,
  defaultSubnetpool,
  findSubnetpool,
  latest,
  lockPool,
} from './subnetpools.js'

/** Where a subnet lies: its CIDR, gateway and allocation pools. */
export interface SubnetLayout {
  cidr: Cidr
  cidrText: string
  gateway: string | null
  pools: Pool[]
}

const bad = (msg: string) =>
  neutronError('BadRequest', 'BadRequest', `Bad subnets request: ${msg}.`)

/**
 * Neutron's _get_subnetpool_id: the named pool, or with use_default_subnetpool the default
 * pool of the IP version (the caller must see it); undefined for a plain subnet.
 */
export async function requestedPool(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  attrs: Record<string, unknown>,
): Promise<SubnetPoolRow | undefined> {
  const named = typeof attrs.subnetpool_id === 'string' ? attrs.subnetpool_id : undefined
  const useDefault = attrs.use_default_subnetpool === true
  if (named !== undefined && useDefault)
    throw bad('subnetpool_id and use_default_subnetpool cannot both be specified')
  if (named !== undefined) {
    const pool = await findSubnetpool(deps, caller, named)
    checkVersion(attrs, pool)
    return pool
  }
  if (!useDefault) return undefined
  const version = parseCidr(attrs.cidr)?.version ?? Number(attrs.ip_version)
  const pool = await defaultSubnetpool(deps, caller, version)
  if (!pool) throw bad(`No default subnetpool found for IPv${version}`)
  checkVersion(attrs, pool)
  return pool
}

function checkVersion(attrs: Record<string, unknown>, pool: SubnetPoolRow): void {
  const wanted = Number(attrs.ip_version)
  if (wanted !== pool.ip_version)
    throw bad(`Cannot allocate IPv${wanted} subnet from IPv${pool.ip_version} subnet pool`)
}

/**
 * What a request from a pool asks for, checked before any lock (Neutron's
 * validate_pools_with_subnetpool and its subnet request factory): a specific CIDR (given, or
 * the network of a given gateway) with its gateway and pools, or any CIDR of a prefix length.
 */
export type PoolRequest =
  { kind: 'any'; prefixlen: number } | { kind: 'specific'; layout: SubnetLayout }

export function poolRequest(attrs: Record<string, unknown>, pool: SubnetPoolRow): PoolRequest {
  const cidrText = typeof attrs.cidr === 'string' ? attrs.cidr : undefined
  const gatewayText = typeof attrs.gateway_ip === 'string' ? attrs.gateway_ip : undefined
  const prefixlen = typeof attrs.prefixlen === 'number' ? attrs.prefixlen : pool.default_prefixlen
  if (cidrText === undefined && attrs.allocation_pools !== undefined)
    throw bad('allocation_pools allowed only for specific subnet requests.')
  if (cidrText === undefined && gatewayText === undefined) return { kind: 'any', prefixlen }
  const parsed = parseCidr(cidrText ?? `${gatewayText ?? ''}/${prefixlen}`)
  if (!parsed) throw networkErrors.invalidInput(`${cidrText ?? ''} is not in a CIDR format`)
  const cidr = { ...parsed }
  const text = formatCidr(cidr)
  const { gateway, pools } = gatewayAndPools(attrs, cidr, text)
  // Neutron's check_gateway_invalid_in_subnet: not IPv4's network or broadcast address.
  const gw = gateway === null ? undefined : parseIp(gateway)
  if (
    gw &&
    cidr.version === 4 &&
    contains(cidr, gw) &&
    (gw.value === cidr.network || gw.value === lastOf(cidr))
  )
    throw subnetpoolErrors.gatewayNotAllocatable(gateway ?? '', text)
  return { kind: 'specific', layout: { cidr, cidrText: text, gateway, pools } }
}

/**
 * Inside the subnet's transaction: takes the pool's lock, checks the prefix length against
 * the pool's bounds and its per-project prefix quota, and gives the layout of the subnet.
 */
export async function allocateFromPool(
  trx: Transaction<NetworkTables>,
  dialect: DialectName,
  poolId: string,
  projectId: string,
  request: PoolRequest,
): Promise<SubnetLayout> {
  const { row: pool, prefixes } = await lockPool(trx, poolId, dialect)
  const prefixlen = request.kind === 'any' ? request.prefixlen : request.layout.cidr.prefix
  if (prefixlen > pool.max_prefixlen)
    throw subnetpoolErrors.maxPrefix(prefixlen, pool.max_prefixlen)
  if (prefixlen < pool.min_prefixlen)
    throw subnetpoolErrors.minPrefix(prefixlen, pool.min_prefixlen)
  const version = pool.ip_version === 6 ? 6 : 4
  // Neutron skips a quota of 0 as unset; it counts the prefix space in /32s or /64s.
  if (pool.default_quota) {
    const mine = await allocatedCidrs(trx, poolId, { projectId, dialect })
    const used = mine.reduce((n, c) => n + quotaUnits(version, c.prefix), 0)
    if (used + quotaUnits(version, prefixlen) > pool.default_quota)
      throw subnetpoolErrors.quotaExceeded()
  }
  const taken = await allocatedCidrs(trx, poolId, { dialect })
  const free = difference(prefixes.map(rangeOf), taken.map(rangeOf))
  if (request.kind === 'specific') {
    const { cidr } = request.layout
    if (cidr.version !== version || !isSubset([rangeOf(cidr)], free))
      throw subnetpoolErrors.allocation(
        'Cannot allocate requested subnet from the available set of prefixes',
      )
    return request.layout
  }
  // The smallest free blocks first, lowest address first among equals: large blocks stay whole.
  const blocks = cidrsOf(version, free).sort((a, b) => b.prefix - a.prefix)
  const block = blocks.find((b) => b.prefix <= prefixlen)
  if (!block)
    throw subnetpoolErrors.allocation(
      `Insufficient prefix space to allocate subnet size /${prefixlen}`,
    )
  const cidr: Cidr = { version, network: block.network, prefix: prefixlen }
  // Neutron's pool allocator puts the gateway on the first host for both IP versions.
  const gateway = formatIp(version, cidr.network + 1n)
  return { cidr, cidrText: formatCidr(cidr), gateway, pools: generatePools(cidr, gateway) }
}

/**
 * Neutron's _validate_network_subnetpools: a network's subnets of one IP version all come from
 * the same pool, or none from a pool.
 */
export async function checkPoolAffinity(
  trx: Transaction<NetworkTables>,
  dialect: DialectName,
  networkId: string,
  ipVersion: number,
  poolId: string | null,
): Promise<void> {
  const others = await latest(
    trx
      .selectFrom('subnet')
      .select(['subnetpool_id'])
      .where('network_id', '=', networkId)
      .where('ip_version', '=', ipVersion),
    dialect,
  ).execute()
  if (others.some((s) => s.subnetpool_id !== poolId)) throw subnetpoolErrors.affinity()
}
