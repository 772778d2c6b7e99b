/** @module /v2.0/floatingips and their tags. */
import {
  createFloatingIp,
  deleteFloatingIp,
  findFloatingIp,
  listFloatingIps,
  showFloatingIp,
  updateFloatingIp,
} from '../core/floating-ips.js'
import { type AttributeMap, STANDARD_ATTRIBUTES, isUuid, isUuidOrNull } from './attributes.js'
import { type NetworkApi, registerCollection } from './collection.js'
import { ipOrNullReason } from './ip-validators.js'
import { type Query, values } from './list-query.js'
import { registerTaggable } from './tags.routes.js'

/** Floating IPs have the standard attributes but no name. */
const { name: _name, ...STANDARD_WITHOUT_NAME } = STANDARD_ATTRIBUTES

export const FLOATINGIP_ATTRIBUTES: AttributeMap = {
  ...STANDARD_WITHOUT_NAME,
  floating_ip_address: {
    post: true,
    default: null,
    validate: ipOrNullReason,
    adminSet: true,
  },
  // Input only: Neutron never shows which subnet the address came from.
  subnet_id: { post: true, default: null, validate: isUuidOrNull },
  floating_network_id: { post: true, validate: isUuid },
  router_id: {},
  port_id: { post: true, put: true, default: null, validate: isUuidOrNull },
  fixed_ip_address: { post: true, put: true, default: null, validate: ipOrNullReason },
  status: {},
  port_details: {},
}

/** Filter values the SQL may narrow by ('' also matches null, so it is left to filterItems). */
function narrowing(query: Query, key: string): string[] {
  const wanted = values(query, key)
  return wanted.includes('') ? [] : wanted
}

export function floatingIpsRoutes(api: NetworkApi): void {
  const { deps } = api
  registerTaggable(api, 'floatingips', async (caller, id) => {
    await findFloatingIp(deps, caller, id)
  })
  registerCollection(api, {
    member: 'floatingip',
    collection: 'floatingips',
    path: 'floatingips',
    attributes: FLOATINGIP_ATTRIBUTES,
    list: (caller, query) =>
      listFloatingIps(deps, caller, {
        ids: narrowing(query, 'id'),
        portIds: narrowing(query, 'port_id'),
        networkIds: narrowing(query, 'floating_network_id'),
        addresses: narrowing(query, 'floating_ip_address'),
      }),
    show: (caller, id) => showFloatingIp(deps, caller, id),
    create: (caller, attrs) => createFloatingIp(deps, caller, attrs),
    update: (caller, id, attrs) => updateFloatingIp(deps, caller, id, attrs),
    remove: (caller, id) => deleteFloatingIp(deps, caller, id),
  })
}
