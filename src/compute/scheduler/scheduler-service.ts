/**
 * @module The scheduler role: answers selectDestination by filtering and weighing its cached
 * view of the fleet, then claiming on the best host (trying the next ones if a claim loses a
 * race), and releases claims.
 */
import type { RpcServer } from '../../lib/rpc/bus.js'
import { serveRpc } from '../../lib/rpc/define-rpc.js'
import type { ComputeDeps } from '../core/deps.js'
import { startServiceHeartbeat } from '../core/services.js'
import { claimResources, releaseResources } from './claims.js'
import { enabledFilters } from './filters/filters.js'
import { allocationRatios, diskNeededGb, type RequestSpec } from './host-state.js'
import { HostStateCache } from './host-states.js'
import { type Destination, schedulerRpc } from './rpc.js'
import { selectHosts } from './select-hosts.js'
import { makeWeighers } from './weighers/weighers.js'

export class Scheduler {
  readonly cache: HostStateCache
  readonly #deps: ComputeDeps
  readonly #filters
  readonly #weighers

  constructor(deps: ComputeDeps) {
    this.#deps = deps
    this.cache = new HostStateCache(deps)
    this.#filters = enabledFilters(deps.config.enabledFilters)
    const c = deps.config
    this.#weighers = makeWeighers({
      ram: c.ramWeightMultiplier,
      disk: c.diskWeightMultiplier,
      cpu: c.cpuWeightMultiplier,
      ioOps: c.ioOpsWeightMultiplier,
      softAffinity: c.softAffinityWeightMultiplier,
      softAntiAffinity: c.softAntiAffinityWeightMultiplier,
    })
  }

  async selectDestination(
    spec: RequestSpec,
  ): Promise<{ destination?: Destination; noValidHost?: string }> {
    const hosts = await this.cache.all()
    const selection = selectHosts(spec, hosts, {
      filters: this.#filters,
      weighers: this.#weighers,
      subsetSize: this.#deps.config.hostSubsetSize,
    })
    if (selection.hosts.length === 0) {
      this.#deps.log.info(
        { instanceId: spec.instanceId, rejectedBy: selection.rejectedBy },
        'no valid host',
      )
      return { noValidHost: selection.rejectedBy ?? 'no hosts' }
    }
    const claim = {
      vcpus: spec.flavor.vcpus,
      memoryMb: spec.flavor.memoryMb,
      diskGb: diskNeededGb(spec.flavor),
    }
    for (const host of selection.hosts) {
      if (
        await claimResources(this.#deps, {
          instanceId: spec.instanceId,
          nodeId: host.nodeId,
          ...claim,
          ratios: allocationRatios(host),
        })
      ) {
        this.cache.addClaim(host.nodeId, spec.instanceId, claim)
        return {
          destination: {
            host: host.host,
            node: host.nodename,
            nodeId: host.nodeId,
            availabilityZone: host.availabilityZone,
          },
        }
      }
      // Another decision took the room: look again next time.
      this.cache.invalidate()
    }
    return { noValidHost: 'resources claimed concurrently' }
  }

  async release(instanceId: string): Promise<void> {
    await releaseResources(this.#deps, instanceId)
    this.cache.invalidate()
  }
}

export async function startScheduler(
  deps: ComputeDeps,
): Promise<{ scheduler: Scheduler; server: RpcServer }> {
  const scheduler = new Scheduler(deps)
  const server = await serveRpc(deps.bus, schedulerRpc, {
    selectDestination: ({ spec }) => scheduler.selectDestination(spec),
    releaseClaim: async ({ instanceId }) => {
      await scheduler.release(instanceId)
      return undefined
    },
  })
  const heartbeat = await startServiceHeartbeat(deps, 'nova-scheduler', 'scheduler')
  return {
    scheduler,
    server: {
      topic: server.topic,
      stop: async () => {
        heartbeat.stop()
        await server.stop()
      },
    },
  }
}
