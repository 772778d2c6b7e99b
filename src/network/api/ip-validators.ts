/**
 * @module Neutron's validators and converters for addresses in request bodies (neutron-lib
 * `validate_ip_address`, `validate_subnet`, `validate_fixed_ips`, `validate_ip_pools`,
 * `validate_nameservers`, `validate_hostroutes`), returning Neutron's reason texts.
 */
import { networkErrors } from '../errors.js'
import { formatIp, parseCidr, parseIp } from '../core/ip.js'
import { pyRepr, pyStr } from '../core/py-repr.js'
import { isUuid, type Converter, type Validator } from './attributes.js'

export const isDictionary = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/** IPv4 written with leading zeros ("010.0.0.1"), which Neutron refuses but names the fix for. */
function zeroFilledV4(text: string): string | undefined {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255))
    return undefined
  return parts.map((p) => String(Number(p))).join('.')
}

export const ipAddressReason: Validator = (v) => {
  if (typeof v !== 'string' || /\s/.test(v) || v === '')
    return `${pyRepr(pyStr(v))} is not a valid IP address`
  if (parseIp(v)) return undefined
  const fixed = zeroFilledV4(v)
  return fixed
    ? `'${v}' is not an accepted IP address, '${fixed}' is recommended`
    : `'${v}' is not a valid IP address`
}

export const ipOrNullReason: Validator = (v) => (v === null ? undefined : ipAddressReason(v))

/** IPv6 addresses in their compact form; anything else as given (Neutron's converter). */
export const canonicalIp: Converter = (v) => {
  const ip = parseIp(v)
  return ip?.version === 6 ? formatIp(6, ip.value) : v
}

/** Neutron's convert_cidr_to_canonical_format: a bare address gets its full-length prefix. */
export const canonicalCidr: Converter = (v) => {
  if (v === null || v === undefined) return v
  const text = typeof v === 'string' ? v : ''
  const slash = text.indexOf('/')
  const address = slash < 0 ? text : text.slice(0, slash)
  const ip = parseIp(address)
  const cidr = parseCidr(text)
  if (!ip || !cidr) throw networkErrors.invalidInput(`${pyStr(v)} is not in a CIDR format`)
  return `${ip.version === 6 ? formatIp(6, ip.value) : address}/${cidr.prefix}`
}

export const cidrOrNullReason: Validator = (v) =>
  v === null || (typeof v === 'string' && parseCidr(v))
    ? undefined
    : `'${pyStr(v)}' is not a valid IP subnet`

/** A host route destination: a network address with its prefix, not loopback. */
export function routeCidrReason(v: unknown): string | undefined {
  const cidr = typeof v === 'string' ? parseCidr(v) : undefined
  if (typeof v !== 'string' || !cidr) return `'${pyStr(v)}' is not a valid CIDR`
  const ip = parseIp(v.slice(0, v.indexOf('/') < 0 ? v.length : v.indexOf('/')))
  if (!v.includes('/') || ip?.value !== cidr.network)
    return `'${v}' is not a recognized CIDR, '${formatIp(cidr.version, cidr.network)}/${cidr.prefix}' is recommended`
  const loopback =
    cidr.version === 4 ? cidr.network >> 24n === 127n : cidr.network === 1n && cidr.prefix === 128
  return loopback ? `'${v}' is not a routable CIDR` : undefined
}

/** neutron-lib's _verify_dict_keys (strict): exactly these keys. */
export function dictKeysReason(expected: readonly string[], target: unknown): string | undefined {
  const set = (keys: readonly string[]) =>
    `{${[...keys]
      .sort()
      .map((k) => `'${k}'`)
      .join(', ')}}`
  if (!isDictionary(target))
    return `Invalid input. '${pyStr(target)}' must be a dictionary with keys: ${pyRepr([...expected])}`
  const given = Object.keys(target)
  if (given.length !== expected.length || !expected.every((k) => k in target))
    return `Validation of dictionary's keys failed. Expected keys: ${set(expected)} Provided keys: ${set(given)}`
  return undefined
}

