/** @module /v2.0/networks. */
import {
  type AttributeMap,
  STANDARD_ATTRIBUTES,
  intRange,
  isBoolean,
  isString,
  listOf,
  maxLength,
  toBoolean,
  toInt,
} from './attributes.js'
import { type NetworkApi, registerCollection } from './collection.js'
import { registerTaggable } from './tags.routes.js'
import { networkErrors } from '../errors.js'
import {
  createNetwork,
  deleteNetwork,
  findNetwork,
  listNetworks,
  showNetwork,
  updateNetwork,
} from '../core/networks.js'

const nullableString = (v: unknown) => (v === null ? undefined : isString(v))
const nullableInt = (v: unknown) => (v === null ? undefined : intRange(0, 4294967295)(v))

export const NETWORK_ATTRIBUTES: AttributeMap = {
  ...STANDARD_ATTRIBUTES,
  admin_state_up: { post: true, put: true, default: true, convert: toBoolean, validate: isBoolean },
  status: {},
  subnets: {},
  shared: {
    post: true,
    put: true,
    default: false,
    convert: toBoolean,
    validate: isBoolean,
    adminSet: true,
  },
  'router:external': {
    post: true,
    put: true,
    default: false,
    convert: toBoolean,
    validate: isBoolean,
    adminSet: true,
  },
  is_default: {
    post: true,
    put: true,
    default: false,
    convert: toBoolean,
    validate: isBoolean,
    adminSet: true,
  },
  mtu: {
    post: true,
    put: true,
    default: null,
    convert: toInt,
    validate: (v) => (v === null ? undefined : intRange(68, 65535)(v)),
  },
  port_security_enabled: {
    post: true,
    put: true,
    default: true,
    convert: toBoolean,
    validate: isBoolean,
  },
  availability_zone_hints: { post: true, default: [], validate: listOf(maxLength(255)) },
  availability_zones: {},
  'provider:network_type': {
    post: true,
    put: true,
    default: undefined,
    validate: nullableString,
    adminSet: true,
    adminGet: true,
  },
  'provider:physical_network': {
    post: true,
    put: true,
    default: undefined,
    validate: nullableString,
    adminSet: true,
    adminGet: true,
  },
  'provider:segmentation_id': {
    post: true,
    put: true,
    default: undefined,
    convert: toInt,
    validate: nullableInt,
    adminSet: true,
    adminGet: true,
  },
  ipv4_address_scope: {},
  ipv6_address_scope: {},
  l2_adjacency: {},
}

export function networksRoutes(api: NetworkApi): void {
  const { deps } = api
  registerTaggable(api, 'networks', async (caller, id) => {
    const row = await findNetwork(deps, caller, id)
    if (!caller.isAdmin && row.project_id !== caller.projectId)
      throw networkErrors.notFound('network', id)
  })
  registerCollection(api, {
    member: 'network',
    collection: 'networks',
    path: 'networks',
    attributes: NETWORK_ATTRIBUTES,
    list: (caller) => listNetworks(deps, caller),
    show: (caller, id) => showNetwork(deps, caller, id),
    create: (caller, attrs) => createNetwork(deps, caller, attrs),
    update: (caller, id, attrs) => updateNetwork(deps, caller, id, attrs),
    remove: (caller, id) => deleteNetwork(deps, caller, id),
  })
}
