/**
 * @module What makes a subnet valid, checked in Neutron's order with Neutron's messages: the
 * CIDR against ip_version, DHCP on tiny or special prefixes, the gateway, DNS servers, host
 * routes, the IPv6 modes, and allocation pools (shape, bounds, overlaps, the gateway inside).
 */
import { networkErrors, neutronError } from '../errors.js'
import { type Cidr, contains, defaultPools, formatIp, lastOf, parseCidr, parseIp } from './ip.js'
import { pyRepr } from './py-repr.js'

/** Neutron's max_dns_nameservers and max_subnet_host_routes defaults. */
export const MAX_DNS_NAMESERVERS = 5
export const MAX_HOST_ROUTES = 20

export interface HostRoute {
  destination: string
  nexthop: string
}

export interface SubnetSpec {
  ipVersion: number
  cidr: Cidr
  cidrText: string
  enableDhcp: boolean
  /** undefined: not part of this request. */
  gatewayIp?: string | null | undefined
  dnsNameservers?: readonly string[] | undefined
  hostRoutes?: readonly HostRoute[] | undefined
  ipv6RaMode?: string | null | undefined
  ipv6AddressMode?: string | null | undefined
}

export interface CurrentSubnet {
  enableDhcp: boolean
  ipv6RaMode: string | null
  ipv6AddressMode: string | null
}

function versionOf(text: string): number | undefined {
  return (parseCidr(text) ?? parseIp(text))?.version
}

function checkVersion(ipVersion: number, addr: string, name: string): void {
  if (versionOf(addr) !== ipVersion)
    throw networkErrors.invalidInput(
      `${name} '${addr}' does not match the ip_version '${ipVersion}'`,
    )
}

/** Neutron's _validate_subnet; `current` is the stored subnet on update. */
export function validateSubnetSpec(
  s: SubnetSpec,
  current?: CurrentSubnet,
  subnetId = 'new subnet',
): void {
  if (!current) checkVersion(s.ipVersion, s.cidrText, 'cidr')
  if (s.enableDhcp && !current?.enableDhcp) checkDhcpPrefix(s.cidr)
  if (typeof s.gatewayIp === 'string') {
    checkVersion(s.ipVersion, s.gatewayIp, 'gateway_ip')
    const gw = parseIp(s.gatewayIp)
    if (
      gw &&
      contains(s.cidr, gw) &&
      s.cidr.version === 4 &&
      (gw.value === s.cidr.network || gw.value === lastOf(s.cidr))
    )
      throw networkErrors.invalidInput('Gateway is not valid on subnet')
  }
  if (s.dnsNameservers) {
    if (s.dnsNameservers.length > MAX_DNS_NAMESERVERS)
      throw networkErrors.badRequest(
        `Unable to complete operation for ${subnetId}. The number of DNS nameservers exceeds the limit ${MAX_DNS_NAMESERVERS}.`,
      )
    for (const dns of s.dnsNameservers) checkVersion(s.ipVersion, dns, 'dns_nameserver')
  }
  if (s.hostRoutes) {
    if (s.hostRoutes.length > MAX_HOST_ROUTES)
      throw networkErrors.badRequest(
        `Unable to complete operation for ${subnetId}. The number of host routes exceeds the limit ${MAX_HOST_ROUTES}.`,
      )
    for (const route of s.hostRoutes) {
      checkVersion(s.ipVersion, route.nexthop, 'nexthop')
      checkVersion(s.ipVersion, route.destination, 'destination')
    }
  }
  if (s.ipVersion === 4) {
    if (typeof s.ipv6RaMode === 'string')
      throw networkErrors.invalidInput('ipv6_ra_mode is not valid when ip_version is 4')
    if (typeof s.ipv6AddressMode === 'string')
      throw networkErrors.invalidInput('ipv6_address_mode is not valid when ip_version is 4')
    return
  }
  checkIpv6Modes(s, current)
}

function checkDhcpPrefix(cidr: Cidr): void {
  if ((cidr.version === 4 && cidr.prefix > 30) || (cidr.version === 6 && cidr.prefix > 126))
    throw networkErrors.invalidInput(
      'Subnet has a prefix length that is incompatible with DHCP service enabled',
    )
  const multicast =
    cidr.version === 4 ? cidr.network >> 28n === 0xen : cidr.network >> 120n === 0xffn
  if (multicast)
    throw networkErrors.invalidInput('Multicast IP subnet is not supported if enable_dhcp is True')
  const loopback =
    cidr.version === 4 ? cidr.network >> 24n === 127n : cidr.network === 1n && cidr.prefix === 128
  if (loopback)
    throw networkErrors.invalidInput('Loopback IP subnet is not supported if enable_dhcp is True')
  if (cidr.version === 4 && cidr.network === 0n)
    throw networkErrors.invalidInput(
      "First IP '0.0.0.0' of network is not supported if enable_dhcp is True.",
    )
}

