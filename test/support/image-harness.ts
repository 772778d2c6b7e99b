/**
 * @module Test harness: identity and image in one process (SQLite in memory, data in a temp
 * dir), the image API driven by inject(). Tokens come from the identity harness.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { systemClock } from '../../src/lib/clock/clock.js'
import { CachingTokenValidator } from '../../src/lib/http/token-validator.js'
import { silentLogger } from '../../src/lib/log/logger.js'
import { InProcessBus } from '../../src/lib/rpc/in-process-bus.js'
import { loadOstackConfig } from '../../src/config.js'
import { registerCatalogService } from '../../src/identity/core/bootstrap.js'
import { effectiveLimit } from '../../src/identity/core/limit-lookup.js'
import { IdentityTokenValidator } from '../../src/identity/core/token-validator.js'
import type { ImageDeps } from '../../src/image/core/deps.js'
import { buildImageService } from '../../src/image/service.js'
import type { ServiceApp } from '../../src/lib/http/service-app.js'
import { type IdentityHarness, type Response, startIdentityHarness } from './identity-harness.js'
import { createTestDatabase } from './test-database.js'

export interface ImageRequest {
  token?: string | undefined
  body?: unknown
  /** Raw bytes (uploads). */
  payload?: Buffer | Readable
  headers?: Record<string, string>
}

export interface ImageHarness {
  identity: IdentityHarness
  app: ServiceApp
  bus: InProcessBus
  deps: ImageDeps
  dataDir: string
  request(method: string, path: string, options?: ImageRequest): Promise<Response>
  /** A user with role `member` on a new project: its id, project and a project-scoped token. */
  member(name: string): Promise<{ userId: string; projectId: string; token: string }>
  close(): Promise<void>
}

export async function startImageHarness(
  overrides: Record<string, Record<string, string>> = {},
): Promise<ImageHarness> {
  const identity = await startIdentityHarness()
  const dataDir = mkdtempSync(join(tmpdir(), 'ostack-image-'))
  const testDb = await createTestDatabase()
  const config = loadOstackConfig({
    overrides: {
      DEFAULT: { data_dir: dataDir },
      database: { connection: testDb.connection },
      ...overrides,
    },
  })
  const log = silentLogger()
  await registerCatalogService(identity.deps, {
    type: 'image',
    name: 'glance',
    region: 'RegionOne',
    urls: {
      public: 'http://localhost:9292',
      internal: 'http://localhost:9292',
      admin: 'http://localhost:9292',
    },
  })
  const tokens = new CachingTokenValidator(new IdentityTokenValidator(identity.deps), {
    clock: systemClock,
    ttlMs: 0,
  })
  const bus = new InProcessBus(log)
  const { app, deps, database } = await buildImageService({
    config,
    log,
    clock: systemClock,
    bus,
    identity: {
      tokens,
      registerCatalog: () => Promise.resolve(),
      effectiveLimit: (q) => effectiveLimit(identity.deps.db, q),
    },
  })
  await app.fastify.ready()

  async function request(method: string, path: string, opts: ImageRequest = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers }
    if (opts.body !== undefined && headers['content-type'] === undefined)
      headers['content-type'] = 'application/json'
    if (opts.token !== undefined) headers['x-auth-token'] = opts.token
    const res = await app.fastify.inject({
      // SAFETY: tests pass valid HTTP method names.
      method: method as 'GET',
      url: path,
      headers,
      ...(opts.payload !== undefined
        ? { payload: opts.payload }
        : opts.body !== undefined
          ? { payload: JSON.stringify(opts.body) }
          : {}),
    })
    let body: unknown
    try {
      body = res.body === '' ? undefined : JSON.parse(res.body)
    } catch {
      body = undefined
    }
    return {
      status: res.statusCode,
      headers: res.headers,
      body,
      text: res.body,
      raw: res.rawPayload,
    } as Response
  }

  return {
    identity,
    app,
    bus,
    deps,
    dataDir,
    request,
    member: (name: string) => identity.member(name),
    close: async () => {
      await app.close()
      await database.close()
      await bus.close()
      await testDb.drop()
      await identity.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
