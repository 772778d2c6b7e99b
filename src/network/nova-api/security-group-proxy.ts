/**
 * @module The os-security-groups proxy over Neutron in Nova's shapes (security_group_api.py):
 * groups with their ingress rules only, ports 1-65535 (TCP/UDP) or -1 where Neutron leaves a
 * protocol's ports open, and Neutron's refusals turned into Nova's.
 */
import {
  networkFailure,
  type NetworkCaller,
  type NovaRuleRequest,
  type NovaSecurityGroup,
  type NovaSecurityGroupRule,
} from '../../compute/network-client.js'
import type { NetworkDeps } from '../core/deps.js'
import { deleteSecurityGroupRule, showSecurityGroupRule } from '../core/security-group-rules.js'
import {
  deleteSecurityGroup,
  listSecurityGroups,
  showSecurityGroup,
} from '../core/security-groups.js'
import {
  asCaller,
  type Json,
  neutronCreateRule,
  neutronCreateSecurityGroup,
  neutronStatus,
  neutronUpdateSecurityGroup,
} from './neutron.js'
import { projectGroups } from './security-groups.js'

const str = (v: unknown) => (typeof v === 'string' ? v : '')
const num = (v: unknown) => (typeof v === 'number' ? v : null)
const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

export function toNovaRule(rule: Json): NovaSecurityGroupRule {
  const protocol = typeof rule.protocol === 'string' ? rule.protocol : null
  let fromPort = num(rule.port_range_min)
  let toPort = num(rule.port_range_max)
  if (protocol !== null && fromPort === null && toPort === null) {
    const tcpUdp = ['TCP', 'UDP'].includes(protocol.toUpperCase())
    fromPort = tcpUdp ? 1 : -1
    toPort = tcpUdp ? 65535 : -1
  }
  const prefix = str(rule.remote_ip_prefix)
  return {
    id: str(rule.id),
    parentGroupId: str(rule.security_group_id),
    protocol,
    fromPort,
    toPort,
    groupId: typeof rule.remote_group_id === 'string' ? rule.remote_group_id : null,
    cidr: prefix === '' ? '0.0.0.0/0' : prefix,
  }
}

export function toNovaGroup(group: Json): NovaSecurityGroup {
  const rules = Array.isArray(group.security_group_rules)
    ? (group.security_group_rules as Json[])
    : []
  return {
    id: str(group.id),
    name: str(group.name),
    description: str(group.description),
    projectId: str(group.project_id),
    rules: rules.filter((r) => r.direction === 'ingress').map(toNovaRule),
  }
}

/** A refusal of the network service as Nova's proxy rethrows it. */
function proxied(err: unknown, conflict: 'Invalid' | 'SecurityGroupLimitExceeded'): unknown {
  const status = neutronStatus(err)
  if (status === 404) return networkFailure('SecurityGroupNotFound', 'NotFound', message(err))
  if (status === 409)
    return conflict === 'Invalid'
      ? networkFailure('Invalid', 'BadRequest', message(err))
      : networkFailure('SecurityGroupLimitExceeded', 'Forbidden', message(err))
  if (status === 400) return networkFailure('Invalid', 'BadRequest', message(err))
  return err
}

export async function listGroups(
  deps: NetworkDeps,
  caller: NetworkCaller,
  allTenants: boolean,
): Promise<NovaSecurityGroup[]> {
  const groups =
    caller.isAdmin && allTenants
      ? await listSecurityGroups(deps, asCaller(caller), undefined)
      : await projectGroups(deps, caller, caller.projectId)
  return groups.map(toNovaGroup)
}

export async function getGroup(
  deps: NetworkDeps,
  caller: NetworkCaller,
  id: string,
): Promise<NovaSecurityGroup> {
  try {
    return toNovaGroup(await showSecurityGroup(deps, asCaller(caller), id))
  } catch (err) {
    throw proxied(err, 'Invalid')
  }
}

export async function createGroup(
  deps: NetworkDeps,
  caller: NetworkCaller,
  name: string,
  description: string,
): Promise<NovaSecurityGroup> {
  try {
    return toNovaGroup(
      await neutronCreateSecurityGroup(deps, asCaller(caller), { name, description }),
    )
  } catch (err) {
    throw proxied(err, 'SecurityGroupLimitExceeded')
  }
}

export async function updateGroup(
  deps: NetworkDeps,
  caller: NetworkCaller,
  id: string,
  changes: { name?: string | undefined; description?: string | undefined },
): Promise<NovaSecurityGroup> {
  const body: Json = {}
  if (changes.name !== undefined) body.name = changes.name
  if (changes.description !== undefined) body.description = changes.description
  try {
    return toNovaGroup(await neutronUpdateSecurityGroup(deps, asCaller(caller), id, body))
  } catch (err) {
    throw proxied(err, 'Invalid')
  }
}

export async function deleteGroup(
  deps: NetworkDeps,
  caller: NetworkCaller,
  id: string,
): Promise<void> {
  await getGroup(deps, caller, id)
  try {
    await deleteSecurityGroup(deps, asCaller(caller), id)
  } catch (err) {
    throw proxied(err, 'Invalid')
  }
}

/** Nova's _make_neutron_security_group_rules_list: always ingress, -1 meaning no bound. */
export async function createRule(
  deps: NetworkDeps,
  caller: NetworkCaller,
  rule: NovaRuleRequest,
): Promise<NovaSecurityGroupRule> {
  const ipv6 = rule.cidr !== null && rule.cidr.includes(':')
  const body: Json = {
    direction: 'ingress',
    protocol: rule.protocol,
    ethertype: ipv6 ? 'IPv6' : 'IPv4',
    remote_ip_prefix: rule.cidr,
    security_group_id: rule.parentGroupId,
    remote_group_id: rule.groupId,
  }
  if (rule.fromPort !== null && rule.fromPort !== -1) body.port_range_min = rule.fromPort
  if (rule.toPort !== null && rule.toPort !== -1) body.port_range_max = rule.toPort
  try {
    return toNovaRule(await neutronCreateRule(deps, asCaller(caller), body))
  } catch (err) {
    throw proxied(err, 'SecurityGroupLimitExceeded')
  }
}

export async function getRule(
  deps: NetworkDeps,
  caller: NetworkCaller,
  id: string,
): Promise<NovaSecurityGroupRule> {
  try {
    return toNovaRule(await showSecurityGroupRule(deps, asCaller(caller), id))
  } catch (err) {
    throw proxied(err, 'Invalid')
  }
}

export async function deleteRule(
  deps: NetworkDeps,
  caller: NetworkCaller,
  id: string,
): Promise<void> {
  await deleteSecurityGroupRule(deps, asCaller(caller), id)
}
