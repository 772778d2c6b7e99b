/**
 * @module The scheduler's view of the fleet, loaded from the database (compute nodes, their
 * services, aggregates, who runs where) and kept in memory between decisions: refreshed at most
 * once a second, at once for a node whose claim lost a race, and at once when the fleet
 * generation says an aggregate or a service changed.
 */
import type { ComputeDeps } from '../core/deps.js'
import { fleetGeneration } from '../core/fleet-generation.js'
import type { AggregateInfo, HostState } from './host-state.js'

const IO_TASK_STATES = [
  'scheduling',
  'networking',
  'spawning',
  'resize_prep',
  'resize_migrating',
  'resize_finish',
  'rebuilding',
  'image_snapshot',
  'image_uploading',
  'migrating',
  'shelving',
  'unshelving',
]

export class HostStateCache {
  readonly #deps: ComputeDeps
  #states = new Map<string, HostState>()
  #loadedAtMs = -Infinity
  #generation = -1

  constructor(deps: ComputeDeps) {
    this.#deps = deps
  }

  /**
   * Every host, fresh to within a second, and reloaded at once when the fleet generation moved
   * (an aggregate or a service changed through the API, in any process).
   */
  async all(): Promise<HostState[]> {
    const generation = await fleetGeneration(this.#deps.db)
    if (generation !== this.#generation || this.#deps.clock.nowMs() - this.#loadedAtMs > 1000) {
      await this.reload()
      this.#generation = generation
    }
    return [...this.#states.values()]
  }

  /** Forces the next all() to read the database (after a lost claim, a new host, a new aggregate). */
  invalidate(): void {
    this.#loadedAtMs = -Infinity
  }

  /** Applies a successful claim to the cached host, so decisions in between see it. */
  addClaim(
    nodeId: string,
    instanceId: string,
    claim: { vcpus: number; memoryMb: number; diskGb: number },
  ): void {
    const h = this.#states.get(nodeId)
    if (!h) return
    const instances = new Set(h.instances)
    instances.add(instanceId)
    this.#states.set(nodeId, {
      ...h,
      vcpusUsed: h.vcpusUsed + claim.vcpus,
      usedRamMb: h.usedRamMb + claim.memoryMb,
      usedDiskGb: h.usedDiskGb + claim.diskGb,
      runningVms: h.runningVms + 1,
      numIoOps: h.numIoOps + 1,
      instances,
    })
  }

  async reload(): Promise<void> {
    const { db, config, clock } = this.#deps
    const [nodes, services, aggregates, hosts, metadata, placed] = await Promise.all([
      db.selectFrom('compute_node').selectAll().execute(),
      db.selectFrom('compute_service').selectAll().where('binary', '=', 'nova-compute').execute(),
      db.selectFrom('aggregate').selectAll().execute(),
      db.selectFrom('aggregate_host').selectAll().execute(),
      db.selectFrom('aggregate_metadata').selectAll().execute(),
      db
        .selectFrom('instance')
        .select(['id', 'host', 'task_state'])
        .where('deleted_at', 'is', null)
        .where('host', 'is not', null)
        .execute(),
    ])
    const byAggregate = new Map<number, AggregateInfo>()
    for (const a of aggregates) byAggregate.set(a.id, { id: a.id, name: a.name, metadata: {} })
    for (const m of metadata) {
      const a = byAggregate.get(m.aggregate_id)
      if (a)
        byAggregate.set(m.aggregate_id, { ...a, metadata: { ...a.metadata, [m.key]: m.value } })
    }
    const aggregatesOf = new Map<string, AggregateInfo[]>()
    for (const h of hosts) {
      const a = byAggregate.get(h.aggregate_id)
      if (a) aggregatesOf.set(h.host, [...(aggregatesOf.get(h.host) ?? []), a])
    }
    const instancesOf = new Map<string, Set<string>>()
    const ioOf = new Map<string, number>()
    for (const i of placed) {
      if (i.host === null) continue
      const set = instancesOf.get(i.host) ?? new Set<string>()
      set.add(i.id)
      instancesOf.set(i.host, set)
      if (i.task_state !== null && IO_TASK_STATES.includes(i.task_state))
        ioOf.set(i.host, (ioOf.get(i.host) ?? 0) + 1)
    }
    const serviceOf = new Map(services.map((s) => [s.host, s]))
    const downAfter = clock.nowMs() - config.serviceDownTime * 1000
    const states = new Map<string, HostState>()
    for (const n of nodes) {
      const service = serviceOf.get(n.host)
      const aggs = aggregatesOf.get(n.host) ?? []
      const zone =
        aggs.map((a) => a.metadata.availability_zone).find((z) => z !== undefined) ??
        config.defaultAvailabilityZone
      const lastSeen =
        service?.last_seen_up === null || service === undefined
          ? -Infinity
          : Date.parse(service.last_seen_up)
      states.set(n.id, {
        nodeId: n.id,
        host: n.host,
        nodename: n.hypervisor_hostname,
        hypervisorType: n.hypervisor_type,
        hypervisorVersion: n.hypervisor_version,
        availabilityZone: zone,
        serviceUp: service !== undefined && service.forced_down === 0 && lastSeen >= downAfter,
        serviceDisabled: service === undefined || service.disabled === 1,
        totalRamMb: n.memory_mb,
        usedRamMb: n.memory_mb_used + n.reserved_memory_mb,
        ramAllocationRatio: n.ram_allocation_ratio,
        vcpus: n.vcpus,
        vcpusUsed: n.vcpus_used,
        cpuAllocationRatio: n.cpu_allocation_ratio,
        totalDiskGb: n.local_gb,
        usedDiskGb: n.local_gb_used + n.reserved_disk_mb / 1024,
        diskAllocationRatio: n.disk_allocation_ratio,
        runningVms: n.running_vms,
        cpuInfo: n.cpu_info,
        numIoOps: ioOf.get(n.host) ?? 0,
        aggregates: aggs,
        instances: instancesOf.get(n.host) ?? new Set(),
      })
    }
    this.#states = states
    this.#loadedAtMs = clock.nowMs()
  }
}
