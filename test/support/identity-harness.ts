/**
 * @module Test harness: a whole identity service in-process (SQLite in memory, keys in a temp
 * dir, bcrypt at its minimum cost to keep tests fast), driven through HTTP with inject().
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { systemClock, type Clock } from '../../src/lib/clock/clock.js'
import { ServiceApp } from '../../src/lib/http/service-app.js'
import { requestBaseUrl } from '../../src/lib/http/urls.js'
import { silentLogger } from '../../src/lib/log/logger.js'
import { PolicyEnforcer } from '../../src/lib/policy/enforcer.js'
import { loadOstackConfig } from '../../src/config.js'
import { registerIdentityRoutes } from '../../src/identity/api/routes.js'
import { bootstrap, registerCatalogService } from '../../src/identity/core/bootstrap.js'
import type { IdentityDeps } from '../../src/identity/core/deps.js'
import { IdentityTokenValidator } from '../../src/identity/core/token-validator.js'
import type { IdentityTables } from '../../src/identity/db/tables.js'
import { identityPolicies } from '../../src/identity/policies.js'
import { openIdentity } from '../../src/identity/service.js'
import { createTestDatabase } from './test-database.js'

export interface Response {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: any
  text: string
  /** The body bytes (downloads). */
  raw?: Buffer
}

export interface RequestOptions {
  token?: string | undefined
  body?: unknown
  headers?: Record<string, string>
}

export interface IdentityHarness {
  deps: IdentityDeps
  db: Kysely<IdentityTables>
  app: ServiceApp
  /** A project-scoped admin token (project admin). */
  adminToken: string
  request(method: string, path: string, options?: RequestOptions): Promise<Response>
  /** Password-authenticates and returns the X-Subject-Token (throws unless 201). */
  login(user: { name: string; password: string; domain?: string }, scope?: unknown): Promise<string>
  /** A user with role `member` on a new project: its id, project and a project-scoped token. */
  member(name: string): Promise<{ userId: string; projectId: string; token: string }>
  close(): Promise<void>
}

export interface HarnessOptions {
  /** Database URL; defaults to a fresh database of OSTACK_TEST_DIALECT (SQLite in memory). */
  connection?: string
  clock?: Clock
  overrides?: Record<string, Record<string, string>>
}

export async function startIdentityHarness(options: HarnessOptions = {}): Promise<IdentityHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ostack-identity-'))
  const testDb = options.connection === undefined ? await createTestDatabase() : undefined
  const config = loadOstackConfig({
    overrides: {
      DEFAULT: { data_dir: dataDir },
      database: { connection: options.connection ?? testDb?.connection ?? 'sqlite://:memory:' },
      identity: {
        password_hash_rounds: '4',
        admin_password: 'secret',
        ...options.overrides?.identity,
      },
      ...options.overrides,
    },
  })
  const log = silentLogger()
  const clock = options.clock ?? systemClock
  const { deps, database } = await openIdentity({ config, log, clock })
  await bootstrap(deps)
  await registerCatalogService(deps, {
    type: 'identity',
    name: 'keystone',
    region: 'RegionOne',
    urls: {
      public: 'http://localhost/v3',
      internal: 'http://localhost/v3',
      admin: 'http://localhost/v3',
    },
  })
  const app = new ServiceApp({
    service: 'identity',
    faultStyle: 'keystone',
    log,
    policy: new PolicyEnforcer(identityPolicies),
    tokens: new IdentityTokenValidator(deps),
    unauthorizedHeaders: (req) => ({
      'www-authenticate': `Keystone uri="${requestBaseUrl(req)}/v3"`,
    }),
  })
  registerIdentityRoutes({ app, deps })
  app.seal()
  await app.fastify.ready()

  async function request(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers }
    if (opts.token !== undefined) headers['x-auth-token'] = opts.token
    const res = await app.fastify.inject({
      // SAFETY: tests pass valid HTTP method names.
      method: method as 'GET',
      url: path,
      headers,
      ...(opts.body === undefined ? {} : { payload: JSON.stringify(opts.body) }),
    })
    let body: unknown
    try {
      body = res.body === '' ? undefined : JSON.parse(res.body)
    } catch {
      body = undefined
    }
    // SAFETY: inject() header values are strings, string arrays or numbers; tests read them as text.
    return {
      status: res.statusCode,
      headers: res.headers as Response['headers'],
      body,
      text: res.body,
    }
  }

  async function login(
    user: { name: string; password: string; domain?: string },
    scope?: unknown,
  ): Promise<string> {
    const res = await request('POST', '/v3/auth/tokens', {
      body: {
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: {
                name: user.name,
                password: user.password,
                domain: { id: user.domain ?? 'default' },
              },
            },
          },
          ...(scope === undefined ? {} : { scope }),
        },
      },
    })
    if (res.status !== 201) throw new Error(`login ${user.name} failed: ${res.status} ${res.text}`)
    return String(res.headers['x-subject-token'])
  }

  const adminToken = await login(
    { name: 'admin', password: 'secret' },
    { project: { name: 'admin', domain: { id: 'default' } } },
  )
  async function member(name: string) {
    const project = await request('POST', '/v3/projects', {
      token: adminToken,
      body: { project: { name: `${name}-project` } },
    })
    const user = await request('POST', '/v3/users', {
      token: adminToken,
      body: { user: { name, password: 'pw' } },
    })
    const role = await deps.db
      .selectFrom('role')
      .select('id')
      .where('name', '=', 'member')
      .executeTakeFirstOrThrow()
    const projectId = project.body.project.id as string
    const userId = user.body.user.id as string
    await request('PUT', `/v3/projects/${projectId}/users/${userId}/roles/${role.id}`, {
      token: adminToken,
    })
    return {
      userId,
      projectId,
      token: await login({ name, password: 'pw' }, { project: { id: projectId } }),
    }
  }

  return {
    deps,
    db: deps.db,
    app,
    adminToken,
    request,
    login,
    member,
    close: async () => {
      await app.close()
      await database.close()
      await testDb?.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