function checkIpv6Modes(s: SubnetSpec, current: CurrentSubnet | undefined): void {
  const ra = typeof s.ipv6RaMode === 'string' ? s.ipv6RaMode : undefined
  const address = typeof s.ipv6AddressMode === 'string' ? s.ipv6AddressMode : undefined
  if (current) {
    if (!s.enableDhcp && (current.ipv6RaMode !== null || current.ipv6AddressMode !== null))
      throw networkErrors.invalidInput('Cannot disable enable_dhcp with ipv6 attributes set')
    return
  }
  if ((ra || address) && !s.enableDhcp)
    throw networkErrors.invalidInput(
      'ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False',
    )
  if (ra && address && ra !== address)
    throw networkErrors.invalidInput(
      `ipv6_ra_mode set to '${ra}' with ipv6_address_mode set to '${address}' is not valid. If both attributes are set, they must be the same value`,
    )
  const auto = ['slaac', 'dhcpv6-stateless']
  if ((auto.includes(ra ?? '') || auto.includes(address ?? '')) && s.cidr.prefix !== 64)
    throw networkErrors.invalidInput(
      `Invalid CIDR ${s.cidrText} for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64`,
    )
}

export type Pool = [bigint, bigint]

export function poolText(version: 4 | 6, pool: Pool): string {
  return `${formatIp(version, pool[0])}-${formatIp(version, pool[1])}`
}

/** The addresses pools may use: IPv4 drops network and broadcast (up to /30), IPv6 the network. */
function usableRange(cidr: Cidr): Pool {
  if (cidr.version === 4 && cidr.prefix > 30) return [cidr.network, lastOf(cidr)]
  return [cidr.network + 1n, cidr.version === 4 ? lastOf(cidr) - 1n : lastOf(cidr)]
}

/** Neutron's generate_pools: the usable range without the gateway. */
export function generatePools(cidr: Cidr, gateway: string | null): Pool[] {
  if (lastOf(cidr) === cidr.network) return [[cidr.network, cidr.network]]
  const gw = gateway === null ? undefined : parseIp(gateway)?.value
  return defaultPools(cidr, gw)
}

/**
 * Requested pools as ranges, validated against the CIDR (InvalidAllocationPool,
 * OutOfBoundsAllocationPool, OverlappingAllocationPools), in the order given.
 */
export function parsePools(raw: readonly unknown[], cidr: Cidr, cidrText: string): Pool[] {
  const pools = raw.map((p): Pool => {
    const pool = p as { start: string; end: string }
    const start = parseIp(pool.start)
    const end = parseIp(pool.end)
    if (!start || !end || start.version !== end.version || start.value > end.value)
      throw invalidPool(pyRepr(p))
    if (start.version !== cidr.version)
      throw invalidPool(poolText(start.version, [start.value, end.value]))
    return [start.value, end.value]
  })
  const [first, last] = usableRange(cidr)
  for (const pool of pools)
    if (pool[0] < first || pool[1] > last)
      throw neutronError(
        'BadRequest',
        'OutOfBoundsAllocationPool',
        `The allocation pool ${poolText(cidr.version, pool)} spans beyond the subnet cidr ${cidrText}.`,
      )
  for (let i = 0; i < pools.length; i++)
    for (let j = i + 1; j < pools.length; j++) {
      const a = pools[i] as Pool
      const b = pools[j] as Pool
      if (a[0] <= b[1] && b[0] <= a[1])
        throw neutronError(
          'Conflict',
          'OverlappingAllocationPools',
          `Found overlapping allocation pools: ${poolText(cidr.version, a)} ${poolText(cidr.version, b)} for subnet ${cidrText}.`,
        )
    }
  return pools
}

function invalidPool(text: string) {
  return neutronError(
    'BadRequest',
    'InvalidAllocationPool',
    `The allocation pool ${text} is not valid.`,
  )
}

/** GatewayConflictWithAllocationPools (409) when the gateway lies inside a pool. */
export function checkGatewayOutOfPools(
  gateway: string | null,
  pools: Pool[],
  version: 4 | 6,
): void {
  if (gateway === null) return
  const gw = parseIp(gateway)
  if (!gw) return
  const hit = pools.find(([a, b]) => gw.value >= a && gw.value <= b)
  if (hit)
    throw networkErrors.inUse(
      'GatewayConflictWithAllocationPools',
      `Gateway ip ${gateway} conflicts with allocation pool ${poolText(version, hit)}.`,
    )
}

/** Neutron's default gateway: the first host of IPv4, the subnet-router anycast address of IPv6. */
export function defaultGateway(cidr: Cidr): string {
  return formatIp(cidr.version, cidr.version === 6 ? cidr.network : cidr.network + 1n)
}

/** A subnet request's gateway (default: the first host) and pools (default: the rest), checked. */
export function gatewayAndPools(
  attrs: Record<string, unknown>,
  cidr: Cidr,
  cidrText: string,
): { gateway: string | null; pools: Pool[] } {
  const gateway =
    attrs.gateway_ip === undefined ? defaultGateway(cidr) : (attrs.gateway_ip as string | null)
  if (attrs.allocation_pools === undefined) return { gateway, pools: generatePools(cidr, gateway) }
  const pools = parsePools(attrs.allocation_pools as unknown[], cidr, cidrText)
  checkGatewayOutOfPools(gateway, pools, cidr.version)
  return { gateway, pools }
}
