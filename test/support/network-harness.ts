/**
 * @module Test harness: identity and network in one process (the dialect of
 * OSTACK_TEST_DIALECT, SQLite in memory by default), the network API driven by inject().
 */
import { systemClock } from '../../src/lib/clock/clock.js'
import { CachingTokenValidator } from '../../src/lib/http/token-validator.js'
import { silentLogger } from '../../src/lib/log/logger.js'
import { InProcessBus } from '../../src/lib/rpc/in-process-bus.js'
import { loadOstackConfig } from '../../src/config.js'
import { IdentityTokenValidator } from '../../src/identity/core/token-validator.js'
import { buildNetworkService, type NetworkService } from '../../src/network/service.js'
import { type IdentityHarness, type Response, startIdentityHarness } from './identity-harness.js'
import { injectJson } from './inject.js'
import { createTestDatabase } from './test-database.js'

export interface NetworkRequest {
  /** Default: the admin token; '' sends none. */
  token?: string
  body?: unknown
  headers?: Record<string, string>
}

export interface NetworkHarness {
  identity: IdentityHarness
  service: NetworkService
  adminToken: string
  request(method: string, path: string, opts?: NetworkRequest): Promise<Response>
  member(name: string): Promise<{ userId: string; projectId: string; token: string }>
  close(): Promise<void>
}

export async function startNetworkHarness(
  overrides: Record<string, Record<string, string>> = {},
): Promise<NetworkHarness> {
  const identity = await startIdentityHarness()
  const testDb = await createTestDatabase()
  const config = loadOstackConfig({
    overrides: { database: { connection: testDb.connection }, ...overrides },
  })
  const log = silentLogger()
  const bus = new InProcessBus(log)
  const service = await buildNetworkService({
    config,
    log,
    clock: systemClock,
    bus,
    tokens: new CachingTokenValidator(new IdentityTokenValidator(identity.deps), {
      clock: systemClock,
      ttlMs: 0,
    }),
  })
  await service.app.fastify.ready()

  const request = (method: string, path: string, opts: NetworkRequest = {}): Promise<Response> =>
    injectJson(service.app.fastify, method, path, {
      ...opts,
      token: opts.token ?? identity.adminToken,
    })

  return {
    identity,
    service,
    adminToken: identity.adminToken,
    request,
    member: (name) => identity.member(name),
    close: async () => {
      await service.stop()
      await bus.close()
      await testDb.drop()
      await identity.close()
    },
  }
}
