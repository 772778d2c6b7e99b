/**
 * @module The network schema. Booleans are 0/1 integers and times ISO strings on every dialect.
 * Every API resource carries Neutron's standard attributes (description, created_at,
 * updated_at, revision_number).
 */
import type { SequenceTable } from '../../lib/db/sequence.js'

export interface StandardColumns {
  description: string
  created_at: string
  updated_at: string
  revision_number: number
}

export interface NetworkRow extends StandardColumns {
  id: string
  project_id: string
  name: string
  admin_state_up: number
  status: string
  shared: number
  external: number
  /** Whether this is the default external network (auto-allocated topology). */
  is_default: number
  mtu: number
  port_security_enabled: number
  /** JSON list. */
  availability_zone_hints: string
}

/** A network's L2 segment; (network_type, physical_network, segmentation_id) is unique. */
export interface NetworkSegmentRow extends StandardColumns {
  id: string
  network_id: string
  name: string | null
  network_type: string
  /** '' when the type has none (vxlan, gre, local); unique indexes need a value. */
  physical_network: string
  /** 0 when the type has none (flat, local). */
  segmentation_id: number
  segment_index: number
}

export interface SubnetRow extends StandardColumns {
  id: string
  project_id: string
  network_id: string
  name: string
  ip_version: number
  cidr: string
  gateway_ip: string | null
  enable_dhcp: number
  ipv6_ra_mode: string | null
  ipv6_address_mode: string | null
  subnetpool_id: string | null
  segment_id: string | null
}

export interface AllocationPoolRow {
  subnet_id: string
  first_ip: string
  last_ip: string
}

export interface SubnetDnsRow {
  subnet_id: string
  address: string
  position: number
}

export interface SubnetRouteRow {
  subnet_id: string
  destination: string
  nexthop: string
}

export interface PortRow extends StandardColumns {
  id: string
  project_id: string
  network_id: string
  name: string
  mac_address: string
  admin_state_up: number
  status: string
  device_id: string
  device_owner: string
  port_security_enabled: number
  /** binding:host_id ('' when unbound). */
  host_id: string
  vnic_type: string
  vif_type: string
  /** JSON object. */
  vif_details: string
  /** JSON object. */
  binding_profile: string
  dns_name: string
  /** Neutron's ip_allocation: 'immediate', or 'none' for a port created without addresses (0002). */
  ip_allocation: string
}

/** One fixed IP; the primary key (subnet_id, ip_address) is what makes IPAM never hand out an address twice. */
export interface IpAllocationRow {
  subnet_id: string
  ip_address: string
  port_id: string
  network_id: string
}

export interface PortSecurityGroupRow {
  port_id: string
  security_group_id: string
}

export interface PortAddressPairRow {
  port_id: string
  ip_address: string
  mac_address: string
}

export interface PortDhcpOptionRow {
  port_id: string
  opt_name: string
  opt_value: string
  ip_version: number
}

export interface SecurityGroupRow extends StandardColumns {
  id: string
  project_id: string
  name: string
  stateful: number
}

/** Which group is a project's `default` (one per project, as Neutron's default_security_group). */
export interface DefaultSecurityGroupRow {
  project_id: string
  security_group_id: string
}

export interface SecurityGroupRuleRow extends StandardColumns {
  id: string
  project_id: string
  security_group_id: string
  direction: string
  ethertype: string
  protocol: string | null
  port_range_min: number | null
  port_range_max: number | null
  remote_ip_prefix: string | null
  remote_group_id: string | null
  remote_address_group_id: string | null
}

export interface RouterRow extends StandardColumns {
  id: string
  project_id: string
  name: string
  admin_state_up: number
  status: string
  /** The gateway port on the external network, if any. */
  gw_port_id: string | null
  enable_snat: number
  distributed: number
  ha: number
  /** JSON list. */
  availability_zone_hints: string
}

/** A port that belongs to a router (gateway or interface), with the role Neutron names by device_owner. */
export interface RouterPortRow {
  router_id: string
  port_id: string
  port_type: string
}

