/**
 * @module The image service: its database, file store and staging area, the Glance v2 API on
 * port 9292, and its catalog entry. Tokens are validated by identity (in-process here).
 */
import { join } from 'node:path'
import type { Clock } from '../lib/clock/clock.js'
import type { Database } from '../lib/db/open-database.js'
import { openMigratedDatabase } from '../lib/db/migrate.js'
import { ServiceApp } from '../lib/http/service-app.js'
import type { Logger } from '../lib/log/logger.js'
import { PolicyEnforcer } from '../lib/policy/enforcer.js'
import type { Bus } from '../lib/rpc/bus.js'
import { Notifier } from '../lib/rpc/notifier.js'
import { type Config, connectionFor } from '../config.js'
import type { IdentityHandle } from '../identity/service.js'
import { negotiateVersion } from './api/versions.routes.js'
import { registerImageRoutes } from './api/routes.js'
import type { ImageDeps } from './core/deps.js'
import { imageMigrations } from './db/migrations/index.js'
import type { ImageTables } from './db/tables.js'
import { imagePolicies } from './policies.js'
import type { ImageClient } from '../compute/image-client.js'
import { inProcessImageClient } from './client.js'
import { FileImageStore } from './stores/file/file-store.js'

export interface ImageContext {
  config: Config
  log: Logger
  clock: Clock
  bus: Bus
  identity: Pick<IdentityHandle, 'tokens' | 'registerCatalog' | 'effectiveLimit'>
}

export async function openImageDatabase(
  ctx: Pick<ImageContext, 'config' | 'log'>,
): Promise<Database<ImageTables>> {
  return openMigratedDatabase<ImageTables>({
    connection: connectionFor(ctx.config, ctx.config.image.databaseConnection),
    service: 'image',
    log: ctx.log,
    migrations: imageMigrations,
  })
}

/** The API, ready to listen or to be driven by inject() in tests. */
export async function buildImageService(
  ctx: ImageContext,
): Promise<{ app: ServiceApp; deps: ImageDeps; database: Database<ImageTables> }> {
  const log = ctx.log.child({ service: 'image' })
  const database = await openImageDatabase({ config: ctx.config, log })
  const dataDir = ctx.config.DEFAULT.dataDir
  const cfg = ctx.config.image
  const deps: ImageDeps = {
    db: database.db,
    config: cfg,
    clock: ctx.clock,
    log,
    store: new FileImageStore(cfg.filesystemStoreDatadir ?? join(dataDir, 'images')),
    stagingDir: cfg.stagingDir ?? join(dataDir, 'image-staging'),
    notifier: new Notifier(ctx.bus, { publisherId: 'image.ostack', clock: ctx.clock, log }),
    limits: (projectId, resourceName) =>
      ctx.identity.effectiveLimit({ serviceType: 'image', projectId, resourceName }),
  }
  const app = new ServiceApp({
    service: 'image',
    faultStyle: 'glance',
    log,
    policy: new PolicyEnforcer(
      imagePolicies,
      cfg.policyFile,
      (rule) => `You are not authorized to complete ${rule} action.`,
    ),
    tokens: ctx.identity.tokens,
    ignoreTrailingSlash: false,
    headForGet: false,
    rewriteUrl: negotiateVersion,
    // Image data streams straight from the socket to the store: never buffered here.
    streamingRoutes: ['/v2/images/:image_id/file', '/v2/images/:image_id/stage'],
  })
  registerImageRoutes({ app, deps })
  app.seal()
  return { app, deps, database }
}

export interface ImageHandle {
  readonly url: string
  /** The image service as compute's in-process client. */
  readonly client: ImageClient
  stop(): Promise<void>
}

export async function startImage(ctx: ImageContext): Promise<ImageHandle> {
  const { app, deps, database } = await buildImageService(ctx)
  const url = `http://${ctx.config.DEFAULT.publicHost}:${ctx.config.image.port}`
  await ctx.identity.registerCatalog({
    type: 'image',
    name: 'glance',
    description: 'Image Service',
    region: ctx.config.identity.region,
    urls: { public: url, internal: url, admin: url },
  })
  await app.listen(ctx.config.DEFAULT.bindHost, ctx.config.image.port)
  return {
    url,
    client: inProcessImageClient(deps),
    stop: async () => {
      await app.close()
      await database.close()
    },
  }
}
