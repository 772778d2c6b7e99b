/**
 * @module Test harness: identity, image, network and compute in one process (SQLite, in-process
 * bus, fake hypervisors from `[fake] hosts`), the compute API driven by inject(), the network
 * API too (`networkRequest`). `waitFor` polls a server until a condition holds, since builds
 * and actions finish asynchronously as in Nova. `[network] enabled = false` leaves compute
 * without a network service, as before it existed.
 */
import { systemClock } from '../../src/lib/clock/clock.js'
import { CachingTokenValidator } from '../../src/lib/http/token-validator.js'
import { silentLogger } from '../../src/lib/log/logger.js'
import { loadOstackConfig } from '../../src/config.js'
import { IdentityTokenValidator } from '../../src/identity/core/token-validator.js'
import { inProcessImageClient } from '../../src/image/client.js'
import { buildComputeService, type ComputeService } from '../../src/compute/service.js'
import { inProcessNetworkClient } from '../../src/network/client.js'
import { acceptEvents } from '../../src/compute/core/servers/external-events.js'
import { buildNetworkService, type NetworkService } from '../../src/network/service.js'
import type { Response } from './identity-harness.js'
import { injectJson } from './inject.js'
import { type ImageHarness, startImageHarness } from './image-harness.js'
import { createTestDatabase } from './test-database.js'
import { eventually, POLL_TIMEOUT_MS } from './poll.js'

export interface ComputeRequest {
  token?: string | undefined
  body?: unknown
  headers?: Record<string, string>
  /** Sent as `X-OpenStack-Nova-API-Version` (as Tempest does). */
  microversion?: string
}

export interface ComputeHarness {
  image: ImageHarness
  service: ComputeService
  /** The network service compute uses (absent with `[network] enabled = false`). */
  network: NetworkService | undefined
  adminToken: string
  request(method: string, path: string, options?: ComputeRequest): Promise<Response>
  /** A request to the network API (Neutron's /v2.0/...), as admin unless a token is given. */
  networkRequest(method: string, path: string, options?: ComputeRequest): Promise<Response>
  member(name: string): Promise<{ userId: string; projectId: string; token: string }>
  /** An active public image (a few bytes of raw data). */
  createImage(properties?: Record<string, unknown>): Promise<string>
  /** Polls GET /servers/{id} (as admin) until `done` holds; returns the last body's server. */
  waitForServer(
    id: string,
    done: (server: Record<string, unknown> | undefined, status: number) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown> | undefined>
  close(): Promise<void>
}

export async function startComputeHarness(
  overrides: Record<string, Record<string, string>> = {},
): Promise<ComputeHarness> {
  const image = await startImageHarness()
  const testDb = await createTestDatabase()
  // The network service gets a database of its own, as each service has.
  const networkDb = await createTestDatabase()
  const config = loadOstackConfig({
    overrides: {
      DEFAULT: { data_dir: image.dataDir },
      database: { connection: testDb.connection },
      ...overrides,
      network: { database_connection: networkDb.connection, ...overrides.network },
      fake: { hosts: 'compute1,compute2', ...overrides.fake },
    },
  })
  const log = silentLogger()
  const identity = image.identity
  const tokens = new CachingTokenValidator(new IdentityTokenValidator(identity.deps), {
    clock: systemClock,
    ttlMs: 0,
  })
  const compute: { service?: ComputeService } = {}
  const network = config.network.enabled
    ? await buildNetworkService({
        config,
        log,
        clock: systemClock,
        bus: image.bus,
        tokens,
        // As in the platform: port changes reach compute once it exists.
        computeEvents: async (events) => {
          if (compute.service) await acceptEvents(compute.service.deps, events)
        },
      })
    : undefined
  const service = await buildComputeService({
    config,
    log,
    clock: systemClock,
    bus: image.bus,
    tokens,
    images: inProcessImageClient(image.deps),
    network: network ? inProcessNetworkClient(network.deps) : undefined,
    projects: {
      exists: async (id) =>
        (await identity.db
          .selectFrom('project')
          .select('id')
          .where('id', '=', id)
          .executeTakeFirst()) !== undefined,
    },
  })
  compute.service = service
  await service.app.fastify.ready()
  await network?.app.fastify.ready()

  async function request(
    method: string,
    path: string,
    opts: ComputeRequest = {},
  ): Promise<Response> {
    return send(service.app.fastify, method, path, opts)
  }

  async function networkRequest(
    method: string,
    path: string,
    opts: ComputeRequest = {},
  ): Promise<Response> {
    if (!network) throw new Error('the network service is disabled in this harness')
    return send(network.app.fastify, method, path, opts)
  }

  const send = (
    app: ComputeService['app']['fastify'],
    method: string,
    path: string,
    opts: ComputeRequest,
  ): Promise<Response> =>
    injectJson(app, method, path, { ...opts, token: opts.token ?? identity.adminToken })

  async function createImage(properties: Record<string, unknown> = {}): Promise<string> {
    const created = await image.request('POST', '/v2/images', {
      token: identity.adminToken,
      body: {
        name: 'cirros',
        disk_format: 'raw',
        container_format: 'bare',
        visibility: 'public',
        ...properties,
      },
    })
    const id = created.body.id as string
    const put = await image.request('PUT', `/v2/images/${id}/file`, {
      token: identity.adminToken,
      payload: Buffer.alloc(4096, 1),
      headers: { 'content-type': 'application/octet-stream' },
    })
    if (put.status !== 204) throw new Error(`image upload failed: ${put.status} ${put.text}`)
    return id
  }

  async function waitForServer(
    id: string,
    done: (server: Record<string, unknown> | undefined, status: number) => boolean,
    timeoutMs = POLL_TIMEOUT_MS,
  ): Promise<Record<string, unknown> | undefined> {
    const res = await eventually(
      () => request('GET', `/v2.1/servers/${id}`),
      // SAFETY: a server body when 200.
      (r) => done((r.body as { server?: Record<string, unknown> } | undefined)?.server, r.status),
      `server ${id}`,
      timeoutMs,
    )
    return (res.body as { server?: Record<string, unknown> } | undefined)?.server
  }

  return {
    image,
    service,
    network,
    adminToken: identity.adminToken,
    request,
    networkRequest,
    member: (name) => image.member(name),
    createImage,
    waitForServer,
    close: async () => {
      await service.stop()
      await network?.stop()
      await testDb.drop()
      await networkDb.drop()
      await image.close()
    },
  }
}
