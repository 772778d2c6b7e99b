/**
 * @module The network service: its database, the Neutron v2.0 API on port 9696, and its
 * catalog entry. Tokens are validated by identity (in-process here).
 */
import type { ComputeEventSink } from './core/nova-notifier.js'
import type { Clock } from '../lib/clock/clock.js'
import type { Database } from '../lib/db/open-database.js'
import { openMigratedDatabase } from '../lib/db/migrate.js'
import { ServiceApp } from '../lib/http/service-app.js'
import type { TokenValidator } from '../lib/http/token-validator.js'
import type { Logger } from '../lib/log/logger.js'
import { PolicyEnforcer } from '../lib/policy/enforcer.js'
import type { Bus } from '../lib/rpc/bus.js'
import { Notifier } from '../lib/rpc/notifier.js'
import { type Config, connectionFor } from '../config.js'
import type { CatalogRegistration } from '../identity/core/bootstrap.js'
import type { NetworkClient } from '../compute/network-client.js'
import { startAgentPlane } from './agent/plane.js'
import { inProcessNetworkClient } from './client.js'
import { registerNetworkRoutes } from './api/routes.js'
import type { NetworkDeps } from './core/deps.js'
import { networkMigrations } from './db/migrations/index.js'
import type { NetworkTables } from './db/tables.js'
import { networkPolicies } from './policies.js'

export interface NetworkContext {
  config: Config
  log: Logger
  clock: Clock
  bus: Bus
  tokens: TokenValidator
  registerCatalog?: (reg: CatalogRegistration) => Promise<void>
  /** Where port changes are reported to compute (Neutron's nova notifier). */
  computeEvents?: ComputeEventSink
}

export function networkPublicUrl(config: Config): string {
  return `http://${config.DEFAULT.publicHost}:${config.network.port}`
}

export async function openNetworkDatabase(
  ctx: Pick<NetworkContext, 'config' | 'log'>,
): Promise<Database<NetworkTables>> {
  return openMigratedDatabase<NetworkTables>({
    connection: connectionFor(ctx.config, ctx.config.network.databaseConnection),
    service: 'network',
    log: ctx.log,
    migrations: networkMigrations,
  })
}

/** Neutron serves every path also with a `.json` suffix (`/v2.0/quotas/{id}/details.json`). */
export function stripJsonSuffix(url: string): string {
  const q = url.indexOf('?')
  const path = q < 0 ? url : url.slice(0, q)
  return path.endsWith('.json') ? `${path.slice(0, -5)}${q < 0 ? '' : url.slice(q)}` : url
}

export interface NetworkService {
  app: ServiceApp
  deps: NetworkDeps
  stop(): Promise<void>
}

/** The API, ready to listen or to be driven by inject() in tests. */
export async function buildNetworkService(ctx: NetworkContext): Promise<NetworkService> {
  const log = ctx.log.child({ service: 'network' })
  const database = await openNetworkDatabase({ config: ctx.config, log })
  const deps: NetworkDeps = {
    ...(ctx.computeEvents ? { computeEvents: ctx.computeEvents } : {}),
    db: database.db,
    dialect: database.dialect,
    config: ctx.config.network,
    clock: ctx.clock,
    log,
    bus: ctx.bus,
    notifier: new Notifier(ctx.bus, { publisherId: 'network.ostack', clock: ctx.clock, log }),
    publicUrl: networkPublicUrl(ctx.config),
  }
  const app = new ServiceApp({
    service: 'network',
    faultStyle: 'neutron',
    log,
    policy: new PolicyEnforcer(
      networkPolicies,
      ctx.config.network.policyFile,
      (rule) => `(rule:${rule}) is disallowed by policy`,
    ),
    tokens: ctx.tokens,
    rewriteUrl: stripJsonSuffix,
  })
  registerNetworkRoutes({ app, deps, taggable: new Map() })
  app.seal()
  const agents = await startAgentPlane(deps, ctx.config).catch(async (err: unknown) => {
    await database.close()
    throw err
  })
  return {
    app,
    deps,
    stop: async () => {
      await agents.stop()
      await app.close()
      await database.close()
    },
  }
}

export interface NetworkHandle {
  readonly url: string
  /** The network service as compute's in-process client. */
  readonly client: NetworkClient
  stop(): Promise<void>
}

export async function startNetwork(ctx: NetworkContext): Promise<NetworkHandle> {
  const service = await buildNetworkService(ctx)
  const url = networkPublicUrl(ctx.config)
  await ctx.registerCatalog?.({
    type: 'network',
    name: 'neutron',
    description: 'Network Service',
    region: ctx.config.identity.region,
    urls: { public: url, internal: url, admin: url },
  })
  await service.app.listen(ctx.config.DEFAULT.bindHost, ctx.config.network.port)
  return { url, client: inProcessNetworkClient(service.deps), stop: () => service.stop() }
}