export const ipPoolsReason: Validator = (v) => {
  if (!Array.isArray(v)) return `Invalid data format for IP pool: '${pyStr(v)}'`
  for (const pool of v) {
    const keys = dictKeysReason(['start', 'end'], pool)
    if (keys) return keys
    const p = pool as Record<string, unknown>
    const bad = ipAddressReason(p.start) ?? ipAddressReason(p.end)
    if (bad) return bad
  }
  return undefined
}

export const fixedIpsReason: Validator = (v) => {
  if (!Array.isArray(v)) return `Invalid data format for fixed IP: '${pyStr(v)}'`
  const seen: unknown[] = []
  for (const fixed of v) {
    if (!isDictionary(fixed)) return `Invalid data format for fixed IP: '${pyStr(fixed)}'`
    if ('ip_address' in fixed) {
      if (seen.includes(fixed.ip_address))
        return `Duplicate IP address '${pyStr(fixed.ip_address)}'`
      const bad = ipAddressReason(fixed.ip_address)
      if (bad) return bad
      seen.push(fixed.ip_address)
    }
    if ('subnet_id' in fixed) {
      const bad = isUuid(fixed.subnet_id)
      if (bad) return bad
    }
  }
  return undefined
}

export const nameserversReason: Validator = (v) => {
  if (!Array.isArray(v)) return `Invalid data format for nameserver: '${pyStr(v)}'`
  const seen = new Set<unknown>()
  for (const host of v) {
    const bad = ipAddressReason(host)
    if (bad) return `'${pyStr(host)}' is not a valid nameserver. ${bad}`
    if (seen.has(host)) return `Duplicate nameserver '${pyStr(host)}'`
    seen.add(host)
  }
  return undefined
}

export const hostRoutesReason: Validator = (v) => {
  if (!Array.isArray(v)) return `Invalid data format for hostroute: '${pyStr(v)}'`
  const seen = new Set<string>()
  for (const route of v) {
    const keys = dictKeysReason(['destination', 'nexthop'], route)
    if (keys) return keys
    const r = route as Record<string, unknown>
    const bad = routeCidrReason(r.destination) ?? ipAddressReason(r.nexthop)
    if (bad) return bad
    const key = `${pyStr(r.destination)} ${pyStr(r.nexthop)}`
    if (seen.has(key)) return `Duplicate hostroute '${pyRepr(route)}'`
    seen.add(key)
  }
  return undefined
}

/** A list of unique UUIDs (security group ids). */
export const uuidListReason: Validator = (v) => {
  if (!Array.isArray(v)) return `'${pyStr(v)}' is not a list`
  const dups = v.filter((x, i) => v.indexOf(x) !== i)
  if (dups.length > 0)
    return `Duplicate items in the list: '${[...new Set(dups)].map(pyStr).join(', ')}'`
  for (const x of v) {
    const bad = isUuid(x)
    if (bad) return bad
  }
  return undefined
}

export const noneToEmptyList: Converter = (v) => (v === null ? [] : v)

/**
 * neutron-lib's validate_subnet: an address with a prefix length (host bits allowed); one
 * without a prefix gets its full-length form named.
 */
export const subnetReason: Validator = (v) => {
  const cidr = typeof v === 'string' && !/\s/.test(v) ? parseCidr(v) : undefined
  if (typeof v !== 'string' || !cidr) return `'${pyStr(v)}' is not a valid IP subnet`
  if (!v.includes('/'))
    return `'${v}' isn't a recognized IP subnet cidr, '${formatIp(cidr.version, cidr.network)}/${cidr.prefix}' is recommended`
  return undefined
}

/** neutron-lib's validate_subnet_list: a list of unique subnets. */
export const subnetListReason: Validator = (v) => {
  if (!Array.isArray(v)) return `'${pyStr(v)}' is not a list`
  const dups = v.filter((x, i) => v.indexOf(x) !== i)
  if (dups.length > 0)
    return `Duplicate items in the list: '${[...new Set(dups)].map(pyStr).join(', ')}'`
  for (const x of v) {
    const bad = subnetReason(x)
    if (bad) return bad
  }
  return undefined
}
