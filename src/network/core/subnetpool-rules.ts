/**
 * @module What makes a subnet pool valid, in Neutron's order and words (its SubnetPoolReader):
 * a non-empty prefix list of one IP version, compacted; prefix length bounds with their
 * defaults (min 8 / 64, max 32 / 128, default = min) and their order; prefixes that may only
 * grow on update.
 */
import { bitsOf, type Cidr, formatCidr, type IpVersion, parseCidr } from './ip.js'
import { cidrsOf, isSubset, rangeOf, union } from './ip-set.js'
import { subnetpoolErrors } from './subnetpool-errors.js'

export interface PoolBounds {
  minPrefixlen: number
  maxPrefixlen: number
  defaultPrefixlen: number
}

export interface PoolShape extends PoolBounds {
  ipVersion: IpVersion
  /** Compacted: the fewest CIDRs covering the given prefixes, in address order. */
  prefixes: Cidr[]
}

export interface PoolRequest {
  prefixes: readonly string[]
  minPrefixlen?: number | undefined
  maxPrefixlen?: number | undefined
  defaultPrefixlen?: number | undefined
}

const DEFAULT_MIN: Readonly<Record<IpVersion, number>> = { 4: 8, 6: 64 }

/** Parsed prefixes (host bits dropped, as netaddr's IPSet does), of one IP version. */
function parsePrefixes(texts: readonly string[]): { version: IpVersion; cidrs: Cidr[] } {
  if (texts.length === 0) throw subnetpoolErrors.emptyPrefixList()
  const cidrs = texts.map((t) => parseCidr(t)).filter((c): c is Cidr => c !== undefined)
  const version = cidrs[0]?.version ?? 4
  if (cidrs.some((c) => c.version !== version)) throw subnetpoolErrors.prefixVersionMismatch()
  return { version, cidrs }
}

export function compact(version: IpVersion, cidrs: readonly Cidr[]): Cidr[] {
  return cidrsOf(version, union(cidrs.map(rangeOf)))
}

/** Reads a pool as created or as it would be after an update, checking its bounds. */
export function readPool(req: PoolRequest): PoolShape {
  const { version, cidrs } = parsePrefixes(req.prefixes)
  const bits = bitsOf(version)
  const minPrefixlen = req.minPrefixlen ?? DEFAULT_MIN[version]
  const maxPrefixlen = req.maxPrefixlen ?? bits
  const defaultPrefixlen = req.defaultPrefixlen ?? minPrefixlen
  const bounds = subnetpoolErrors.illegalBounds
  if (minPrefixlen > maxPrefixlen)
    throw bounds('min_prefixlen', minPrefixlen, 'max_prefixlen', maxPrefixlen)
  if (maxPrefixlen > bits) throw bounds('max_prefixlen', maxPrefixlen, 'ip_version_max', bits)
  if (defaultPrefixlen < minPrefixlen)
    throw bounds('default_prefixlen', defaultPrefixlen, 'min_prefixlen', minPrefixlen)
  if (defaultPrefixlen > maxPrefixlen)
    throw bounds('default_prefixlen', defaultPrefixlen, 'max_prefixlen', maxPrefixlen)
  return {
    ipVersion: version,
    prefixes: compact(version, cidrs),
    minPrefixlen,
    maxPrefixlen,
    defaultPrefixlen,
  }
}

/** An update's prefixes: a superset of the current ones (IllegalSubnetPoolPrefixUpdate). */
export function grownPrefixes(current: readonly Cidr[], wanted: readonly string[]): string[] {
  const next = wanted.map((t) => parseCidr(t)).filter((c): c is Cidr => c !== undefined)
  const version = current[0]?.version
  const sameVersion = next.filter((c) => c.version === version)
  if (!isSubset(current.map(rangeOf), sameVersion.map(rangeOf)))
    throw subnetpoolErrors.illegalPrefixUpdate(
      'Existing prefixes must be a subset of the new prefixes',
    )
  return next.map(formatCidr)
}

/**
 * The prefix quota units a subnet of `prefixlen` takes (Neutron counts IPv4 in /32s and IPv6
 * in /64s).
 */
export function quotaUnits(version: IpVersion, prefixlen: number): number {
  return 2 ** ((version === 4 ? 32 : 64) - prefixlen)
}
