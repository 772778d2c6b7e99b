/**
 * @module What Neutron checks in a security group rule before storing it: the converters of its
 * attributes (protocol names or numbers, ports, ethertype, remote prefix), the port range per
 * protocol, the prefix's IP version, and the key that makes two rules duplicates.
 */
import { formatIp, parseCidr, parseIp } from './ip.js'
import { pyStr, sgErrors } from './security-group-errors.js'

/** Protocol names Neutron knows, with their numbers (neutron-lib's IP_PROTOCOL_MAP). */
const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  ah: 51,
  dccp: 33,
  egp: 8,
  esp: 50,
  gre: 47,
  hopopt: 0,
  icmp: 1,
  igmp: 2,
  ip: 0,
  ipip: 4,
  'ipv6-encap': 41,
  'ipv6-frag': 44,
  'ipv6-icmp': 58,
  icmpv6: 58,
  'ipv6-nonxt': 59,
  'ipv6-opts': 60,
  'ipv6-route': 43,
  ospf: 89,
  pgm: 113,
  rsvp: 46,
  sctp: 132,
  tcp: 6,
  udp: 17,
  udplite: 136,
  vrrp: 112,
}

/** Number -> the one canonical name (icmpv6 is only an alias of ipv6-icmp). */
const PROTOCOL_NAMES: ReadonlyMap<string, string> = new Map(
  Object.entries(PROTOCOL_NUMBERS)
    .filter(([name]) => name !== 'icmpv6')
    .map(([name, num]) => [String(num), name]),
)

/** Protocols whose rules may carry a port range. */
const PORT_PROTOCOLS = new Set([33, 132, 6, 17, 136])

/** Protocols (by name or number) that only make sense over IPv6. */
const IPV6_ONLY_PROTOCOLS = new Set([
  'ipv6-encap',
  'ipv6-frag',
  'ipv6-icmp',
  'icmpv6',
  'ipv6-nonxt',
  'ipv6-opts',
  'ipv6-route',
  '41',
  '44',
  '58',
  '59',
  '60',
  '43',
])

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/

/** Python's int() of a JSON value, or undefined where int() would raise. */
function pyInt(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) return Number(value)
  return undefined
}

/**
 * Neutron's convert_protocol: a known name (any case, stored lower-case) or a number 0-255,
 * stored as the text that was given.
 */
export function convertProtocol(value: unknown): string | null {
  if (value === null || value === undefined) return null
  const num = pyInt(value)
  if (num !== undefined) {
    if (num >= 0 && num <= 255) return pyStr(value)
    throw sgErrors.invalidProtocol(value)
  }
  if (typeof value === 'string' && value.toLowerCase() in PROTOCOL_NUMBERS)
    return value.toLowerCase()
  throw sgErrors.invalidProtocol(value)
}

/** Neutron's convert_validate_port_value: null, or an integer 0-65535. */
export function convertPort(value: unknown): number | null {
  if (value === null || value === undefined) return null
  const port = pyInt(value)
  if (port === undefined || port < 0 || port > 65535) throw sgErrors.invalidPortValue(value)
  return port
}

/** IPv4 / IPv6 in any case, as Neutron spells them. */
export function convertEthertype(value: unknown): string {
  if (typeof value === 'string')
    for (const e of ['IPv4', 'IPv6']) if (e.toLowerCase() === value.toLowerCase()) return e
  throw sgErrors.invalidEthertype(value)
}

/**
 * Neutron's convert_ip_prefix_to_cidr: empty means none; an address gains its full mask; host
 * bits are kept (normalized_cidr is where they are cleared).
 */
export function convertPrefix(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null
  if (typeof value !== 'string') throw sgErrors.invalidCidr(value)
  const slash = value.indexOf('/')
  const ip = parseIp(slash < 0 ? value : value.slice(0, slash))
  const cidr = parseCidr(value)
  if (!ip || !cidr) throw sgErrors.invalidCidr(value)
  return `${formatIp(ip.version, ip.value)}/${cidr.prefix}`
}

/** The prefix with host bits cleared (the `normalized_cidr` attribute). */
export function normalizedCidr(prefix: string | null): string | null {
  if (prefix === null) return null
  const cidr = parseCidr(prefix)
  return cidr ? `${formatIp(cidr.version, cidr.network)}/${cidr.prefix}` : null
}

