/**
 * @module The compute service's tables (Nova's model, simplified): servers (instances) with
 * their metadata, tags, faults and actions; flavors; keypairs; quotas; services, hypervisors
 * (compute nodes) and the resources claimed on them; aggregates; server groups; migrations.
 * Booleans are 0/1, JSON is text, timestamps ISO strings (lib/db/values.ts).
 */
import type { SequenceTable } from '../../lib/db/sequence.js'

export interface InstanceTable {
  id: string
  /** Monotonic number behind the instance-%08x name (sequence 'instance'). */
  seq: number
  display_name: string
  display_description: string | null
  hostname: string
  project_id: string
  user_id: string
  image_ref: string | null
  /** JSON: the flavor as it was at boot (id, name, vcpus, ram, disk, ephemeral, swap, extra_specs). */
  flavor: string
  /** JSON: the flavor being resized to, while a resize is unconfirmed. */
  new_flavor: string | null
  /** JSON: the flavor before a resize, until it is confirmed or reverted. */
  old_flavor: string | null
  /** The current flavor's sizes, as columns so quota usage can be summed in SQL. */
  vcpus: number
  memory_mb: number
  root_gb: number
  ephemeral_gb: number
  vm_state: string
  task_state: string | null
  power_state: number
  host: string | null
  node: string | null
  availability_zone: string | null
  /** The zone the request asked for (`pinned_availability_zone`). */
  requested_zone: string | null
  key_name: string | null
  key_data: string | null
  user_data: string | null
  config_drive: string
  access_ip_v4: string | null
  access_ip_v6: string | null
  locked: number
  locked_by: string | null
  locked_reason: string | null
  reservation_id: string
  launch_index: number
  progress: number
  kernel_id: string | null
  ramdisk_id: string | null
  root_device_name: string | null
  disk_config: string
  /** JSON: security group names asked for at boot. */
  security_groups: string
  /** JSON: scheduler hints of the request. */
  scheduler_hints: string
  /** JSON: image properties at boot (image_* system metadata in Nova). */
  image_meta: string
  /** JSON: hosts a build was tried on (rescheduling excludes them). */
  build_hosts: string
  launched_at: string | null
  terminated_at: string | null
  created_at: string
  updated_at: string
  deleted_at: string | null
}

export interface InstanceMetadataTable {
  instance_id: string
  key: string
  value: string
}

/** Nova's instance system_metadata: what the control plane remembers about a server (old vm_state, shelved image, password...). */
export interface InstanceSystemMetadataTable {
  instance_id: string
  key: string
  value: string
}

/** Nova's instance_info_cache: the server's network info as last read from the network service. */
export interface InstanceInfoCacheTable {
  instance_id: string
  /** JSON: the server's VIFs (network-client.ts Vif[]), in port order. */
  network_info: string
  updated_at: string
}

/** A console access token handed out by remote-consoles; the proxy finds it by the token's hash. */
export interface ConsoleAuthTokenTable {
  id: string
  token_hash: string
  console_type: string
  host: string
  port: number
  internal_access_path: string | null
  instance_uuid: string
  access_url_base: string
  created_at: string
  expires_at: string
}

export interface InstanceTagTable {
  instance_id: string
  tag: string
}

export interface InstanceFaultTable {
  id: string
  instance_id: string
  code: number
  message: string
  details: string
  host: string | null
  created_at: string
}

export interface InstanceActionTable {
  id: string
  instance_id: string
  action: string
  request_id: string
  user_id: string
  project_id: string
  start_time: string
  finish_time: string | null
  message: string | null
  updated_at: string
}

export interface InstanceActionEventTable {
  id: string
  action_id: string
  event: string
  start_time: string
  finish_time: string | null
  result: string | null
  traceback: string | null
  host: string | null
  details: string | null
}

export interface FlavorTable {
  id: string
  name: string
  memory_mb: number
  vcpus: number
  root_gb: number
  ephemeral_gb: number
  swap: number
  rxtx_factor: number
  is_public: number
  disabled: number
  description: string | null
  created_at: string
}

