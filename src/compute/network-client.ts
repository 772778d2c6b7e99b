/**
 * @module What compute needs from the network service (Nova's network API in front of
 * Neutron): ports for servers, their addresses for the API and the info cache, and the
 * nova-network era proxies (security groups, floating IPs, networks). In one process it calls
 * the network service's core directly (src/network/client.ts); across hosts it will speak the
 * Neutron REST API with the caller's token, as Nova does.
 *
 * Failures are AppErrors named after Nova's exceptions (`details.novaException`), worded as Nova
 * words them; each compute endpoint decides their status, as Nova's controllers do.
 */
import { AppError, type ErrorKind, isAppError } from '../lib/errors/app-error.js'

/** Who asks (Nova's RequestContext); the client elevates where Nova uses its admin client. */
export interface NetworkCaller {
  projectId: string
  userId: string
  isAdmin: boolean
  requestId: string
}

/** One entry of a server create's `networks` (or of an interface attach). */
export interface RequestedNetwork {
  networkId?: string
  portId?: string
  fixedIp?: string
  tag?: string
}

/**
 * The networks a server asks for: a list, `auto` (the project's network or an auto-allocated
 * one), `none` (no ports), or undefined when the request named none (before 2.37).
 */
export type NetworkRequest = 'auto' | 'none' | readonly RequestedNetwork[] | undefined

export interface VifIp {
  address: string
  version: 4 | 6
  /** Floating addresses associated with this fixed address. */
  floatingIps: string[]
}

export interface VifSubnet {
  id: string
  cidr: string
  version: 4 | 6
  gateway: string | null
  dnsNameservers: string[]
  hostRoutes: { destination: string; nexthop: string }[]
  ips: VifIp[]
}

/** One port of a server as Nova's network info cache holds it (nova.network.model.VIF). */
export interface Vif {
  /** The port id. */
  id: string
  /** MAC address. */
  address: string
  /** The port is ACTIVE (or administratively down): nothing to wait for. */
  active: boolean
  network: {
    id: string
    /** The network's name, the key of the server's `addresses`. */
    label: string
    projectId: string
    mtu: number | null
    subnets: VifSubnet[]
  }
  vifType: string
  vnicType: string
  details: Record<string, unknown>
  /** tap<port-id[:11]>. */
  devname: string
  /** A port the user brought: unbound, not deleted, when the server goes. */
  preserveOnDelete: boolean
  tag: string | null
}

/** A port as os-interface shows it. */
export interface PortInfo {
  id: string
  networkId: string
  macAddress: string
  status: string
  deviceId: string
  projectId: string
  fixedIps: { subnet_id: string; ip_address: string }[]
}

export interface AllocateRequest {
  instanceId: string
  /** The server's project: ports are created in it. */
  projectId: string
  /** binding:host_id. */
  host: string
  /** device_owner becomes `compute:<zone>`. */
  availabilityZone: string
  requested: NetworkRequest
  /** Group names or ids asked for at boot ([] or ['default']: the project's default). */
  securityGroups: readonly string[]
  /** The caller may use external networks that are not shared (network:attach_external_network). */
  canAttachExternal: boolean
}

/** A security group as Nova's proxy shows it (only ingress rules, Nova's rule shape). */
export interface NovaSecurityGroup {
  id: string
  name: string
  description: string
  projectId: string
  rules: NovaSecurityGroupRule[]
}

export interface NovaSecurityGroupRule {
  id: string
  parentGroupId: string
  protocol: string | null
  fromPort: number | null
  toPort: number | null
  /** Remote group. */
  groupId: string | null
  cidr: string
}

/** A rule as os-security-group-rules asks for it. */
export interface NovaRuleRequest {
  parentGroupId: string
  protocol: string | null
  fromPort: number | null
  toPort: number | null
  groupId: string | null
  cidr: string | null
}

export interface NovaFloatingIp {
  id: string
  address: string
  fixedAddress: string | null
  portId: string | null
  /** The external network's name (or id when it has none). */
  pool: string
  /** The server behind the associated port. */
  instanceId: string | null
}

