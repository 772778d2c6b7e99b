/**
 * @module MAC addresses: Neutron's sanitised form (lower-case, colon-separated), random MACs
 * under `[network] base_mac`, and the EUI-64 interface identifiers SLAAC addresses are built of.
 */
import { randomBytes } from 'node:crypto'
import { type Cidr, bitsOf } from './ip.js'

/** Forms netaddr accepts: 6 octets split by ':' or '-', three dotted quads, or 12 bare hex digits. */
const SHAPES = [
  /^([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})$/i,
  /^([0-9a-f]{2})([0-9a-f]{2})\.([0-9a-f]{2})([0-9a-f]{2})\.([0-9a-f]{2})([0-9a-f]{2})$/i,
  /^([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i,
]

/** Addresses Neutron refuses on ports (all zeros, broadcast). */
const INVALID = new Set(['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff'])

/** "FA-16-3E-00-00-0A" -> "fa:16:3e:00:00:0a"; undefined when it is no MAC. */
export function normalizeMac(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined
  for (const shape of SHAPES) {
    const m = shape.exec(text)
    if (m)
      return m
        .slice(1, 7)
        .map((o) => o.toLowerCase().padStart(2, '0'))
        .join(':')
  }
  return undefined
}

/** Neutron's mac_address validator (reason text, or undefined when valid). */
export function macReason(value: unknown): string | undefined {
  const mac = normalizeMac(value)
  return mac === undefined || INVALID.has(mac)
    ? `'${typeof value === 'string' ? value : JSON.stringify(value)}' is not a valid MAC address`
    : undefined
}

/** A random MAC under `base` (first three octets kept, the fourth too when not 00). */
export function randomMac(base: string): string {
  const fixed = base.split(':')
  const random = [...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0'))
  const octets = [fixed[0] ?? 'fa', fixed[1] ?? '16', fixed[2] ?? '3e', ...random]
  if (fixed[3] !== undefined && fixed[3] !== '00') octets[3] = fixed[3]
  return octets.join(':')
}

/** The SLAAC address of `mac` in a /64 (RFC 4291: U/L bit flipped, ff:fe in the middle). */
export function eui64(prefix: Cidr, mac: string): bigint {
  const o = mac.split(':').map((x) => BigInt(`0x${x}`))
  const bytes = [(o[0] ?? 0n) ^ 2n, o[1] ?? 0n, o[2] ?? 0n, 0xffn, 0xfen, o[3] ?? 0n, o[4] ?? 0n]
  bytes.push(o[5] ?? 0n)
  const iid = bytes.reduce((acc, b) => (acc << 8n) | b, 0n)
  const hostBits = BigInt(bitsOf(prefix.version) - prefix.prefix)
  return prefix.network | (iid & ((1n << hostBits) - 1n))
}