/** A rule as it is checked and stored (after the converters). */
export interface RuleSpec {
  project_id: string
  security_group_id: string
  direction: string
  ethertype: string
  protocol: string | null
  port_range_min: number | null
  port_range_max: number | null
  remote_ip_prefix: string | null
  remote_group_id: string | null
  remote_address_group_id: string | null
  description: string
}

function protocolNumber(protocol: string): number {
  return Number(PROTOCOL_NUMBERS[protocol] ?? protocol)
}

/**
 * Neutron's _validate_security_group_rule up to the database lookups: it makes legacy IPv6
 * ICMP names and the whole port range canonical, then checks ports, prefix and ethertype.
 * Returns the rule to store.
 */
export function checkRule(input: RuleSpec): RuleSpec {
  const rule = { ...input }
  if (rule.ethertype === 'IPv6') {
    if (rule.protocol === 'icmp' || rule.protocol === 'icmpv6') rule.protocol = 'ipv6-icmp'
    else if (rule.protocol === '1') rule.protocol = '58'
  }
  if (rule.port_range_min === 1 && rule.port_range_max === 65535) {
    rule.port_range_min = null
    rule.port_range_max = null
  }
  checkPortRange(rule)
  if (rule.remote_ip_prefix !== null) {
    const cidr = parseCidr(rule.remote_ip_prefix)
    if (cidr && rule.ethertype !== `IPv${cidr.version}`)
      throw sgErrors.parameterConflict(rule.ethertype, input.remote_ip_prefix ?? '')
  }
  if (rule.protocol !== null && IPV6_ONLY_PROTOCOLS.has(rule.protocol) && rule.ethertype === 'IPv4')
    throw sgErrors.ethertypeConflictWithProtocol(rule.ethertype, rule.protocol)
  const remotes = [rule.remote_ip_prefix, rule.remote_group_id, rule.remote_address_group_id]
  if (remotes.filter((r) => r !== null && r !== '').length > 1) throw sgErrors.multipleRemotes()
  return rule
}

function checkPortRange(rule: RuleSpec): void {
  const min = rule.port_range_min
  const max = rule.port_range_max
  if (min === null && max === null) return
  if (rule.protocol === null || rule.protocol === '') throw sgErrors.protocolRequiredWithPorts()
  const proto = protocolNumber(rule.protocol)
  if (PORT_PROTOCOLS.has(proto)) {
    if (min === 0 || max === 0) throw sgErrors.invalidPortValue(0)
    if (min === null || max === null || min > max) throw sgErrors.invalidPortRange()
  } else if (proto === 1 || proto === 58) {
    if (min !== null && min > 255) throw sgErrors.invalidIcmpValue('type', 'port_range_min', min)
    if (max !== null && max > 255) throw sgErrors.invalidIcmpValue('code', 'port_range_max', max)
    if (min === null && max !== null) throw sgErrors.missingIcmpType(max)
  } else {
    throw sgErrors.invalidProtocolForPort(proto)
  }
}

/** The protocol as [name, number], so `tcp` and `6` make the same rule. */
function protocolKey(protocol: string, ethertype: string): string {
  let p = protocol
  if (ethertype === 'IPv6') {
    if (p === 'icmp' || p === 'icmpv6') p = 'ipv6-icmp'
    else if (p === '1') p = '58'
  }
  if (p in PROTOCOL_NUMBERS) return `${p}:${PROTOCOL_NUMBERS[p]}`
  const name = PROTOCOL_NAMES.get(p)
  return name ? `${name}:${p}` : `${p}:${p}`
}

/** What makes two rules the same rule (Neutron's _rule_to_key; description does not count). */
export function ruleKey(rule: {
  direction: string
  ethertype: string
  protocol: string | null
  port_range_min: number | null
  port_range_max: number | null
  remote_ip_prefix: string | null
  remote_group_id: string | null
  remote_address_group_id: string | null
  security_group_id: string
}): string {
  const none = '+'
  const anywhere = ['0.0.0.0/0', '::/0']
  const prefix =
    rule.remote_ip_prefix === null || anywhere.includes(rule.remote_ip_prefix)
      ? none
      : rule.remote_ip_prefix
  return [
    rule.direction,
    rule.ethertype,
    rule.port_range_max ?? none,
    rule.port_range_min ?? none,
    rule.protocol === null ? none : protocolKey(rule.protocol, rule.ethertype),
    rule.remote_group_id ?? none,
    rule.remote_address_group_id ?? none,
    prefix,
    rule.security_group_id,
  ].join('_')
}
