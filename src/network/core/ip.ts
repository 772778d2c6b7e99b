/**
 * @module IPv4 and IPv6 addresses as bigints: parsing, printing, CIDR arithmetic. IPAM, subnet
 * validation and security-group prefixes all use these.
 */
export type IpVersion = 4 | 6

export interface Cidr {
  version: IpVersion
  /** The network address (host bits cleared). */
  network: bigint
  prefix: number
}

const BITS: Readonly<Record<IpVersion, number>> = { 4: 32, 6: 128 }

export function bitsOf(version: IpVersion): number {
  return BITS[version]
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let value = 0n
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0')))
      return undefined
    value = (value << 8n) | BigInt(p)
  }
  return value
}

function parseV6(input: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(input)) return undefined
  let text = input
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes its two hex words.
  const lastColon = text.lastIndexOf(':')
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(text.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const groups = (s: string) => (s === '' ? [] : s.split(':'))
  const head = groups(halves[0] ?? '')
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : []
  const given = head.length + tail.length
  if (halves.length === 2 ? given > 7 : given !== 8) return undefined
  const words = [...head, ...Array<string>(8 - given).fill('0'), ...tail]
  let value = 0n
  for (const w of words) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined
    value = (value << 16n) | BigInt(`0x${w}`)
  }
  return value
}

export interface ParsedIp {
  version: IpVersion
  value: bigint
}

export function parseIp(text: unknown): ParsedIp | undefined {
  if (typeof text !== 'string') return undefined
  const v4 = parseV4(text)
  if (v4 !== undefined) return { version: 4, value: v4 }
  const v6 = text.includes(':') ? parseV6(text) : undefined
  return v6 === undefined ? undefined : { version: 6, value: v6 }
}

export function formatIp(version: IpVersion, value: bigint): string {
  if (version === 4)
    return [24n, 16n, 8n, 0n].map((s) => ((value >> s) & 0xffn).toString()).join('.')
  const words = Array.from({ length: 8 }, (_, i) =>
    Number((value >> BigInt(112 - 16 * i)) & 0xffffn),
  )
  // RFC 5952: the longest run (2+) of zero words becomes "::".
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && words[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const hex = words.map((w) => w.toString(16))
  if (best < 0) return hex.join(':')
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`
}

/** The canonical text of an address ("fe80:0::1" -> "fe80::1"), or undefined when invalid. */
export function normalizeIp(text: unknown): string | undefined {
  const ip = parseIp(text)
  return ip && formatIp(ip.version, ip.value)
}

/** Parses "10.0.0.0/24"; `strict` refuses host bits (Neutron's subnet cidr is normalised instead). */
export function parseCidr(text: unknown, opts: { strict?: boolean } = {}): Cidr | undefined {
  if (typeof text !== 'string') return undefined
  const slash = text.indexOf('/')
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash))
  if (!ip) return undefined
  const bits = BITS[ip.version]
  const prefixText = slash < 0 ? String(bits) : text.slice(slash + 1)
  if (!/^\d{1,3}$/.test(prefixText)) return undefined
  const prefix = Number(prefixText)
  if (prefix > bits) return undefined
  const network = ip.value & maskOf(ip.version, prefix)
  if (opts.strict && network !== ip.value) return undefined
  return { version: ip.version, network, prefix }
}

export function maskOf(version: IpVersion, prefix: number): bigint {
  const bits = BigInt(BITS[version])
  const all = (1n << bits) - 1n
  return (all >> BigInt(prefix)) ^ all
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.version, cidr.network)}/${cidr.prefix}`
}

/** The last address of the CIDR (IPv4 broadcast). */
export function lastOf(cidr: Cidr): bigint {
  return (
    cidr.network | (maskOf(cidr.version, cidr.prefix) ^ ((1n << BigInt(BITS[cidr.version])) - 1n))
  )
}

export function sizeOf(cidr: Cidr): bigint {
  return 1n << BigInt(BITS[cidr.version] - cidr.prefix)
}

export function contains(cidr: Cidr, ip: ParsedIp): boolean {
  return (
    ip.version === cidr.version && (ip.value & maskOf(cidr.version, cidr.prefix)) === cidr.network
  )
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.version !== b.version) return false
  const prefix = Math.min(a.prefix, b.prefix)
  const mask = maskOf(a.version, prefix)
  return (a.network & mask) === (b.network & mask)
}

/** Neutron's default pools: the whole CIDR but the network address, the gateway and (IPv4) broadcast. */
export function defaultPools(cidr: Cidr, gateway: bigint | undefined): [bigint, bigint][] {
  const first =
    cidr.network + (cidr.version === 4 && cidr.prefix < 31 ? 1n : cidr.version === 6 ? 1n : 0n)
  const last = cidr.version === 4 && cidr.prefix < 31 ? lastOf(cidr) - 1n : lastOf(cidr)
  if (first > last) return []
  if (gateway === undefined || gateway < first || gateway > last) return [[first, last]]
  const pools: [bigint, bigint][] = []
  if (gateway > first) pools.push([first, gateway - 1n])
  if (gateway < last) pools.push([gateway + 1n, last])
  return pools
}
