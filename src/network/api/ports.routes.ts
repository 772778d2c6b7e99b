/** @module /v2.0/ports: Neutron's port attributes (with binding, port-security, allowed-address-pairs and extra_dhcp_opt) and SQL-narrowed lists. */
import {
  type AttributeMap,
  STANDARD_ATTRIBUTES,
  isBoolean,
  isDict,
  isString,
  isUuid,
  maxLength,
  toBoolean,
  type Validator,
} from './attributes.js'
import { type NetworkApi, registerCollection } from './collection.js'
import { fixedIpsReason, noneToEmptyList, uuidListReason } from './ip-validators.js'
import { type Query, values as queryValues } from './list-query.js'
import { values } from './subnets.routes.js'
import { registerTaggable } from './tags.routes.js'
import { networkErrors } from '../errors.js'
import { macReason, normalizeMac } from '../core/mac.js'
import { type PortFilters, portItems, selectPorts } from '../core/port-items.js'
import { createPort, deletePort, findPortRow, showPort, updatePort } from '../core/ports.js'

/** Neutron's VNIC types (portbindings). */
const VNIC_TYPES = [
  'normal',
  'direct',
  'macvtap',
  'baremetal',
  'direct-physical',
  'virtio-forwarder',
  'smart-nic',
  'vdpa',
  'accelerator-direct',
  'accelerator-direct-physical',
  'remote-managed',
]

const uniqueStrings: Validator = (v) => {
  if (!Array.isArray(v)) return `'${JSON.stringify(v)}' is not a list`
  for (const x of v) {
    const bad = maxLength(255)(x)
    if (bad) return bad
  }
  return new Set(v).size === v.length ? undefined : `Duplicate items in the list: '${v.join(', ')}'`
}

export const PORT_ATTRIBUTES: AttributeMap = {
  ...STANDARD_ATTRIBUTES,
  network_id: { post: true, validate: isUuid },
  admin_state_up: { post: true, put: true, default: true, convert: toBoolean, validate: isBoolean },
  mac_address: {
    post: true,
    put: true,
    default: undefined,
    convert: (v) => normalizeMac(v) ?? v,
    validate: macReason,
  },
  fixed_ips: { post: true, put: true, default: undefined, validate: fixedIpsReason },
  device_id: { post: true, put: true, default: '', validate: maxLength(255) },
  device_owner: { post: true, put: true, default: '', validate: maxLength(255) },
  status: {},
  security_groups: {
    post: true,
    put: true,
    default: undefined,
    convert: noneToEmptyList,
    validate: uuidListReason,
  },
  port_security_enabled: {
    post: true,
    put: true,
    default: undefined,
    convert: toBoolean,
    validate: isBoolean,
  },
  allowed_address_pairs: { post: true, put: true, default: undefined, convert: noneToEmptyList },
  extra_dhcp_opts: { post: true, put: true, default: undefined },
  'binding:host_id': {
    post: true,
    put: true,
    default: undefined,
    validate: isString,
    adminSet: true,
    adminGet: true,
  },
  'binding:profile': {
    post: true,
    put: true,
    default: undefined,
    validate: (v) => (v === null ? undefined : isDict(v)),
    adminSet: true,
    adminGet: true,
  },
  'binding:vnic_type': { post: true, put: true, default: 'normal', validate: values(VNIC_TYPES) },
  'binding:vif_type': { adminGet: true },
  'binding:vif_details': { adminGet: true },
  ip_allocation: {},
  // Tags may come with the port (Neutron's tag-ports-during-bulk-creation).
  tags: { post: true, default: undefined, validate: uniqueStrings },
}

/** Query filters that map to columns or joins, applied in SQL before anything is built. */
export function portFilters(query: Query): PortFilters {
  const f: { -readonly [K in keyof PortFilters]: string[] } = {}
  const direct: [string, keyof PortFilters][] = [
    ['id', 'id'],
    ['network_id', 'network_id'],
    ['device_id', 'device_id'],
    ['device_owner', 'device_owner'],
    ['project_id', 'project_id'],
    ['tenant_id', 'project_id'],
    ['mac_address', 'mac_address'],
    ['status', 'status'],
    ['name', 'name'],
    ['binding:host_id', 'host_id'],
    ['security_groups', 'security_groups'],
  ]
  for (const [param, key] of direct) {
    const wanted = queryValues(query, param)
    if (wanted.length > 0) f[key] = [...(f[key] ?? []), ...wanted]
  }
  for (const spec of queryValues(query, 'fixed_ips')) {
    const eq = spec.indexOf('=')
    const key = spec.slice(0, eq)
    if (eq < 0 || !['ip_address', 'subnet_id', 'ip_address_substr'].includes(key)) continue
    const k = key as 'ip_address' | 'subnet_id' | 'ip_address_substr'
    f[k] = [...(f[k] ?? []), spec.slice(eq + 1)]
  }
  return f
}

export function portsRoutes(api: NetworkApi): void {
  const { deps } = api
  registerTaggable(api, 'ports', async (caller, id) => {
    const row = await findPortRow(deps, caller, id)
    if (!caller.isAdmin && row.project_id !== caller.projectId)
      throw networkErrors.notFound('port', id)
  })
  registerCollection(api, {
    member: 'port',
    collection: 'ports',
    path: 'ports',
    attributes: PORT_ATTRIBUTES,
    // Case-insensitive MACs and any-of fixed IPs, as Neutron's SQL filters them.
    consumedFilters: ['mac_address', 'fixed_ips'],
    list: async (caller, query) =>
      portItems(deps, await selectPorts(deps, caller, portFilters(query))),
    show: (caller, id) => showPort(deps, caller, id),
    create: (caller, attrs) => createPort(deps, caller, attrs),
    update: (caller, id, attrs) => updatePort(deps, caller, id, attrs),
    remove: (caller, id) => deletePort(deps, caller, id),
  })
}
