/**
 * @module The network service's policy defaults, as Neutron applies them with
 * enforce_new_defaults off. Ownership and visibility (owner, shared, external) are checked in
 * core/; these rules name what only admins may do, so an operator's policy.yaml can move them.
 */
import type { PolicyDefault } from '../lib/policy/enforcer.js'

export const networkPolicies: readonly PolicyDefault[] = [
  { name: 'context_is_admin', check: 'role:admin' },
  { name: 'admin_only', check: 'rule:context_is_admin' },
  { name: 'admin_or_owner', check: 'rule:context_is_admin or project_id:%(project_id)s' },
  { name: 'get_agent', check: 'rule:admin_only' },
  { name: 'update_agent', check: 'rule:admin_only' },
  { name: 'delete_agent', check: 'rule:admin_only' },
  { name: 'get_dhcp-networks', check: 'rule:admin_only' },
  { name: 'create_dhcp-network', check: 'rule:admin_only' },
  { name: 'delete_dhcp-network', check: 'rule:admin_only' },
  { name: 'get_dhcp-agents', check: 'rule:admin_only' },
  { name: 'get_l3-routers', check: 'rule:admin_only' },
  { name: 'create_l3-router', check: 'rule:admin_only' },
  { name: 'delete_l3-router', check: 'rule:admin_only' },
  { name: 'get_l3-agents', check: 'rule:admin_only' },
  { name: 'get_quota', check: 'rule:admin_only' },
  { name: 'update_quota', check: 'rule:admin_only' },
  { name: 'delete_quota', check: 'rule:admin_only' },
  { name: 'get_network_ip_availability', check: 'rule:admin_only' },
]
