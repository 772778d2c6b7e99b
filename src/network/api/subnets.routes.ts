/** @module /v2.0/subnets (Neutron's subnet attributes and their validators). */
import {
  type AttributeMap,
  type Converter,
  STANDARD_ATTRIBUTES,
  isBoolean,
  isUuid,
  toBoolean,
  type Validator,
} from './attributes.js'
import { type NetworkApi, registerCollection } from './collection.js'
import {
  canonicalCidr,
  canonicalIp,
  cidrOrNullReason,
  hostRoutesReason,
  ipOrNullReason,
  ipPoolsReason,
  nameserversReason,
  noneToEmptyList,
} from './ip-validators.js'
import { registerTaggable } from './tags.routes.js'
import { networkErrors } from '../errors.js'
import { pyStr } from '../core/py-repr.js'
import {
  createSubnet,
  deleteSubnet,
  findSubnet,
  listSubnets,
  showSubnet,
  updateSubnet,
} from '../core/subnets.js'

/** neutron-lib's convert_to_int: anything int() takes, else InvalidInput. */
export const toInteger: Converter = (v) => {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number(v)
  throw networkErrors.invalidInput(`'${pyStr(v)}' is not an integer`)
}

/** neutron-lib's validate_non_negative (after convert_to_int). */
export const nonNegative: Validator = (v) =>
  typeof v === 'number' && v < 0 ? `'${v}' should be non-negative` : undefined

/** neutron-lib's validate_values (its message names no values). */
export function values(allowed: readonly unknown[]): Validator {
  return (v) => (allowed.includes(v) ? undefined : `${pyStr(v)} is not in valid_values`)
}

const IPV6_MODES = ['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac']

export const SUBNET_ATTRIBUTES: AttributeMap = {
  ...STANDARD_ATTRIBUTES,
  network_id: { post: true, validate: isUuid },
  ip_version: { post: true, convert: toInteger, validate: values([4, 6]) },
  cidr: { post: true, default: undefined, convert: canonicalCidr, validate: cidrOrNullReason },
  prefixlen: { post: true, default: undefined, convert: toInteger, validate: nonNegative },
  subnetpool_id: {
    post: true,
    default: undefined,
    validate: (v) => (v === null ? undefined : isUuid(v)),
  },
  // default-subnetpools: asks for the default pool of ip_version; never shown.
  use_default_subnetpool: { post: true, default: false, convert: toBoolean, validate: isBoolean },
  gateway_ip: {
    post: true,
    put: true,
    default: undefined,
    convert: canonicalIp,
    validate: ipOrNullReason,
  },
  allocation_pools: { post: true, put: true, default: undefined, validate: ipPoolsReason },
  dns_nameservers: {
    post: true,
    put: true,
    default: undefined,
    convert: noneToEmptyList,
    validate: nameserversReason,
  },
  host_routes: {
    post: true,
    put: true,
    default: undefined,
    convert: noneToEmptyList,
    validate: hostRoutesReason,
  },
  enable_dhcp: { post: true, put: true, default: true, convert: toBoolean, validate: isBoolean },
  ipv6_ra_mode: { post: true, default: undefined, validate: values(IPV6_MODES) },
  ipv6_address_mode: { post: true, default: undefined, validate: values(IPV6_MODES) },
  segment_id: {
    post: true,
    default: undefined,
    adminSet: true,
    validate: (v) => (v === null ? undefined : isUuid(v)),
  },
  service_types: {},
}

export function subnetsRoutes(api: NetworkApi): void {
  const { deps } = api
  registerTaggable(api, 'subnets', async (caller, id) => {
    const row = await findSubnet(deps, caller, id)
    if (!caller.isAdmin && row.project_id !== caller.projectId)
      throw networkErrors.notFound('subnet', id)
  })
  registerCollection(api, {
    member: 'subnet',
    collection: 'subnets',
    path: 'subnets',
    attributes: SUBNET_ATTRIBUTES,
    list: (caller) => listSubnets(deps, caller),
    show: (caller, id) => showSubnet(deps, caller, id),
    create: (caller, attrs) => createSubnet(deps, caller, attrs),
    update: (caller, id, attrs) => updateSubnet(deps, caller, id, attrs),
    remove: (caller, id) => deleteSubnet(deps, caller, id),
  })
}
