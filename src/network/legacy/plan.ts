/**
 * @module What `nova-manage network create` makes, decided before anything is written: the fixed
 * range carved into `num_networks` subnets of `network_size` addresses, each with nova-network's
 * reserved addresses (network, gateway, the VPN address in vlan mode, broadcast and the VPN
 * clients at the top), its VLAN and bridge. Pure, so the rules are tested without a database.
 */
import {
  type Cidr,
  contains,
  formatCidr,
  formatIp,
  lastOf,
  maskOf,
  overlaps,
  parseCidr,
  parseIp,
  sizeOf,
} from '../core/ip.js'
import type { LegacyCreateRequest } from '../../compute/network-client.js'

export type { LegacyCreateRequest }

export type LegacyManager = 'flat' | 'flat_dhcp' | 'vlan'

/** The nova-network options that shape a plan ([network] keys under nova-network's names). */
export interface LegacyDefaults {
  manager: LegacyManager
  numNetworks: number
  networkSize: number
  flatNetworkBridge: string
  flatInterface: string
  flatNetworkDns: string
  vlanStart: number
  vlanInterface: string
  vpnStart: number
  cntVpnClients: number
  multiHost: boolean
  shareDhcpAddress: boolean
}

/** The networks that exist already: their ranges and VLANs. */
export interface ExistingNetworks {
  cidrs: string[]
  vlans: number[]
}

export interface PlannedNetwork {
  label: string
  cidr: string
  netmask: string
  broadcast: string
  gateway: string
  dhcpServer: string
  dhcpStart: string
  vpnPrivateAddress: string | null
  vpnPublicPort: number | null
  vlan: number | null
  bridge: string
  bridgeInterface: string | null
  multiHost: boolean
  dns1: string | null
  dns2: string | null
  projectId: string | null
  mtu: number | null
  enableDhcp: boolean
  shareAddress: boolean
  /** The addresses instances may get, as [first, last] runs. */
  pools: [string, string][]
}

/** A request nova-network refused; `message` is its wording. */
export class LegacyPlanError extends Error {
  constructor(
    message: string,
    readonly conflict = false,
  ) {
    super(message)
  }
}

const refuse = (message: string): never => {
  throw new LegacyPlanError(message)
}

function ipv4Cidr(text: string): Cidr {
  const cidr = parseCidr(text)
  if (!cidr || cidr.version !== 4) return refuse(`${text} is not a valid IP network.`)
  return cidr
}

/** The effective network size: nova-network shrinks oversized networks to `network_size`. */
function networkSizeFor(req: LegacyCreateRequest, d: LegacyDefaults, fixed: Cidr, n: number) {
  if (req.networkSize) return req.networkSize
  if (d.manager === 'vlan') return d.networkSize
  const each = Number(sizeOf(fixed)) / n
  return each > d.networkSize ? d.networkSize : Number(sizeOf(fixed))
}

/** The subnets to use: the first `count` of the range that no existing network overlaps. */
function carve(fixed: Cidr, prefix: number, count: number, taken: Cidr[]): Cidr[] {
  const step = 1n << BigInt(32 - prefix)
  const out: Cidr[] = []
  let firstClash: Cidr | undefined
  for (let next = fixed.network; next <= lastOf(fixed) && out.length < count; next += step) {
    const candidate: Cidr = { version: 4, network: next, prefix }
    const clash = taken.find((t) => overlaps(t, candidate))
    if (clash) firstClash ??= clash
    else out.push(candidate)
  }
  if (out.length < count)
    refuse(
      `Requested cidr (${formatCidr(fixed)}) conflicts with existing cidr (${formatCidr(firstClash ?? fixed)})`,
    )
  return out
}

function checkVlanRequest(req: LegacyCreateRequest, numNetworks: number, vlanStart: number): void {
  if (numNetworks + vlanStart > 4094)
    refuse('The sum between the number of networks and the vlan start cannot be greater than 4094')
  if (req.vlan !== undefined) {
    if (!Number.isInteger(req.vlan)) refuse('vlan must be an integer')
    if (req.vlan > 4094) refuse('The vlan number cannot be greater than 4094')
    if (req.vlan < 1) refuse('The vlan number cannot be less than 1')
  }
}

/** Runs of addresses that are not reserved, as nova-network's fixed_ips.reserved marks them. */
function freeRuns(
  subnet: Cidr,
  bottom: number,
  top: number,
  extra: Set<bigint>,
): [bigint, bigint][] {
  const size = sizeOf(subnet)
  const runs: [bigint, bigint][] = []
  for (let i = BigInt(bottom); i < size - BigInt(top); i++) {
    const ip = subnet.network + i
    if (extra.has(ip)) continue
    const last = runs[runs.length - 1]
    if (last && last[1] === ip - 1n) last[1] = ip
    else runs.push([ip, ip])
  }
  return runs
}

