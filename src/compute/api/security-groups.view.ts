/**
 * @module Nova's security group proxy shapes (security_groups.py): a group with its ingress
 * rules, each naming its remote group (name and project) or its CIDR, and the rule arguments
 * os-security-group-rules accepts, checked with Nova's messages before the network service
 * sees them.
 */
import type {
  NetworkCaller,
  NetworkClient,
  NovaRuleRequest,
  NovaSecurityGroup,
  NovaSecurityGroupRule,
} from '../network-client.js'
import { novaExceptionOf } from '../network-client.js'
import { computeErrors } from '../errors.js'

type GroupData = { name: string; tenant_id: string }

export function ruleView(
  rule: NovaSecurityGroupRule,
  group: GroupData | undefined,
): Record<string, unknown> {
  return {
    id: rule.id,
    parent_group_id: rule.parentGroupId,
    ip_protocol: rule.protocol,
    from_port: rule.fromPort,
    to_port: rule.toPort,
    group: rule.groupId !== null ? (group ?? {}) : {},
    ip_range: rule.groupId !== null ? {} : { cidr: rule.cidr },
  }
}

/**
 * Groups with their rules; a rule whose remote group the caller cannot see is left out, as
 * Nova skips it.
 */
export async function groupViews(
  network: NetworkClient,
  caller: NetworkCaller,
  groups: readonly NovaSecurityGroup[],
): Promise<Record<string, unknown>[]> {
  const known = new Map<string, GroupData | null>(
    groups.map((g) => [g.id, { name: g.name, tenant_id: g.projectId }]),
  )
  for (const g of groups)
    for (const r of g.rules)
      if (r.groupId !== null && !known.has(r.groupId)) {
        const source = await network.getSecurityGroup(caller, r.groupId).catch((err: unknown) => {
          if (novaExceptionOf(err) === 'SecurityGroupNotFound') return null
          throw err
        })
        known.set(r.groupId, source ? { name: source.name, tenant_id: source.projectId } : null)
      }
  return groups.map((g) => ({
    id: g.id,
    description: g.description,
    name: g.name,
    tenant_id: g.projectId,
    rules: g.rules.flatMap((r) => {
      const data = r.groupId === null ? undefined : known.get(r.groupId)
      return data === null ? [] : [ruleView(r, data)]
    }),
  }))
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

/**
 * Nova's validate_id. With a legacy manager, nova-network's integer ids still reach us from old
 * clients: none of them exists (groups have uuids here), so they are not found.
 */
export function checkGroupId(id: unknown, legacy = false, what = 'Security group'): string {
  if (legacy && (Number.isInteger(id) || (typeof id === 'string' && /^\d+$/.test(id))))
    throw computeErrors.notFound(
      what === 'Rule'
        ? `Rule (${String(id)}) not found`
        : `Security group ${String(id)} not found.`,
    )
  if (typeof id !== 'string' || !UUID_RE.test(id))
    throw computeErrors.badRequest('Security group id should be uuid')
  return id
}

/** nova-network's validate_property: at most 255 characters, names not blank. */
export function checkLegacyProperty(value: unknown, name: 'name' | 'description'): string {
  const text = checkProperty(value, name)
  if (name === 'name' && text.trim() === '')
    throw computeErrors.badRequest(`Security group ${name} should not be empty.`)
  return text
}

/** Nova's validate_property: a string of at most 255 characters. */
export function checkProperty(value: unknown, name: string): string {
  if (typeof value !== 'string')
    throw computeErrors.badRequest(`${name} is not a string or unicode`)
  if (value.length > 255)
    throw computeErrors.badRequest(`${name} has ${value.length} characters, more than 255.`)
  return value
}

const invalidInput = (reason: string) =>
  computeErrors.badRequest(`Invalid input received: ${reason}`)

function portNumber(value: unknown, icmp: boolean): number {
  const n =
    typeof value === 'number'
      ? Math.trunc(value)
      : typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)
        ? Number.parseInt(value, 10)
        : Number.NaN
  if (Number.isNaN(n))
    throw invalidInput(
      icmp
        ? 'Type and Code must be integers for ICMP protocol type'
        : 'To and From ports must be integers',
    )
  return n
}

