/**
 * @module The compute service: its database, the Nova v2.1 API on port 8774, and the roles
 * behind it (conductor, scheduler, one compute agent per host this process presents), wired
 * over the bus exactly as they are when split across machines.
 */
import { acceptEvents, type ExternalEvent } from './core/servers/external-events.js'
import type { Clock } from '../lib/clock/clock.js'
import type { Database } from '../lib/db/open-database.js'
import { openMigratedDatabase } from '../lib/db/migrate.js'
import type { ServiceApp } from '../lib/http/service-app.js'
import type { TokenValidator } from '../lib/http/token-validator.js'
import type { Logger } from '../lib/log/logger.js'
import type { Bus, RpcServer } from '../lib/rpc/bus.js'
import { Notifier } from '../lib/rpc/notifier.js'
import { type Config, connectionFor } from '../config.js'
import type { CatalogRegistration } from '../identity/core/bootstrap.js'
import { ComputeAgent } from './agent/compute-agent.js'
import { buildComputeApp } from './api/app.js'
import { registerComputeRoutes } from './api/routes.js'
import { startConductor } from './conductor/conductor.js'
import type { ComputeDeps, ProjectDirectory } from './core/deps.js'
import { computeMigrations } from './db/migrations/index.js'
import type { ComputeTables } from './db/tables.js'
import type { ImageClient } from './image-client.js'
import type { NetworkClient } from './network-client.js'
import { startScheduler } from './scheduler/scheduler-service.js'
import { FakeVirtDriver } from './virt/fake/fake-driver.js'
import { expandHostNames } from './virt/fake/fake-hosts.js'

export interface ComputeContext {
  config: Config
  log: Logger
  clock: Clock
  bus: Bus
  tokens: TokenValidator
  images: ImageClient
  /** The network service (servers get ports); absent when it is disabled. */
  network?: NetworkClient | undefined
  projects: ProjectDirectory
  registerCatalog?: (reg: CatalogRegistration) => Promise<void>
}

export async function openComputeDatabase(
  ctx: Pick<ComputeContext, 'config' | 'log'>,
): Promise<Database<ComputeTables>> {
  return openMigratedDatabase<ComputeTables>({
    connection: connectionFor(ctx.config, ctx.config.compute.databaseConnection),
    service: 'compute',
    log: ctx.log,
    migrations: computeMigrations,
  })
}

export interface ComputeService {
  app: ServiceApp
  deps: ComputeDeps
  agents: ComputeAgent[]
  stop(): Promise<void>
}

/** The API and every role, ready to listen or to be driven by inject() in tests. */
export async function buildComputeService(ctx: ComputeContext): Promise<ComputeService> {
  const log = ctx.log.child({ service: 'compute' })
  const database = await openComputeDatabase({ config: ctx.config, log })
  const cfg = ctx.config.compute
  const deps: ComputeDeps = {
    db: database.db,
    config: cfg,
    quotaDefaults: ctx.config.quota,
    clock: ctx.clock,
    log,
    bus: ctx.bus,
    notifier: new Notifier(ctx.bus, { publisherId: 'compute.ostack', clock: ctx.clock, log }),
    images: ctx.images,
    network: ctx.network,
    projects: ctx.projects,
    endpoints: {
      image: `http://${ctx.config.DEFAULT.publicHost}:${ctx.config.image.port}`,
      novncProxyBase:
        cfg.novncproxyBaseUrl ?? `http://${ctx.config.DEFAULT.publicHost}:6080/vnc_auto.html`,
    },
  }
  const servers: RpcServer[] = []
  const agents: ComputeAgent[] = []
  const stop = async () => {
    for (const agent of agents) await agent.stop()
    for (const server of servers) await server.stop()
    await database.close()
  }
  try {
    servers.push((await startConductor(deps)).server)
    servers.push((await startScheduler(deps)).server)
    const fake = ctx.config.fake
    for (const host of expandHostNames(fake.hosts)) {
      const driver = new FakeVirtDriver(host, {
        vcpus: fake.vcpus,
        memoryMb: fake.memoryMb,
        localGb: fake.localGb,
      })
      const agent = new ComputeAgent(
        {
          bus: ctx.bus,
          clock: ctx.clock,
          log,
          images: ctx.images,
          network: ctx.network,
          vifPluggingTimeoutS: cfg.vifPluggingTimeout,
          vifPluggingIsFatal: cfg.vifPluggingIsFatal,
          reportIntervalS: cfg.reportInterval,
          shelvedOffloadTime: cfg.shelvedOffloadTime,
          syncPowerStateIntervalS: cfg.syncPowerStateInterval,
        },
        host,
        driver,
      )
      await agent.start()
      agents.push(agent)
    }
  } catch (err) {
    await stop().catch(() => undefined)
    throw err
  }
  const app = buildComputeApp({
    log,
    tokens: ctx.tokens,
    maxMicroversion: cfg.maxMicroversion,
    policyFile: cfg.policyFile,
  })
  registerComputeRoutes({ app, deps })
  app.seal()
  return {
    app,
    deps,
    agents,
    stop: async () => {
      await app.close()
      await stop()
    },
  }
}

export interface ComputeHandle {
  readonly url: string
  /** os-server-external-events, as the network service's in-process nova notifier calls it. */
  acceptEvents(events: ExternalEvent[]): Promise<void>
  stop(): Promise<void>
}

export function computePublicUrl(config: Config): string {
  return `http://${config.DEFAULT.publicHost}:${config.compute.port}/v2.1`
}

export async function startCompute(ctx: ComputeContext): Promise<ComputeHandle> {
  const service = await buildComputeService(ctx)
  const url = computePublicUrl(ctx.config)
  await ctx.registerCatalog?.({
    type: 'compute',
    name: 'nova',
    description: 'Compute Service',
    region: ctx.config.identity.region,
    urls: { public: url, internal: url, admin: url },
  })
  await service.app.listen(ctx.config.DEFAULT.bindHost, ctx.config.compute.port)
  return {
    url,
    acceptEvents: async (events) => {
      await acceptEvents(service.deps, events)
    },
    stop: () => service.stop(),
  }
}
