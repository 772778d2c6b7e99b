/**
 * @module The identity service: opens its database and key repositories, bootstraps the cloud
 * on first start, and serves the Keystone v3 API. Other services get its token validator and
 * catalog registration from the handle it returns.
 */
import { join } from 'node:path'
import type { Clock } from '../lib/clock/clock.js'
import type { Database } from '../lib/db/open-database.js'
import { openMigratedDatabase } from '../lib/db/migrate.js'
import { ServiceApp } from '../lib/http/service-app.js'
import { CachingTokenValidator, type TokenValidator } from '../lib/http/token-validator.js'
import { requestBaseUrl } from '../lib/http/urls.js'
import type { Logger } from '../lib/log/logger.js'
import { PolicyEnforcer } from '../lib/policy/enforcer.js'
import { type Config, connectionFor } from '../config.js'
import { bootstrap, type CatalogRegistration, registerCatalogService } from './core/bootstrap.js'
import type { IdentityDeps } from './core/deps.js'
import { KeyRepository, RepositoryFernet } from './core/fernet.js'
import { RevocationList } from './core/revocations.js'
import { effectiveLimit, type LimitQuery } from './core/limit-lookup.js'
import { IdentityTokenValidator } from './core/token-validator.js'
import { identityMigrations } from './db/migrations/index.js'
import type { IdentityTables } from './db/tables.js'
import { identityPolicies } from './policies.js'
import { registerIdentityRoutes } from './api/routes.js'

export interface IdentityContext {
  config: Config
  log: Logger
  clock: Clock
}

export function keyRepositories(config: Config): {
  tokens: KeyRepository
  credentials: KeyRepository
} {
  const dataDir = config.DEFAULT.dataDir
  return {
    tokens: new KeyRepository(config.identity.keyRepository ?? join(dataDir, 'fernet-keys')),
    credentials: new KeyRepository(
      config.identity.credentialKeyRepository ?? join(dataDir, 'credential-keys'),
    ),
  }
}

export async function openIdentityDatabase(
  ctx: IdentityContext,
): Promise<Database<IdentityTables>> {
  return openMigratedDatabase<IdentityTables>({
    connection: connectionFor(ctx.config, ctx.config.identity.databaseConnection),
    service: 'identity',
    log: ctx.log,
    migrations: identityMigrations,
  })
}

/** Everything identity's core needs, with its database migrated and keys in place. */
export async function openIdentity(
  ctx: IdentityContext,
): Promise<{ deps: IdentityDeps; database: Database<IdentityTables> }> {
  const database = await openIdentityDatabase(ctx)
  const keys = keyRepositories(ctx.config)
  keys.tokens.ensure()
  keys.credentials.ensure()
  const cfg = ctx.config.identity
  const revocations = new RevocationList(
    database.db,
    ctx.clock,
    (cfg.tokenExpiration + cfg.allowExpiredWindow) * 1000,
  )
  await revocations.refresh()
  const deps: IdentityDeps = {
    db: database.db,
    dialect: database.dialect,
    config: cfg,
    compliance: ctx.config.security_compliance,
    clock: ctx.clock,
    log: ctx.log,
    tokenKeys: new RepositoryFernet(keys.tokens, () => ctx.clock.nowMs()),
    credentialKeys: new RepositoryFernet(keys.credentials, () => ctx.clock.nowMs()),
    revocations,
  }
  return { deps, database }
}

/** What the other services of this process get from identity (in-process clients). */
export interface IdentityHandle {
  readonly url: string
  /** Validates tokens for other services, behind a cache that revocations clear at once. */
  readonly tokens: TokenValidator
  registerCatalog(reg: CatalogRegistration): Promise<void>
  /** Unified limits, as oslo.limit reads them from Keystone. */
  effectiveLimit(query: LimitQuery): Promise<number | undefined>
  /** Whether a project exists (other services check ids they are given, as they ask Keystone). */
  projectExists(projectId: string): Promise<boolean>
  stop(): Promise<void>
}

export function identityPublicUrl(config: Config): string {
  return `http://${config.DEFAULT.publicHost}:${config.identity.port}`
}

export async function startIdentity(ctx: IdentityContext): Promise<IdentityHandle> {
  const log = ctx.log.child({ service: 'identity' })
  const { deps, database } = await openIdentity({ ...ctx, log })
  if (ctx.config.identity.bootstrap) await bootstrap(deps)
  const tokens = new IdentityTokenValidator(deps)
  const cachedTokens = new CachingTokenValidator(tokens, {
    clock: ctx.clock,
    ttlMs: ctx.config.DEFAULT.tokenCacheTime * 1000,
  })
  deps.revocations.onRevocation(() => cachedTokens.invalidate())
  const app = new ServiceApp({
    service: 'identity',
    faultStyle: 'keystone',
    log,
    policy: new PolicyEnforcer(identityPolicies, ctx.config.identity.policyFile),
    tokens,
    unauthorizedHeaders: (req) => ({
      'www-authenticate': `Keystone uri="${requestBaseUrl(req)}/v3"`,
    }),
  })
  registerIdentityRoutes({ app, deps })
  const publicUrl = identityPublicUrl(ctx.config)
  await registerCatalogService(deps, {
    type: 'identity',
    name: 'keystone',
    description: 'Identity Service',
    region: ctx.config.identity.region,
    urls: { public: `${publicUrl}/v3`, internal: `${publicUrl}/v3`, admin: `${publicUrl}/v3` },
  })
  await app.listen(ctx.config.DEFAULT.bindHost, ctx.config.identity.port)
  return {
    url: publicUrl,
    tokens: cachedTokens,
    registerCatalog: (reg) => registerCatalogService(deps, reg),
    effectiveLimit: (query) => effectiveLimit(deps.db, query),
    projectExists: async (projectId) =>
      (await deps.db
        .selectFrom('project')
        .select('id')
        .where('id', '=', projectId)
        .executeTakeFirst()) !== undefined,
    stop: async () => {
      await app.close()
      await database.close()
    },
  }
}