/** What `nova-manage network create` and POST /os-networks take (nova-network's options). */
export interface LegacyCreateRequest {
  label: string
  cidr: string
  numNetworks?: number | undefined
  networkSize?: number | undefined
  gateway?: string | undefined
  bridge?: string | undefined
  bridgeInterface?: string | undefined
  vlan?: number | undefined
  vlanStart?: number | undefined
  multiHost?: boolean | undefined
  dns1?: string | undefined
  dns2?: string | undefined
  projectId?: string | undefined
  mtu?: number | undefined
  enableDhcp?: boolean | undefined
  dhcpServer?: string | undefined
  shareAddress?: boolean | undefined
}

/** A nova-network network with every field os-networks shows (admins see them all). */
export interface LegacyNetworkInfo {
  id: string
  label: string
  cidr: string
  netmask: string
  gateway: string
  broadcast: string
  dns1: string | null
  dns2: string | null
  created_at: string
  updated_at: string
  injected: boolean
  bridge: string
  vlan: number | null
  vpn_public_address: string | null
  vpn_public_port: number | null
  vpn_private_address: string | null
  dhcp_start: string
  project_id: string | null
  host: string | null
  bridge_interface: string | null
  multi_host: boolean
  mtu: number | null
  dhcp_server: string
  enable_dhcp: boolean
  share_address: boolean
}

/** One address of os-floating-ips-bulk. */
export interface LegacyFloatingIpInfo {
  address: string
  pool: string
  interface: string
  project_id: string | null
  instance_uuid: string | null
  fixed_ip: string | null
}

/** nova-network's network manager calls that have no Neutron counterpart. */
export interface LegacyNetworkClient {
  readonly manager: 'flat' | 'flat_dhcp' | 'vlan'
  listNetworks(caller: NetworkCaller): Promise<LegacyNetworkInfo[]>
  getNetwork(caller: NetworkCaller, id: string): Promise<LegacyNetworkInfo>
  createNetworks(caller: NetworkCaller, req: LegacyCreateRequest): Promise<LegacyNetworkInfo[]>
  deleteNetwork(caller: NetworkCaller, id: string): Promise<void>
  /** Sets (a value) or clears (null) a network's project and host associations. */
  associate(
    caller: NetworkCaller,
    id: string,
    change: { project?: string | null; host?: string | null },
  ): Promise<void>
  /** VlanManager's add_network_to_project: the given network, or any free one. */
  addNetworkToProject(caller: NetworkCaller, projectId: string, networkId?: string): Promise<void>
  showFixedIp(
    caller: NetworkCaller,
    address: string,
  ): Promise<{ address: string; cidr: string; reserved: boolean; instanceId: string | null }>
  setFixedIpReserved(caller: NetworkCaller, address: string, reserved: boolean): Promise<void>
  listFloatingIps(caller: NetworkCaller): Promise<LegacyFloatingIpInfo[]>
  createFloatingRange(
    caller: NetworkCaller,
    req: { ipRange: string; pool: string; interface: string },
  ): Promise<void>
  deleteFloatingRange(caller: NetworkCaller, ipRange: string): Promise<void>
  /** [network] default_floating_pool and public_interface, for os-floating-ips-bulk. */
  readonly defaultFloatingPool: string
  readonly publicInterface: string
}

