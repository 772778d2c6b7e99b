/** @module Neutron's security group exceptions: their type names, statuses and wording. */
import { neutronError } from '../errors.js'

const badRequest = (type: string, message: string) => neutronError('BadRequest', type, message)
const conflict = (type: string, message: string) => neutronError('Conflict', type, message)

/** Python's str() of a request value, as Neutron's messages print them. */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  return JSON.stringify(value)
}

/** Neutron's sg_supported_protocols, printed as its Python list. */
export const SUPPORTED_PROTOCOLS_TEXT =
  "[None, 'ah', 'dccp', 'egp', 'esp', 'gre', 'hopopt', 'icmp', 'igmp', 'ip', 'ipip', " +
  "'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', " +
  "'ipv6-route', 'ospf', 'pgm', 'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp']"

export const sgErrors = {
  inUse: (id: string) => conflict('SecurityGroupInUse', `Security Group ${id} in use.`),
  cannotRemoveDefault: () =>
    conflict(
      'SecurityGroupCannotRemoveDefault',
      'Insufficient rights for removing default security group.',
    ),
  cannotUpdateDefault: () =>
    conflict('SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.'),
  defaultAlreadyExists: () =>
    conflict('SecurityGroupDefaultAlreadyExists', 'Default security group already exists.'),
  invalidProtocol: (protocol: unknown) =>
    badRequest(
      'SecurityGroupRuleInvalidProtocol',
      `Security group rule protocol ${pyStr(protocol)} not supported. Only protocol values ${SUPPORTED_PROTOCOLS_TEXT} and integer representations [0 to 255] are supported.`,
    ),
  invalidEthertype: (ethertype: unknown) =>
    badRequest(
      'SecurityGroupRuleInvalidEtherType',
      `Security group rule for ethertype '${pyStr(ethertype)}' not supported. Allowed values are ['IPv4', 'IPv6'].`,
    ),
  invalidPortValue: (port: unknown) =>
    badRequest('SecurityGroupInvalidPortValue', `Invalid value for port ${pyStr(port)}`),
  invalidPortRange: () =>
    badRequest(
      'SecurityGroupInvalidPortRange',
      'For TCP/UDP protocols, port_range_min must be <= port_range_max',
    ),
  invalidIcmpValue: (field: 'type' | 'code', attr: string, value: number) =>
    badRequest(
      'SecurityGroupInvalidIcmpValue',
      `Invalid value for ICMP ${field} (${attr}) ${value}. It must be 0 to 255.`,
    ),
  missingIcmpType: (value: number) =>
    badRequest(
      'SecurityGroupMissingIcmpType',
      `ICMP code (port-range-max) ${value} is provided but ICMP type (port-range-min) is missing.`,
    ),
  invalidProtocolForPort: (protocol: number) =>
    badRequest(
      'SecurityGroupInvalidProtocolForPort',
      `Ports cannot be specified for protocol ${protocol}. Ports are only supported for DCCP, SCTP, TCP, UDP, UDPLITE.`,
    ),
  protocolRequiredWithPorts: () =>
    badRequest(
      'SecurityGroupProtocolRequiredWithPorts',
      'Must also specify protocol if port range is given.',
    ),
  ethertypeConflictWithProtocol: (ethertype: string, protocol: string) =>
    badRequest(
      'SecurityGroupEthertypeConflictWithProtocol',
      `Invalid ethertype ${ethertype} for protocol ${protocol}.`,
    ),
  parameterConflict: (ethertype: string, cidr: string) =>
    badRequest(
      'SecurityGroupRuleParameterConflict',
      `Conflicting value ethertype ${ethertype} for CIDR ${cidr}`,
    ),
  multipleRemotes: () =>
    badRequest(
      'SecurityGroupMultipleRemoteEntites',
      'Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.',
    ),
  invalidCidr: (input: unknown) =>
    badRequest('InvalidCIDR', `Invalid CIDR ${pyStr(input)} given as IP prefix.`),
  notSingleGroup: () =>
    badRequest(
      'SecurityGroupNotSingleGroupRules',
      'Only allowed to update rules for one security profile at a time',
    ),
  notSingleTenant: () =>
    badRequest(
      'SecurityGroupRulesNotSingleTenant',
      'Multiple tenant_ids in bulk security group rule create not allowed',
    ),
  duplicateInPost: () =>
    conflict('DuplicateSecurityGroupRuleInPost', 'Duplicate Security Group Rule in POST.'),
  ruleExists: (ruleId: string) =>
    conflict(
      'SecurityGroupRuleExists',
      `Security group rule already exists. Rule id is ${ruleId}.`,
    ),
  addressGroupNotFound: (id: unknown) =>
    neutronError(
      'NotFound',
      'AddressGroupNotFound',
      `Address group ${pyStr(id)} could not be found.`,
    ),
}
