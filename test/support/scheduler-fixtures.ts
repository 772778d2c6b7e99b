/** @module Host states and request specs for scheduler tests: a QEMU host with 4 CPUs, 8 GB, 100 GB. */
import type {
  AggregateInfo,
  HostState,
  RequestSpec,
  RequestedFlavor,
} from '../../src/compute/scheduler/host-state.js'

export const CPU_INFO = JSON.stringify({ arch: 'x86_64', model: 'Nehalem', vendor: 'Intel' })

export function host(name: string, over: Partial<HostState> = {}): HostState {
  return {
    nodeId: `node-${name}`,
    host: name,
    nodename: name,
    hypervisorType: 'QEMU',
    hypervisorVersion: 6002000,
    availabilityZone: 'nova',
    serviceUp: true,
    serviceDisabled: false,
    totalRamMb: 8192,
    usedRamMb: 512,
    ramAllocationRatio: 1,
    vcpus: 4,
    vcpusUsed: 0,
    cpuAllocationRatio: 4,
    totalDiskGb: 100,
    usedDiskGb: 0,
    diskAllocationRatio: 1,
    runningVms: 0,
    cpuInfo: CPU_INFO,
    numIoOps: 0,
    aggregates: [],
    instances: new Set(),
    ...over,
  }
}

export function agg(id: number, metadata: Record<string, string>): AggregateInfo {
  return { id, name: `agg${String(id)}`, metadata }
}

export function spec(
  over: Partial<RequestSpec> = {},
  flavor: Partial<RequestedFlavor> = {},
): RequestSpec {
  return {
    instanceId: 'i-new',
    projectId: 'p1',
    flavor: {
      vcpus: 1,
      memoryMb: 512,
      rootGb: 1,
      ephemeralGb: 0,
      swapMb: 0,
      extraSpecs: {},
      ...flavor,
    },
    imageProperties: {},
    ...over,
  }
}