export interface NetworkClient {
  /**
   * Nova's validate_networks at server create: the networks and ports exist, are usable and
   * unambiguous; answers how many of `maxCount` servers the port quota allows.
   */
  validateNetworks(
    caller: NetworkCaller,
    requested: NetworkRequest,
    maxCount: number,
  ): Promise<number>
  /** Every requested security group name (or id) resolves to one group of the project. */
  validateSecurityGroups(caller: NetworkCaller, names: readonly string[]): Promise<void>
  /**
   * Creates (or takes over) the server's ports and binds them to `host`; answers the VIFs made
   * in this call. A failure leaves no port created here behind.
   */
  allocateForInstance(caller: NetworkCaller, req: AllocateRequest): Promise<Vif[]>
  /**
   * The server's VIFs as the network service has them now, in `order` (the info cache's port
   * order), then any other port of the server. `preserved` ports keep preserveOnDelete.
   */
  getInstanceNwInfo(
    caller: NetworkCaller,
    instanceId: string,
    cached: readonly Vif[],
  ): Promise<Vif[]>
  /** Binds every port of the server to `host` (null: unbinds them), after a move or offload. */
  bindPorts(instanceId: string, host: string | null): Promise<void>
  /** Deletes the ports made for the server and gives back the preserved ones. Idempotent. */
  deallocateForInstance(
    caller: NetworkCaller,
    instanceId: string,
    preservedPortIds: readonly string[],
  ): Promise<void>
  /** One port off the server: deleted, or given back when the user brought it. */
  deallocatePort(caller: NetworkCaller, portId: string, preserved: boolean): Promise<void>
  /**
   * The hypervisor plugged these ports on `host`: in a world without L2 agents this is what
   * brings them up (Neutron's update_device_up); ports on another host are left alone.
   */
  vifsPlugged(host: string, portIds: readonly string[]): Promise<void>
  /** Each port's status (ACTIVE, DOWN, ...); absent ports are missing. */
  portStatuses(portIds: readonly string[]): Promise<Record<string, string>>
  /** Ports whose device is the server (os-interface list). */
  listPorts(caller: NetworkCaller, instanceId: string): Promise<PortInfo[]>
  /** PortNotFound when the caller cannot see it. */
  showPort(caller: NetworkCaller, portId: string): Promise<PortInfo>
  /** device_id -> the names of the security groups of its ports (one call for a whole list). */
  serverSecurityGroupNames(
    caller: NetworkCaller,
    instanceIds: readonly string[],
  ): Promise<Map<string, { name: string }[]>>
  /** The groups of the server's ports, detailed (one entry per port and group, as Nova). */
  serverSecurityGroups(caller: NetworkCaller, instanceId: string): Promise<NovaSecurityGroup[]>
  addSecurityGroup(caller: NetworkCaller, instanceId: string, name: string): Promise<void>
  removeSecurityGroup(caller: NetworkCaller, instanceId: string, name: string): Promise<void>
  listSecurityGroups(caller: NetworkCaller, allTenants: boolean): Promise<NovaSecurityGroup[]>
  getSecurityGroup(caller: NetworkCaller, id: string): Promise<NovaSecurityGroup>
  createSecurityGroup(
    caller: NetworkCaller,
    name: string,
    description: string,
  ): Promise<NovaSecurityGroup>
  updateSecurityGroup(
    caller: NetworkCaller,
    id: string,
    changes: { name?: string | undefined; description?: string | undefined },
  ): Promise<NovaSecurityGroup>
  deleteSecurityGroup(caller: NetworkCaller, id: string): Promise<void>
  createSecurityGroupRule(
    caller: NetworkCaller,
    rule: NovaRuleRequest,
  ): Promise<NovaSecurityGroupRule>
  getSecurityGroupRule(caller: NetworkCaller, id: string): Promise<NovaSecurityGroupRule>
  deleteSecurityGroupRule(caller: NetworkCaller, id: string): Promise<void>
  /** The caller's project's floating IPs. */
  listFloatingIps(caller: NetworkCaller): Promise<NovaFloatingIp[]>
  getFloatingIp(caller: NetworkCaller, id: string): Promise<NovaFloatingIp>
  getFloatingIpByAddress(caller: NetworkCaller, address: string): Promise<NovaFloatingIp>
  /** Allocates one from the pool (an external network by name or id); answers the address. */
  allocateFloatingIp(caller: NetworkCaller, pool: string | undefined): Promise<string>
  /** Disassociates (if needed) and releases the address. */
  releaseFloatingIp(caller: NetworkCaller, address: string): Promise<void>
  /** Points `floatingAddress` at the server's port holding `fixedAddress`. */
  associateFloatingIp(
    caller: NetworkCaller,
    instanceId: string,
    floatingAddress: string,
    fixedAddress: string,
  ): Promise<void>
  disassociateFloatingIp(caller: NetworkCaller, address: string): Promise<void>
  /** External networks' names (or ids). */
  floatingIpPools(caller: NetworkCaller): Promise<string[]>
  /** The networks the caller sees. */
  listNetworks(caller: NetworkCaller): Promise<{ id: string; name: string }[]>
  /** NetworkNotFound when the caller cannot see it. */
  getNetwork(caller: NetworkCaller, id: string): Promise<{ id: string; name: string }>
  /** Adds an address from `networkId` to the server's port on that network (multinic). */
  addFixedIp(caller: NetworkCaller, instanceId: string, networkId: string): Promise<void>
  /** Removes `address` from the server's port holding it (multinic). */
  removeFixedIp(caller: NetworkCaller, instanceId: string, address: string): Promise<void>
  /** nova-network's own APIs, present when a legacy manager (flat, flat_dhcp, vlan) runs. */
  legacy?: LegacyNetworkClient
}

