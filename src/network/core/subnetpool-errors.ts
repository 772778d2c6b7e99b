/**
 * @module The errors of subnet pools and of subnets allocated from them, under Neutron's
 * exception names and message templates.
 */
import { AppError } from '../../lib/errors/app-error.js'
import { networkErrors, neutronError } from '../errors.js'

export const subnetpoolErrors = {
  emptyPrefixList: () =>
    neutronError('BadRequest', 'EmptySubnetPoolPrefixList', 'Empty subnet pool prefix list.'),
  prefixVersionMismatch: () =>
    neutronError(
      'BadRequest',
      'PrefixVersionMismatch',
      'Cannot mix IPv4 and IPv6 prefixes in a subnet pool.',
    ),
  illegalBounds: (type: string, prefixlen: number, baseType: string, base: number) =>
    neutronError(
      'BadRequest',
      'IllegalSubnetPoolPrefixBounds',
      `Illegal prefix bounds: ${type}=${prefixlen}, ${baseType}=${base}.`,
    ),
  illegalPrefixUpdate: (msg: string) =>
    neutronError(
      'BadRequest',
      'IllegalSubnetPoolPrefixUpdate',
      `Illegal update to prefixes: ${msg}.`,
    ),
  defaultExists: () =>
    networkErrors.invalidInput(
      'A default subnetpool for this IP family has already been set. Only one default may exist per IP family',
    ),
  /** Neutron's SubnetPoolDeleteError is a BadRequest (400), not an InUse. */
  inUse: () =>
    neutronError(
      'BadRequest',
      'SubnetPoolDeleteError',
      'Unable to delete subnet pool: Subnet pool has existing allocations.',
    ),
  addressScopeNotFound: (id: string) =>
    neutronError('NotFound', 'AddressScopeNotFound', `Address scope ${id} could not be found.`),
  /** A plain NeutronException in Neutron, which its API maps to 500 (with the message). */
  allocation: (reason: string) =>
    new AppError({
      code: 'NETWORK_SubnetAllocationError',
      kind: 'Unavailable',
      status: 500,
      message: `Failed to allocate subnet: ${reason}.`,
      details: { type: 'SubnetAllocationError' },
    }),
  minPrefix: (prefixlen: number, min: number) =>
    neutronError(
      'BadRequest',
      'MinPrefixSubnetAllocationError',
      `Unable to allocate subnet with prefix length ${prefixlen}, minimum allowed prefix is ${min}.`,
    ),
  maxPrefix: (prefixlen: number, max: number) =>
    neutronError(
      'BadRequest',
      'MaxPrefixSubnetAllocationError',
      `Unable to allocate subnet with prefix length ${prefixlen}, maximum allowed prefix is ${max}.`,
    ),
  quotaExceeded: () =>
    neutronError(
      'Conflict',
      'SubnetPoolQuotaExceeded',
      'Per-tenant subnet pool prefix quota exceeded.',
    ),
  affinity: () =>
    neutronError(
      'BadRequest',
      'NetworkSubnetPoolAffinityError',
      'Subnets hosted on the same network must be allocated from the same subnet pool.',
    ),
  gatewayNotAllocatable: (gateway: string, cidr: string) =>
    neutronError(
      'Conflict',
      'IpamValueInvalid',
      `Gateway IP ${gateway} cannot be allocated in CIDR ${cidr}`,
    ),
}
