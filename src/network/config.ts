/** @module The [network] section: Neutron's options (ML2 type ranges, quotas) under Neutron's names. */
import { bool, choice, int, list, optionalStr, section, str } from '../lib/config/options.js'

export const networkSection = section('network', 'Network service (Neutron v2.0 compatible).', {
  enabled: bool({ default: true, help: 'Run the network service in this process.' }),
  port: int({ default: 9696, min: 1, max: 65535, help: 'Port of the network API.' }),
  manager: choice(['neutron', 'flat', 'flat_dhcp', 'vlan'], {
    default: 'neutron',
    help: "Network model: neutron, or one of nova-network's legacy managers (flat, flat_dhcp, vlan), whose networks are made with `ostack network legacy-create` and also appear through the Neutron API as provider networks.",
  }),
  // nova-network's own options, under its names; read only by the legacy managers.
  fixedRange: str({
    default: '',
    help: 'nova-network: the fixed range the network host SNATs (fixed_range; empty: the CIDRs of the legacy networks).',
  }),
  flatNetworkBridge: str({
    default: 'br100',
    help: 'nova-network: the bridge of flat and flat_dhcp networks (flat_network_bridge).',
  }),
  flatInterface: str({
    default: '',
    help: 'nova-network: the interface flat_dhcp puts on its bridge (flat_interface).',
  }),
  flatInjected: bool({
    default: false,
    help: 'nova-network: write the network configuration into flat guests (flat_injected).',
  }),
  flatNetworkDns: str({
    default: '8.8.4.4',
    help: 'nova-network: the DNS server of networks made without dns1 (flat_network_dns).',
  }),
  publicInterface: str({
    default: 'eth0',
    help: 'nova-network: the interface floating IPs are put on and NAT goes out of (public_interface).',
  }),
  vlanStart: int({
    default: 100,
    min: 1,
    max: 4094,
    help: 'nova-network: the first VLAN of vlan-manager networks (vlan_start).',
  }),
  vlanInterface: str({
    default: 'eth1',
    help: 'nova-network: the interface VLANs are made on (vlan_interface).',
  }),
  numNetworks: int({
    default: 1,
    min: 1,
    help: 'nova-network: networks one legacy-create makes (num_networks).',
  }),
  networkSize: int({
    default: 256,
    min: 4,
    help: 'nova-network: addresses in each network (network_size).',
  }),
  multiHost: bool({
    default: false,
    help: 'nova-network: every compute host serves the networks of its own instances (multi_host).',
  }),
  allowSameNetTraffic: bool({
    default: true,
    help: 'nova-network: instances on one network may reach each other whatever their security groups (allow_same_net_traffic).',
  }),
  shareDhcpAddress: bool({
    default: false,
    help: 'nova-network: multi_host hosts share one DHCP address instead of taking one each (share_dhcp_address).',
  }),
  cntVpnClients: int({
    default: 0,
    min: 0,
    help: 'nova-network: addresses kept at the top of each vlan network for VPN clients (cnt_vpn_clients).',
  }),
  vpnStart: int({
    default: 1000,
    min: 1,
    max: 65535,
    help: 'nova-network: the first VPN port of vlan networks (vpn_start).',
  }),
  floatingRange: str({
    default: '',
    help: 'nova-network: the range `ostack network floating-create` makes when given none (floating_range).',
  }),
  defaultFloatingPool: str({
    default: 'nova',
    help: 'nova-network: the pool floating IPs come from when none is named (default_floating_pool).',
  }),
  tenantNetworkTypes: list({
    default: ['vxlan'],
    help: 'Segment types given to project networks, in order of preference (ML2 tenant_network_types: vxlan, gre, vlan, flat).',
  }),
  flatNetworks: list({
    default: ['*'],
    help: 'Physical networks flat networks may use (ML2 flat_networks; * for any).',
  }),
  networkVlanRanges: list({
    default: ['physnet1:1000:2999'],
    help: 'physical_network[:min:max] VLAN ranges (ML2 network_vlan_ranges); a range makes its ids allocatable to project networks.',
  }),
  vniRanges: list({
    default: ['1:1000'],
    help: 'VXLAN VNI ranges for project networks (ML2 vni_ranges).',
  }),
  tunnelIdRanges: list({
    default: ['1:1000'],
    help: 'GRE tunnel id ranges for project networks (ML2 tunnel_id_ranges).',
  }),
  globalPhysnetMtu: int({
    default: 1500,
    min: 68,
    help: 'MTU of the underlying physical network (Neutron global_physnet_mtu).',
  }),
  pathMtu: int({
    default: 0,
    min: 0,
    help: 'Largest MTU along tunnel paths (ML2 path_mtu; 0: global_physnet_mtu).',
  }),
  baseMac: str({
    default: 'fa:16:3e:00:00:00',
    help: 'Ports get MAC addresses with these first three octets (Neutron base_mac).',
  }),
  defaultAvailabilityZones: list({
    default: ['nova'],
    help: 'Zones networks and routers get when they ask for none.',
  }),
  dnsDomain: str({
    default: 'openstacklocal.',
    help: 'Domain for port hostnames (Neutron dns_domain).',
  }),
  agentDownTime: int({
    default: 75,
    min: 1,
    help: 'Seconds without a report after which an agent shows alive=false (Neutron agent_down_time).',
  }),
  agentReportInterval: int({
    default: 30,
    min: 1,
    help: 'Seconds between two state reports of an agent (Neutron [AGENT] report_interval).',
  }),
  dhcpAgentsPerNetwork: int({
    default: 1,
    min: 1,
    help: 'DHCP agents each network with a DHCP-enabled subnet is scheduled to (Neutron dhcp_agents_per_network).',
  }),
  agents: choice(['noop', 'none'], {
    default: 'noop',
    help: 'Agents this process runs for its host: noop (L2, DHCP, L3 and metadata agents that report and acknowledge notifications but touch nothing, for the fake world) or none.',
  }),
  host: optionalStr({
    help: 'Host name the agents of this process report (default: [compute] host, then the machine host name).',
  }),
  agentAvailabilityZone: str({
    default: 'nova',
    help: 'Availability zone the DHCP and L3 agents of this process report (Neutron [AGENT] availability_zone).',
  }),
  allowOverlappingIps: bool({
    default: true,
    help: 'Projects may use the same subnets (Neutron allow_overlapping_ips).',
  }),
  maxFixedIpsPerPort: int({ default: 5, min: 1, help: 'Fixed IPs one port may have.' }),
  quotaNetwork: int({ default: 10, min: -1, help: 'Networks per project (-1: unlimited).' }),
  quotaSubnet: int({ default: 10, min: -1, help: 'Subnets per project.' }),
  quotaPort: int({ default: 50, min: -1, help: 'Ports per project.' }),
  quotaRouter: int({ default: 10, min: -1, help: 'Routers per project.' }),
  quotaFloatingip: int({ default: 50, min: -1, help: 'Floating IPs per project.' }),
  quotaSecurityGroup: int({ default: 10, min: -1, help: 'Security groups per project.' }),
  quotaSecurityGroupRule: int({ default: 100, min: -1, help: 'Security group rules per project.' }),
  quotaSubnetpool: int({ default: -1, min: -1, help: 'Subnet pools per project.' }),
  paginationMaxLimit: int({
    default: -1,
    min: -1,
    help: 'Most items one list returns (-1: no limit), as Neutron pagination_max_limit.',
  }),
  databaseConnection: optionalStr({
    help: 'This service’s own database URL (default: [database] connection).',
  }),
  policyFile: optionalStr({
    help: 'A policy.yaml whose rules override the network defaults by name.',
  }),
})
