/** @module The network service's errors: Neutron's exception types, statuses and wording. */
import { AppError, type ErrorKind } from '../lib/errors/app-error.js'

/** An error Neutron names by `type` in its NeutronError body. */
export function neutronError(kind: ErrorKind, type: string, message: string): AppError {
  return new AppError({ code: `NETWORK_${type}`, kind, message, details: { type } })
}

const notFound = (type: string, message: string) => neutronError('NotFound', type, message)
const conflict = (type: string, message: string) => neutronError('Conflict', type, message)
const badRequest = (type: string, message: string) => neutronError('BadRequest', type, message)

/** Neutron's resource names in messages ("Network 1234 could not be found."). */
const NOT_FOUND_TYPES: Readonly<Record<string, [string, string]>> = {
  network: ['NetworkNotFound', 'Network'],
  subnet: ['SubnetNotFound', 'Subnet'],
  port: ['PortNotFound', 'Port'],
  router: ['RouterNotFound', 'Router'],
  floatingip: ['FloatingIPNotFound', 'Floating IP'],
  security_group: ['SecurityGroupNotFound', 'Security group'],
  security_group_rule: ['SecurityGroupRuleNotFound', 'Security group rule'],
  subnetpool: ['SubnetPoolNotFound', 'Subnet pool'],
  agent: ['AgentNotFound', 'Agent'],
  segment: ['SegmentNotFound', 'Segment'],
}

export const networkErrors = {
  /** "Network <id> could not be found." with Neutron's per-resource type. */
  notFound: (resource: string, id: string) => {
    const [type, noun] = NOT_FOUND_TYPES[resource] ?? ['NotFound', resource]
    if (resource === 'security_group_rule')
      return notFound(type, `Security group rule ${id} does not exist`)
    if (resource === 'security_group') return notFound(type, `Security group ${id} does not exist`)
    if (resource === 'floatingip') return notFound(type, `Floating IP ${id} could not be found`)
    if (resource === 'router') return notFound(type, `Router ${id} could not be found`)
    return notFound(type, `${noun} ${id} could not be found.`)
  },
  badRequest: (message: string) => badRequest('HTTPBadRequest', message),
  /** Neutron's InvalidInput: "Invalid input for operation: <detail>." */
  invalidInput: (detail: string) =>
    badRequest('InvalidInput', `Invalid input for operation: ${detail}.`),
  /** An attribute that failed its validator: "Invalid input for <attr>. Reason: <why>." */
  invalidAttribute: (attr: string, reason: string) =>
    badRequest('HTTPBadRequest', `Invalid input for ${attr}. Reason: ${reason}.`),
  conflict: (type: string, message: string) => conflict(type, message),
  forbidden: (message: string) => neutronError('Forbidden', 'HTTPForbidden', message),
  /** Policy refusal, as Neutron words it. */
  policy: (action: string) =>
    neutronError('Forbidden', 'PolicyNotAuthorized', `(rule:${action}) is disallowed by policy`),
  overQuota: (resource: string) =>
    conflict('OverQuota', `Quota exceeded for resources: ['${resource}'].`),
  inUse: (type: string, message: string) => conflict(type, message),
  ipGenerationFailure: (networkId: string) =>
    conflict(
      'IpAddressGenerationFailure',
      `No more IP addresses available on network ${networkId}.`,
    ),
}