function range(from: unknown, to: unknown, msg: string) {
  return computeErrors.badRequest(`Invalid port range ${String(from)}:${String(to)}. ${msg}`)
}

/** A CIDR Nova accepts (netaddr-valid), or undefined. */
function validCidr(text: string): boolean {
  const [addr = '', len, extra] = text.split('/')
  if (extra !== undefined) return false
  const v4 =
    /^(\d{1,3})(\.\d{1,3}){3}$/.test(addr) && addr.split('.').every((o) => Number(o) <= 255)
  const v6 = !v4 && addr.includes(':') && /^[0-9a-fA-F:.]+$/.test(addr)
  if (!v4 && !v6) return false
  if (len === undefined) return true
  return /^\d+$/.test(len) && Number(len) <= (v4 ? 32 : 128)
}

/**
 * Nova's _rule_args_to_dict: a rule from a remote group (all ports of TCP/UDP, every ICMP type
 * when none are given) or from a CIDR (protocol and ports required); undefined when the CIDR
 * rule lacks them.
 */
export function ruleRequest(input: {
  parentGroupId: string
  groupId: string | null
  protocol: unknown
  fromPort: unknown
  toPort: unknown
  cidr: unknown
}): NovaRuleRequest | undefined {
  let cidr: string | null = null
  if (input.groupId === null) {
    const raw = typeof input.cidr === 'string' ? decodeURIComponent(input.cidr) : ''
    cidr = raw === '' ? '0.0.0.0/0' : raw
    if (!validCidr(cidr)) throw computeErrors.badRequest(`${cidr} is not a valid IP network.`)
  }
  let from = input.fromPort
  let to = input.toPort
  const protocol =
    typeof input.protocol === 'string' && input.protocol !== '' ? input.protocol : null
  const upper = protocol?.toUpperCase() ?? ''
  if (
    input.groupId !== null &&
    (from === undefined || from === null) &&
    (to === undefined || to === null)
  ) {
    if (upper === 'ICMP') [from, to] = [-1, -1]
    else if (upper === 'TCP' || upper === 'UDP') [from, to] = [1, 65535]
  }
  const given = (v: unknown) => v !== undefined && v !== null
  if (protocol === null || !given(from) || !given(to)) {
    if (cidr !== null) return undefined
    return {
      parentGroupId: input.parentGroupId,
      groupId: input.groupId,
      protocol: null,
      fromPort: null,
      toPort: null,
      cidr,
    }
  }
  const icmp = upper === 'ICMP'
  const f = portNumber(from, icmp)
  const t = portNumber(to, icmp)
  if (!['TCP', 'UDP', 'ICMP'].includes(upper))
    throw computeErrors.badRequest(`Invalid IP protocol ${protocol}.`)
  if (!icmp && f > t) throw range(f, t, 'Former value cannot be greater than the later')
  if (!icmp && (f < 1 || t > 65535))
    throw range(f, t, `Valid ${upper} ports should be between 1-65535`)
  if (icmp && (f < -1 || f > 255 || t < -1 || t > 255))
    throw range(f, t, 'For ICMP, the type:code must be valid')
  return {
    parentGroupId: input.parentGroupId,
    groupId: input.groupId,
    protocol,
    fromPort: f,
    toPort: t,
    cidr,
  }
}

/**
 * Nova's _rule_exists: a CIDR rule with the same CIDR, ports and protocol as one of the group
 * (a remote-group rule never matches there: its missing CIDR differs from the stored one).
 */
export function ruleExists(group: NovaSecurityGroup, rule: NovaRuleRequest): boolean {
  if (rule.groupId !== null) return false
  return group.rules.some(
    (r) =>
      r.groupId === null &&
      r.cidr === rule.cidr &&
      r.fromPort === rule.fromPort &&
      r.toPort === rule.toPort &&
      r.protocol === rule.protocol,
  )
}