export interface RouterRouteRow {
  router_id: string
  destination: string
  nexthop: string
}

export interface FloatingIpRow extends StandardColumns {
  id: string
  project_id: string
  floating_network_id: string
  floating_port_id: string
  floating_ip_address: string
  fixed_port_id: string | null
  fixed_ip_address: string | null
  router_id: string | null
  status: string
}

export interface SubnetPoolRow extends StandardColumns {
  id: string
  project_id: string
  name: string
  ip_version: number
  default_prefixlen: number
  min_prefixlen: number
  max_prefixlen: number
  shared: number
  is_default: number
  default_quota: number | null
  address_scope_id: string | null
}

export interface SubnetPoolPrefixRow {
  subnetpool_id: string
  cidr: string
}

/** A project's auto-allocated topology (one per project: the primary key decides races). */
export interface AutoAllocatedTopologyRow {
  project_id: string
  network_id: string
  router_id: string | null
}

export interface QuotaRow {
  project_id: string
  resource: string
  limit: number
}

export interface TagRow {
  resource_type: string
  resource_id: string
  tag: string
}

export interface AgentRow {
  id: string
  agent_type: string
  binary: string
  topic: string
  host: string
  admin_state_up: number
  availability_zone: string | null
  /** JSON object. */
  configurations: string
  /** JSON object. */
  resource_versions: string
  description: string | null
  created_at: string
  started_at: string
  heartbeat_timestamp: string
  load: number
  resources_synced: number | null
}

/** Which DHCP agents serve a network and which L3 agent hosts a router. */
export interface AgentBindingRow {
  agent_id: string
  resource_type: string
  resource_id: string
}

/** nova-network's record of a legacy network; its addresses live in the Neutron subnet. */
export interface LegacyNetworkRow {
  network_id: string
  subnet_id: string
  label: string
  cidr: string
  netmask: string
  broadcast: string
  gateway: string
  dhcp_start: string
  dhcp_server: string
  bridge: string
  bridge_interface: string | null
  vlan: number | null
  multi_host: number
  dns1: string | null
  dns2: string | null
  /** The project it is associated with; null: every project's (flat) or not yet taken (vlan). */
  project_id: string | null
  /** Who made it: the Neutron owner while no project has it. */
  owner_project_id: string
  host: string | null
  vpn_private_address: string | null
  vpn_public_address: string | null
  vpn_public_port: number | null
  injected: number
  enable_dhcp: number
  share_address: number
  mtu: number | null
  created_at: string
  updated_at: string
}

/** A range of os-floating-ips-bulk: a subnet of its pool's external network. */
export interface LegacyFloatingRangeRow {
  ip_range: string
  pool: string
  interface: string
  network_id: string
  subnet_id: string
  created_at: string
}

export interface NetworkTables {
  network: NetworkRow
  network_segment: NetworkSegmentRow
  subnet: SubnetRow
  subnet_allocation_pool: AllocationPoolRow
  subnet_dns_nameserver: SubnetDnsRow
  subnet_host_route: SubnetRouteRow
  port: PortRow
  ip_allocation: IpAllocationRow
  port_security_group: PortSecurityGroupRow
  port_address_pair: PortAddressPairRow
  port_dhcp_option: PortDhcpOptionRow
  security_group: SecurityGroupRow
  default_security_group: DefaultSecurityGroupRow
  security_group_rule: SecurityGroupRuleRow
  router: RouterRow
  router_port: RouterPortRow
  router_route: RouterRouteRow
  floating_ip: FloatingIpRow
  subnetpool: SubnetPoolRow
  subnetpool_prefix: SubnetPoolPrefixRow
  auto_allocated_topology: AutoAllocatedTopologyRow
  quota: QuotaRow
  tag: TagRow
  agent: AgentRow
  agent_binding: AgentBindingRow
  legacy_network: LegacyNetworkRow
  legacy_floating_range: LegacyFloatingRangeRow
  /** Rows locked to serialise quota checks per project (lib/db/sequence.ts). */
  sequence: SequenceTable
}