export interface FlavorExtraSpecTable {
  flavor_id: string
  key: string
  value: string
}

export interface FlavorProjectTable {
  flavor_id: string
  project_id: string
}

export interface KeyPairTable {
  /** Nova's integer id, shown by GET /os-keypairs/{name} (sequence 'key_pair'). */
  id: number
  user_id: string
  name: string
  fingerprint: string
  public_key: string
  type: string
  created_at: string
}

export interface QuotaTable {
  project_id: string
  /** '' for the project-wide limit. */
  user_id: string
  resource: string
  hard_limit: number
}

export interface QuotaClassTable {
  class_name: string
  resource: string
  hard_limit: number
}

export interface ServiceTable {
  id: string
  /** The integer id services had before microversion 2.53 (sequence 'compute_service'). */
  seq: number
  host: string
  binary: string
  topic: string
  disabled: number
  disabled_reason: string | null
  forced_down: number
  report_count: number
  last_seen_up: string | null
  version: number
  created_at: string
  updated_at: string
}

/** A hypervisor and what is claimed on it; `generation` guards concurrent claims. */
export interface ComputeNodeTable {
  id: string
  /** The integer id hypervisors had before microversion 2.53 (sequence 'compute_node'). */
  seq: number
  host: string
  hypervisor_hostname: string
  hypervisor_type: string
  hypervisor_version: number
  host_ip: string
  cpu_info: string
  vcpus: number
  memory_mb: number
  local_gb: number
  vcpus_used: number
  memory_mb_used: number
  local_gb_used: number
  running_vms: number
  cpu_allocation_ratio: number
  ram_allocation_ratio: number
  disk_allocation_ratio: number
  reserved_memory_mb: number
  reserved_disk_mb: number
  created_at: string
  updated_at: string
}

/** Resources one server holds on one node (placement's allocations). */
export interface AllocationTable {
  instance_id: string
  node_id: string
  vcpus: number
  memory_mb: number
  disk_gb: number
}

export interface AggregateTable {
  /** Sequence 'aggregate'. */
  id: number
  uuid: string
  name: string
  created_at: string
  updated_at: string | null
}

export interface AggregateHostTable {
  aggregate_id: number
  host: string
}

export interface AggregateMetadataTable {
  aggregate_id: number
  key: string
  value: string
}

export interface ServerGroupTable {
  id: string
  name: string
  project_id: string
  user_id: string
  policy: string
  /** JSON: {max_server_per_host?}. */
  rules: string
  created_at: string
}

export interface ServerGroupMemberTable {
  group_id: string
  instance_id: string
}

export interface MigrationTable {
  /** Sequence 'migration'. */
  id: number
  uuid: string
  instance_uuid: string
  source_compute: string | null
  dest_compute: string | null
  source_node: string | null
  dest_node: string | null
  dest_host: string | null
  status: string
  migration_type: string
  old_flavor_id: string | null
  new_flavor_id: string | null
  project_id: string | null
  user_id: string | null
  created_at: string
  updated_at: string
}

export interface ComputeTables {
  instance: InstanceTable
  instance_metadata: InstanceMetadataTable
  instance_system_metadata: InstanceSystemMetadataTable
  instance_info_cache: InstanceInfoCacheTable
  console_auth_token: ConsoleAuthTokenTable
  instance_tag: InstanceTagTable
  instance_fault: InstanceFaultTable
  instance_action: InstanceActionTable
  instance_action_event: InstanceActionEventTable
  flavor: FlavorTable
  flavor_extra_spec: FlavorExtraSpecTable
  flavor_project: FlavorProjectTable
  key_pair: KeyPairTable
  quota: QuotaTable
  quota_class: QuotaClassTable
  compute_service: ServiceTable
  compute_node: ComputeNodeTable
  allocation: AllocationTable
  aggregate: AggregateTable
  aggregate_host: AggregateHostTable
  aggregate_metadata: AggregateMetadataTable
  server_group: ServerGroupTable
  server_group_member: ServerGroupMemberTable
  migration: MigrationTable
  sequence: SequenceTable
}
