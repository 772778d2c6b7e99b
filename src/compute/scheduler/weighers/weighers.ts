/**
 * @module The scheduler weighers (Nova's): each scores hosts, scores are normalised to 0..1
 * across the candidates (all equal: 0), multiplied by their multiplier and summed. Higher wins;
 * a positive RAM multiplier spreads, a negative one stacks. A host's aggregates may override a
 * multiplier with metadata (`ram_weight_multiplier`, ...; the smallest value wins).
 */
import {
  type HostState,
  type RequestSpec,
  aggregateNumber,
  freeVcpus,
  physicalFreeDiskGb,
  physicalFreeRamMb,
} from '../host-state.js'

export interface HostWeigher {
  readonly name: string
  readonly multiplier: number
  /** Aggregate metadata key that overrides the multiplier per host. */
  readonly metadataKey?: string
  weigh(host: HostState, request: RequestSpec): number
}

export interface WeigherMultipliers {
  ram: number
  disk: number
  cpu: number
  ioOps: number
  softAffinity: number
  softAntiAffinity: number
}

/** Group members on the host (soft affinity weighers). */
function membersOn(h: HostState, r: RequestSpec, policy: string): number {
  return r.group?.policy === policy ? (r.group.memberHosts[h.host] ?? 0) : 0
}

export function makeWeighers(m: WeigherMultipliers): HostWeigher[] {
  return [
    {
      name: 'RAMWeigher',
      multiplier: m.ram,
      metadataKey: 'ram_weight_multiplier',
      weigh: (h) => physicalFreeRamMb(h),
    },
    {
      name: 'DiskWeigher',
      multiplier: m.disk,
      metadataKey: 'disk_weight_multiplier',
      weigh: (h) => physicalFreeDiskGb(h),
    },
    {
      name: 'CPUWeigher',
      multiplier: m.cpu,
      metadataKey: 'cpu_weight_multiplier',
      weigh: (h) => freeVcpus(h),
    },
    {
      name: 'IoOpsWeigher',
      multiplier: m.ioOps,
      metadataKey: 'io_ops_weight_multiplier',
      weigh: (h) => h.numIoOps,
    },
    {
      name: 'ServerGroupSoftAffinityWeigher',
      multiplier: m.softAffinity,
      metadataKey: 'soft_affinity_weight_multiplier',
      weigh: (h, r) => membersOn(h, r, 'soft-affinity'),
    },
    {
      name: 'ServerGroupSoftAntiAffinityWeigher',
      multiplier: m.softAntiAffinity,
      metadataKey: 'soft_anti_affinity_weight_multiplier',
      weigh: (h, r) => -membersOn(h, r, 'soft-anti-affinity'),
    },
  ]
}

/** Total weight of each host (same order as `hosts`). */
export function weighHosts(
  hosts: readonly HostState[],
  request: RequestSpec,
  weighers: readonly HostWeigher[],
): number[] {
  const totals = new Array<number>(hosts.length).fill(0)
  if (hosts.length <= 1) return totals
  for (const w of weighers) {
    const multipliers = hosts.map((h) =>
      w.metadataKey === undefined ? w.multiplier : aggregateNumber(h, w.metadataKey, w.multiplier),
    )
    if (multipliers.every((x) => x === 0)) continue
    const raw = hosts.map((h) => w.weigh(h, request))
    let min = Infinity
    let max = -Infinity
    for (const v of raw) {
      if (v < min) min = v
      if (v > max) max = v
    }
    const span = max - min
    for (let i = 0; i < raw.length; i++)
      totals[i] =
        (totals[i] ?? 0) + (multipliers[i] ?? 0) * (span === 0 ? 0 : ((raw[i] ?? 0) - min) / span)
  }
  return totals
}
