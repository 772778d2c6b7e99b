/** @module What the scheduler knows of a host and of a request: plain data, no I/O. */

export interface AggregateInfo {
  id: number
  name: string
  metadata: Readonly<Record<string, string>>
}

export interface HostState {
  nodeId: string
  host: string
  nodename: string
  hypervisorType: string
  hypervisorVersion: number
  availabilityZone: string
  serviceUp: boolean
  serviceDisabled: boolean
  totalRamMb: number
  /** Claimed plus reserved for the host. */
  usedRamMb: number
  ramAllocationRatio: number
  vcpus: number
  vcpusUsed: number
  cpuAllocationRatio: number
  totalDiskGb: number
  usedDiskGb: number
  diskAllocationRatio: number
  runningVms: number
  /** The hypervisor's CPU description (JSON text; capabilities:cpu_info:... looks inside). */
  cpuInfo?: string
  /** Builds, resizes and migrations in progress (Nova's num_io_ops). */
  numIoOps: number
  aggregates: readonly AggregateInfo[]
  /** Server ids on the host (affinity filters). */
  instances: ReadonlySet<string>
}

export interface RequestedFlavor {
  vcpus: number
  memoryMb: number
  rootGb: number
  ephemeralGb: number
  swapMb: number
  extraSpecs: Readonly<Record<string, string>>
}

export interface ServerGroupInfo {
  policy: 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity'
  /** Hosts the group's members run on, with how many members each. */
  memberHosts: Readonly<Record<string, number>>
  maxServerPerHost?: number
}

export interface RequestSpec {
  instanceId: string
  projectId: string
  flavor: RequestedFlavor
  imageProperties: Readonly<Record<string, string>>
  availabilityZone?: string | undefined
  /** `zone:host[:node]` forces a host (admin). */
  forceHost?: string | undefined
  forceNode?: string | undefined
  /** A host the request asks for that must still pass every filter (moves to a named host). */
  requestedHost?: string | undefined
  /** same_host / different_host server ids' hosts, resolved by the caller. */
  sameHosts?: readonly string[] | undefined
  differentHosts?: readonly string[] | undefined
  /** JsonFilter query (a JSON string in the hint). */
  query?: string | undefined
  group?: ServerGroupInfo | undefined
  /** Hosts tried already (rescheduling) or excluded (migrate to another host). */
  ignoreHosts?: readonly string[] | undefined
}

/**
 * The smallest valid value of an aggregate metadata key across the host's aggregates (Nova's
 * validate_num_values with min), else `fallback`: aggregates may lower a host's overcommit
 * (`cpu_allocation_ratio`, ...) and weigher multipliers.
 */
export function aggregateNumber(h: HostState, key: string, fallback: number): number {
  const values = h.aggregates
    .map((a) => a.metadata[key])
    .filter((v): v is string => v !== undefined)
    .map((v) => (v.trim() === '' ? Number.NaN : Number(v)))
  // Nova falls back to the default when a value is not a number.
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) return fallback
  return Math.min(...values)
}

export interface AllocationRatios {
  cpu: number
  ram: number
  disk: number
}

/** The overcommit ratios in force on a host: its own, lowered by its aggregates' metadata. */
export function allocationRatios(h: HostState): AllocationRatios {
  return {
    cpu: aggregateNumber(h, 'cpu_allocation_ratio', h.cpuAllocationRatio),
    ram: aggregateNumber(h, 'ram_allocation_ratio', h.ramAllocationRatio),
    disk: aggregateNumber(h, 'disk_allocation_ratio', h.diskAllocationRatio),
  }
}

/** RAM the scheduler may still place (after overcommit). */
export function freeRamMb(h: HostState): number {
  return h.totalRamMb * allocationRatios(h).ram - h.usedRamMb
}

/** Disk the scheduler may still place (after overcommit). */
export function freeDiskGb(h: HostState): number {
  return h.totalDiskGb * allocationRatios(h).disk - h.usedDiskGb
}

/** vCPUs the scheduler may still place (after overcommit). */
export function freeVcpus(h: HostState): number {
  return h.vcpus * allocationRatios(h).cpu - h.vcpusUsed
}

/** Nova's HostState.free_ram_mb: physically free RAM (what weighers and JsonFilter see). */
export function physicalFreeRamMb(h: HostState): number {
  return h.totalRamMb - h.usedRamMb
}

/** Nova's HostState.free_disk_mb / 1024: physically free disk. */
export function physicalFreeDiskGb(h: HostState): number {
  return h.totalDiskGb - h.usedDiskGb
}

export function diskNeededGb(f: RequestedFlavor): number {
  return f.rootGb + f.ephemeralGb + Math.ceil(f.swapMb / 1024)
}
