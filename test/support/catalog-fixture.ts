/**
 * @module A harness for the catalog-administration tests: an admin token, a member token on
 * the bootstrap `service` project (user created through core, role granted in the table), and
 * helpers that create services and endpoints.
 */
import assert from 'node:assert/strict'
import { createUser } from '../../src/identity/core/users.js'
import { type IdentityHarness, type Response, startIdentityHarness } from './identity-harness.js'

export interface CatalogFixture {
  h: IdentityHarness
  /** A project-scoped token of a plain member (role `member`) of `projectId`. */
  member: string
  projectId: string
  /** The bootstrap admin project, where the admin token is scoped. */
  adminProjectId: string
  admin(method: string, path: string, body?: unknown): Promise<Response>
  asMember(method: string, path: string, body?: unknown): Promise<Response>
  /** Creates a service (name `svc-<type>`) and returns its id. */
  newService(type: string, extra?: Record<string, unknown>): Promise<string>
  /** Creates an endpoint with a fixed URL and returns its id. */
  newEndpoint(serviceId: string, iface?: string, region?: string): Promise<string>
  close(): Promise<void>
}

async function idOf(h: IdentityHarness, table: 'role' | 'project', name: string): Promise<string> {
  const row = await h.db
    .selectFrom(table)
    .select('id')
    .where('name', '=', name)
    .executeTakeFirstOrThrow()
  return row.id
}

export async function startCatalogFixture(): Promise<CatalogFixture> {
  const h = await startIdentityHarness()
  const user = await createUser(h.deps, {
    name: 'catalog-member',
    domain_id: 'default',
    password: 'pw',
    extra: {},
  })
  const projectId = await idOf(h, 'project', 'service')
  const adminProjectId = await idOf(h, 'project', 'admin')
  await h.db
    .insertInto('assignment')
    .values({
      type: 'UserProject',
      actor_id: user.id,
      target_id: projectId,
      role_id: await idOf(h, 'role', 'member'),
      inherited: 0,
    })
    .execute()
  const member = await h.login(
    { name: 'catalog-member', password: 'pw' },
    { project: { id: projectId } },
  )
  const admin = (method: string, path: string, body?: unknown) =>
    h.request(method, path, { token: h.adminToken, body })
  return {
    h,
    member,
    projectId,
    adminProjectId,
    admin,
    asMember: (method, path, body) => h.request(method, path, { token: member, body }),
    async newService(type, extra = {}) {
      const res = await admin('POST', '/v3/services', {
        service: { type, name: `svc-${type}`, ...extra },
      })
      assert.equal(res.status, 201, res.text)
      return String(res.body.service.id)
    },
    async newEndpoint(serviceId, iface = 'public', region = 'RegionOne') {
      const res = await admin('POST', '/v3/endpoints', {
        endpoint: {
          service_id: serviceId,
          interface: iface,
          url: 'http://example.com:8774/v2.1',
          region_id: region,
        },
      })
      assert.equal(res.status, 201, res.text)
      return String(res.body.endpoint.id)
    },
    close: () => h.close(),
  }
}