/** Nova's exceptions the network API raises, by name. */
export type NovaNetworkException =
  | 'NetworkNotFound'
  | 'PortNotFound'
  | 'PortInUse'
  | 'PortNotUsable'
  | 'PortNotUsableDNS'
  | 'PortRequiresFixedIP'
  | 'PortBindingFailed'
  | 'PortLimitExceeded'
  | 'NetworkAmbiguous'
  | 'NetworkRequiresSubnet'
  | 'UnableToAutoAllocateNetwork'
  | 'InterfaceAttachFailedNoNetwork'
  | 'ExternalNetworkAttachForbidden'
  | 'FixedIpAlreadyInUse'
  | 'FixedIpNotFoundForAddress'
  | 'FixedIpNotFoundForInstance'
  | 'NoMoreFixedIps'
  | 'InvalidInput'
  | 'SecurityGroupNotFound'
  | 'SecurityGroupCannotBeApplied'
  | 'SecurityGroupLimitExceeded'
  | 'NoUniqueMatch'
  | 'Invalid'
  | 'FloatingIpNotFound'
  | 'FloatingIpNotFoundForAddress'
  | 'FloatingIpMultipleFoundForAddress'
  | 'FloatingIpPoolNotFound'
  | 'FloatingIpAssociateFailed'
  | 'FloatingIpAssociated'
  | 'FloatingIpLimitExceeded'
  | 'NoMoreFloatingIps'
  | 'FloatingIpBadRequest'
  | 'Forbidden'
  | 'NovaException'

/** A failure named after Nova's exception; `kind` is the status Nova most often gives it. */
export function networkFailure(
  exception: NovaNetworkException,
  kind: ErrorKind,
  message: string,
  status?: number,
): AppError {
  return new AppError({
    code: `COMPUTE_NETWORK_${exception}`,
    kind,
    message,
    details: { novaException: exception },
    ...(status === undefined ? {} : { status }),
  })
}

/** The Nova exception an error stands for, if it is one from the network client. */
export function novaExceptionOf(err: unknown): NovaNetworkException | undefined {
  if (!isAppError(err)) return undefined
  const name = err.details.novaException
  // SAFETY: only networkFailure() sets details.novaException.
  return typeof name === 'string' ? (name as NovaNetworkException) : undefined
}

/**
 * Rethrows a network failure with the status an endpoint gives its exception (Nova's
 * controllers map the same exception differently); anything else passes unchanged.
 */
export function withStatuses(
  err: unknown,
  statuses: Partial<Record<NovaNetworkException, ErrorKind>>,
): unknown {
  const name = novaExceptionOf(err)
  const kind = name === undefined ? undefined : statuses[name]
  if (name === undefined || kind === undefined || !isAppError(err)) return err
  return networkFailure(name, kind, err.message)
}
