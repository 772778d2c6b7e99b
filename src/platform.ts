/**
 * @module Starts and stops the services of one process in dependency order. The all-in-one
 * runs them all; the same code split across hosts runs a subset (later issues).
 */
import type { Clock } from './lib/clock/clock.js'
import type { Logger } from './lib/log/logger.js'
import type { Config } from './config.js'
import { writeClientFiles, type ClientFiles } from './client-files.js'
import { createBus } from './lib/rpc/create-bus.js'
import { startIdentity } from './identity/service.js'
import { startImage } from './image/service.js'
import { startCompute } from './compute/service.js'
import { startNetwork } from './network/service.js'
import type { ComputeEventSink } from './network/core/nova-notifier.js'
import type { NetworkClient } from './compute/network-client.js'

export interface Platform {
  /** service name -> public URL of its API, as registered in the catalog. */
  readonly endpoints: Readonly<Record<string, string>>
  readonly clientFiles: ClientFiles
  stop(): Promise<void>
}

export async function startPlatform(
  config: Config,
  deps: { log: Logger; clock: Clock },
): Promise<Platform> {
  const stops: (() => Promise<void>)[] = []
  const bus = createBus(config.transport.url, deps.log)
  stops.push(() => bus.close())
  try {
    const identity = await startIdentity({ config, log: deps.log, clock: deps.clock })
    stops.push(() => identity.stop())
    const authUrl = `${identity.url}/v3`
    const endpoints: Record<string, string> = { identity: authUrl }
    let network: NetworkClient | undefined
    let computeEvents: ComputeEventSink = () => Promise.resolve()
    if (config.network.enabled) {
      const service = await startNetwork({
        // Compute starts after the network service; events wait for it.
        computeEvents: (events) => computeEvents(events),
        config,
        log: deps.log,
        clock: deps.clock,
        bus,
        tokens: identity.tokens,
        registerCatalog: (reg) => identity.registerCatalog(reg),
      })
      stops.push(() => service.stop())
      endpoints.network = service.url
      network = service.client
    }
    if (config.image.enabled) {
      const image = await startImage({ config, log: deps.log, clock: deps.clock, bus, identity })
      stops.push(() => image.stop())
      endpoints.image = image.url
      if (config.compute.enabled) {
        const compute = await startCompute({
          config,
          log: deps.log,
          clock: deps.clock,
          bus,
          tokens: identity.tokens,
          images: image.client,
          network,
          projects: { exists: (id) => identity.projectExists(id) },
          registerCatalog: (reg) => identity.registerCatalog(reg),
        })
        stops.push(() => compute.stop())
        endpoints.compute = compute.url
        computeEvents = (events) => compute.acceptEvents(events)
      }
    }
    const clientFiles = writeClientFiles(config, authUrl)
    return {
      endpoints,
      clientFiles,
      stop: async () => {
        for (const stop of stops.reverse()) await stop()
      },
    }
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined)
    throw err
  }
}