/** Plans the networks one create makes, or throws LegacyPlanError with nova-network's words. */
export function planLegacyNetworks(
  req: LegacyCreateRequest,
  d: LegacyDefaults,
  existing: ExistingNetworks,
): PlannedNetwork[] {
  if (!req.label) refuse('Network label is required')
  const fixed = ipv4Cidr(req.cidr)
  const numNetworks = req.numNetworks ?? d.numNetworks
  if (!Number.isInteger(numNetworks) || numNetworks < 1)
    refuse('num_networks must be a positive integer')
  const vlanStart = req.vlanStart ?? d.vlanStart
  const vlanMode = d.manager === 'vlan'
  const networkSize = networkSizeFor(req, d, fixed, numNetworks)
  if (vlanMode) {
    checkVlanRequest(req, numNetworks, vlanStart)
    if (Number(sizeOf(fixed)) < numNetworks * networkSize)
      refuse(
        `The network range is not big enough to fit ${numNetworks} networks. Network size is ${networkSize}`,
      )
  }
  const bits = Math.ceil(Math.log2(networkSize))
  if (bits < 2 || bits > 32) refuse(`network_size ${networkSize} is out of range`)
  const prefix = 32 - bits
  if (prefix < fixed.prefix)
    refuse(`The network range ${req.cidr} is smaller than network_size ${networkSize}`)
  const taken = existing.cidrs.map((c) => parseCidr(c)).filter((c): c is Cidr => c !== undefined)
  const subnets = carve(fixed, prefix, numNetworks, taken)
  const gatewayIp = req.gateway === undefined ? undefined : parseIp(req.gateway)
  if (req.gateway !== undefined && (!gatewayIp || gatewayIp.version !== 4))
    refuse(`${req.gateway} is not a valid IP address.`)
  const usedVlans = [...existing.vlans]
  return subnets.map((subnet, index) => {
    const size = sizeOf(subnet)
    if (gatewayIp && !contains(subnet, gatewayIp))
      refuse(`Address ${req.gateway ?? ''} is not within ${formatCidr(subnet)}`)
    let current = subnet.network + 1n
    const gateway = gatewayIp ? gatewayIp.value : current++
    const dhcpServerIp = req.dhcpServer ? parseIp(req.dhcpServer) : undefined
    if (req.dhcpServer && (!dhcpServerIp || !contains(subnet, dhcpServerIp)))
      refuse(`Address ${req.dhcpServer} is not within ${formatCidr(subnet)}`)
    const dhcpServer = dhcpServerIp ? dhcpServerIp.value : gateway
    let dhcpStart = current++
    if (dhcpStart === dhcpServer) dhcpStart = current++
    const extra = new Set([gateway, dhcpServer])
    let bottom = 2
    let top = 1
    let vlan: number | null = null
    let vpnPrivate: bigint | null = null
    let vpnPublicPort: number | null = null
    let bridge = req.bridge || d.flatNetworkBridge
    let bridgeInterface: string | null = req.bridgeInterface || d.flatInterface || null
    if (vlanMode) {
      vlan = req.vlan ?? vlanStart + index + existing.cidrs.length
      if (usedVlans.includes(vlan)) vlan = Math.max(...usedVlans) + 1
      if (vlan > 4094) refuse('The vlan number cannot be greater than 4094')
      usedVlans.push(vlan)
      vpnPrivate = dhcpStart
      extra.add(vpnPrivate)
      dhcpStart += 1n
      bridge = `br${vlan}`
      bridgeInterface = req.bridgeInterface || d.vlanInterface
      vpnPublicPort = d.vpnStart + index + existing.cidrs.length
      bottom = 3
      top = 1 + d.cntVpnClients
    }
    const pools = freeRuns(subnet, bottom, top, extra)
    if (pools.length === 0)
      refuse(`Network ${formatCidr(subnet)} has no address left for instances`)
    const ip = (v: bigint) => formatIp(4, v)
    return {
      label: numNetworks > 1 ? `${req.label}_${index}` : req.label,
      cidr: formatCidr(subnet),
      netmask: ip(maskOf(4, subnet.prefix)),
      broadcast: ip(subnet.network + size - 1n),
      gateway: ip(gateway),
      dhcpServer: ip(dhcpServer),
      dhcpStart: ip(dhcpStart),
      vpnPrivateAddress: vpnPrivate === null ? null : ip(vpnPrivate),
      vpnPublicPort,
      vlan,
      bridge,
      bridgeInterface,
      multiHost: req.multiHost ?? d.multiHost,
      dns1: req.dns1 || d.flatNetworkDns || null,
      dns2: req.dns2 || null,
      projectId: req.projectId ?? null,
      mtu: req.mtu ?? null,
      enableDhcp: d.manager === 'flat' ? false : (req.enableDhcp ?? true),
      shareAddress: req.shareAddress ?? d.shareDhcpAddress,
      pools: pools.map(([a, b]) => [ip(a), ip(b)]),
    }
  })
}
