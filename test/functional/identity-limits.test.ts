import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { type CatalogFixture, startCatalogFixture } from '../support/catalog-fixture.js'

interface Named {
  id: string
}

describe('identity: policies and unified limits', () => {
  let f: CatalogFixture
  let projectId: string
  let adminProjectId: string
  const admin = (method: string, path: string, body?: unknown) => f.admin(method, path, body)
  const asMember = (method: string, path: string, body?: unknown) => f.asMember(method, path, body)
  const newService = (type: string, extra?: Record<string, unknown>) => f.newService(type, extra)

  before(async () => {
    f = await startCatalogFixture()
    projectId = f.projectId
    adminProjectId = f.adminProjectId
  })
  after(() => f.close())

  describe('policies', () => {
    it('stores blobs: create, list by type, update, delete', async () => {
      const created = []
      for (const type of ['application/json', 'application/json', 'text/yaml']) {
        const res = await admin('POST', '/v3/policies', {
          policy: { blob: '{"a": 1}', type, owner: 'me' },
        })
        assert.equal(res.status, 201)
        assert.equal(res.body.policy.blob, '{"a": 1}')
        assert.equal(res.body.policy.owner, 'me')
        created.push(res.body.policy)
      }
      const json = await admin('GET', '/v3/policies?type=application/json')
      assert.equal(json.body.policies.length, 2)
      const p = created[2]
      const upd = await admin('PATCH', `/v3/policies/${p.id}`, { policy: { type: 'text/plain' } })
      assert.equal(upd.status, 200)
      assert.equal(upd.body.policy.type, 'text/plain')
      const shown = (await admin('GET', `/v3/policies/${p.id}`)).body.policy
      assert.deepEqual([shown.id, shown.blob, shown.type], [p.id, '{"a": 1}', 'text/plain'])
      const bad = await admin('PATCH', `/v3/policies/${p.id}`, { policy: { id: 'other' } })
      assert.equal(bad.status, 400)
      assert.equal(bad.body.error.message, 'Cannot change policy ID')
      assert.equal((await admin('DELETE', `/v3/policies/${p.id}`)).status, 204)
      const gone = await admin('GET', `/v3/policies/${p.id}`)
      assert.equal(gone.status, 404)
      assert.equal(gone.body.error.message, `Could not find policy: ${p.id}.`)
    })

    it('refuses bad bodies (400) and members (403)', async () => {
      assert.equal((await admin('POST', '/v3/policies', { policy: { type: 'x' } })).status, 400)
      assert.equal(
        (await admin('POST', '/v3/policies', { policy: { blob: {}, type: 'x' } })).status,
        400,
      )
      assert.equal((await admin('DELETE', '/v3/policies/nope')).status, 404)
      assert.equal(
        (await asMember('POST', '/v3/policies', { policy: { blob: 'b', type: 't' } })).status,
        403,
      )
      assert.equal((await asMember('GET', '/v3/policies')).status, 403)
    })
  })

  describe('unified limits', () => {
    it('serves the flat model to anyone', async () => {
      const res = await asMember('GET', '/v3/limits/model')
      assert.equal(res.status, 200)
      assert.equal(res.body.model.name, 'flat')
    })

    it('registers limits, overrides them per project, and guards the references', async () => {
      const s = await newService('limited')
      const reg = await admin('POST', '/v3/registered_limits', {
        registered_limits: [
          { service_id: s, resource_name: 'cores', default_limit: 10 },
          {
            service_id: s,
            resource_name: 'ram',
            default_limit: 1024,
            region_id: 'RegionOne',
            description: 'MiB',
          },
        ],
      })
      assert.equal(reg.status, 201, reg.text)
      assert.equal('links' in reg.body, false)
      const [cores, ram] = reg.body.registered_limits
      assert.deepEqual(
        {
          region_id: cores.region_id,
          description: cores.description,
          default_limit: cores.default_limit,
        },
        { region_id: null, description: null, default_limit: 10 },
      )
      assert.equal(ram.links.self, `http://localhost:80/v3/registered_limits/${ram.id}`)
      const dup = await admin('POST', '/v3/registered_limits', {
        registered_limits: [{ service_id: s, resource_name: 'cores', default_limit: 5 }],
      })
      assert.equal(dup.status, 409)
      assert.equal(
        dup.body.error.message,
        'Conflict occurred attempting to store registered_limit - Duplicate entry.',
      )
      const listed = await asMember(
        'GET',
        `/v3/registered_limits?service_id=${s}&resource_name=ram`,
      )
      assert.deepEqual(listed.body.registered_limits, [ram])

      const noReg = await admin('POST', '/v3/limits', {
        limits: [
          { project_id: projectId, service_id: s, resource_name: 'disk', resource_limit: 1 },
        ],
      })
      assert.equal(noReg.status, 403)
      assert.equal(
        noReg.body.error.message,
        'Unable to create a limit that has no corresponding registered limit.',
      )
      const created = await admin('POST', '/v3/limits', {
        limits: [
          { project_id: projectId, service_id: s, resource_name: 'cores', resource_limit: 20 },
        ],
      })
      assert.equal(created.status, 201, created.text)
      const limit = created.body.limits[0]
      assert.deepEqual(
        [limit.project_id, limit.domain_id, limit.region_id, limit.resource_limit],
        [projectId, null, null, 20],
      )
      const again = await admin('POST', '/v3/limits', {
        limits: [
          { project_id: projectId, service_id: s, resource_name: 'cores', resource_limit: 30 },
        ],
      })
      assert.equal(again.status, 409)
      const forDomain = await admin('POST', '/v3/limits', {
        limits: [
          { project_id: 'default', service_id: s, resource_name: 'cores', resource_limit: 40 },
        ],
      })
      assert.equal(forDomain.status, 201)
      assert.deepEqual(
        [forDomain.body.limits[0].project_id, forDomain.body.limits[0].domain_id],
        [null, 'default'],
      )

      const other = await admin('POST', '/v3/limits', {
        limits: [
          { project_id: adminProjectId, service_id: s, resource_name: 'cores', resource_limit: 50 },
        ],
      })
      const otherId = other.body.limits[0].id as string

      // A system-scoped token lists every limit; a domain-scoped one its domain's and its projects'.
      const system = await f.h.login(
        { name: 'admin', password: 'secret' },
        { system: { all: true } },
      )
      const all = await f.h.request('GET', `/v3/limits?service_id=${s}`, { token: system })
      assert.equal(all.body.limits.length, 3)
      const adminUser = await f.h.db
        .selectFrom('user')
        .select('id')
        .where('name', '=', 'admin')
        .executeTakeFirstOrThrow()
      const reader = await f.h.db
        .selectFrom('role')
        .select('id')
        .where('name', '=', 'reader')
        .executeTakeFirstOrThrow()
      await f.h.db
        .insertInto('assignment')
        .values({
          type: 'UserDomain',
          actor_id: adminUser.id,
          target_id: 'default',
          role_id: reader.id,
          inherited: 0,
        })
        .execute()
      const domain = await f.h.login(
        { name: 'admin', password: 'secret' },
        { domain: { id: 'default' } },
      )
      const inDomain = await f.h.request('GET', `/v3/limits?service_id=${s}`, { token: domain })
      assert.equal(inDomain.body.limits.length, 3)
      // A project-scoped token lists its own project's limits only (also an admin's).
      const mine = await asMember('GET', '/v3/limits')
      assert.deepEqual(
        mine.body.limits.map((l: Named) => l.id),
        [limit.id],
      )
      assert.deepEqual(
        (await admin('GET', '/v3/limits')).body.limits.map((l: Named) => l.id),
        [otherId],
      )
      assert.equal((await asMember('GET', `/v3/limits/${limit.id}`)).status, 200)
      // get_limit: a project token reads its project's limits, not another project's or its domain's.
      assert.equal((await asMember('GET', `/v3/limits/${otherId}`)).status, 403)
      assert.equal((await asMember('GET', `/v3/limits/${forDomain.body.limits[0].id}`)).status, 403)
      assert.equal((await admin('GET', `/v3/limits/${forDomain.body.limits[0].id}`)).status, 200)
      assert.equal((await asMember('GET', '/v3/limits/nope')).status, 403)
      assert.equal((await admin('GET', '/v3/limits/nope')).status, 404)

      const patched = await admin('PATCH', `/v3/limits/${limit.id}`, {
        limit: { resource_limit: 25, description: 'more' },
      })
      assert.equal(patched.status, 200)
      assert.deepEqual(
        [patched.body.limit.resource_limit, patched.body.limit.description],
        [25, 'more'],
      )
      assert.equal(
        (await admin('PATCH', `/v3/limits/${limit.id}`, { limit: { project_id: 'x' } })).status,
        400,
      )
      const refused = await admin('DELETE', `/v3/registered_limits/${cores.id}`)
      assert.equal(refused.status, 403)
      assert.equal(
        refused.body.error.message,
        `Unable to update or delete registered limit ${cores.id} because there are project limits associated with it.`,
      )
      assert.equal(
        (
          await admin('PATCH', `/v3/registered_limits/${cores.id}`, {
            registered_limit: { default_limit: 1 },
          })
        ).status,
        403,
      )
      const upd = await admin('PATCH', `/v3/registered_limits/${ram.id}`, {
        registered_limit: { default_limit: 2048 },
      })
      assert.equal(upd.status, 200)
      assert.equal(upd.body.registered_limit.default_limit, 2048)

      assert.equal((await admin('DELETE', `/v3/limits/${limit.id}`)).status, 204)
      assert.equal((await admin('DELETE', `/v3/limits/${forDomain.body.limits[0].id}`)).status, 204)
      assert.equal((await admin('DELETE', `/v3/limits/${otherId}`)).status, 204)
      assert.equal((await admin('DELETE', `/v3/registered_limits/${cores.id}`)).status, 204)
      const gone = await admin('GET', `/v3/registered_limits/${cores.id}`)
      assert.equal(gone.status, 404)
      assert.equal(gone.body.error.message, `Could not find registered limit for ${cores.id}.`)
    })

    it('refuses bad limit bodies (400), unknown ids (404) and members (403)', async () => {
      const s = await newService('limits-neg')
      const reg = (body: unknown) =>
        admin('POST', '/v3/registered_limits', { registered_limits: body })
      assert.equal((await reg([])).status, 400)
      assert.equal(
        (await reg([{ service_id: s, resource_name: 'r', default_limit: -2 }])).status,
        400,
      )
      assert.equal(
        (await reg([{ service_id: s, resource_name: 'r', default_limit: 1, extra: 1 }])).status,
        400,
      )
      assert.equal(
        (await reg([{ service_id: 'nope', resource_name: 'r', default_limit: 1 }])).status,
        400,
      )
      assert.equal(
        (await reg([{ service_id: s, resource_name: 'r', default_limit: 1, region_id: 'nope' }]))
          .status,
        400,
      )
      const both = await admin('POST', '/v3/limits', {
        limits: [
          {
            project_id: projectId,
            domain_id: 'default',
            service_id: s,
            resource_name: 'r',
            resource_limit: 1,
          },
        ],
      })
      assert.equal(both.status, 400)
      const unknownProject = await admin('POST', '/v3/limits', {
        limits: [{ project_id: 'nope', service_id: s, resource_name: 'r', resource_limit: 1 }],
      })
      assert.equal(unknownProject.status, 400)
      assert.equal((await admin('GET', '/v3/registered_limits/nope')).status, 404)
      const unknownLimit = await asMember('PATCH', '/v3/limits/nope', {
        limit: { resource_limit: 1 },
      })
      assert.equal(unknownLimit.status, 404)
      assert.equal(unknownLimit.body.error.message, 'Could not find limit for nope.')
      assert.equal(
        (await asMember('POST', '/v3/registered_limits', { registered_limits: [] })).status,
        403,
      )
      assert.equal((await asMember('POST', '/v3/limits', { limits: [] })).status, 403)
      assert.equal((await asMember('GET', '/v3/registered_limits')).status, 200)
    })
  })
})
