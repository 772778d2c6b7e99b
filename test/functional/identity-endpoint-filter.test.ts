import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { type CatalogFixture, startCatalogFixture } from '../support/catalog-fixture.js'

interface Named {
  id: string
}

describe('identity: OS-EP-FILTER', () => {
  let f: CatalogFixture
  let h: CatalogFixture['h']
  let projectId: string
  const admin = (method: string, path: string, body?: unknown) => f.admin(method, path, body)
  const asMember = (method: string, path: string, body?: unknown) => f.asMember(method, path, body)
  const newService = (type: string, extra?: Record<string, unknown>) => f.newService(type, extra)
  const newEndpoint = (serviceId: string, iface?: string, region?: string) =>
    f.newEndpoint(serviceId, iface, region)

  before(async () => {
    f = await startCatalogFixture()
    h = f.h
    projectId = f.projectId
  })
  after(() => f.close())

  describe('OS-EP-FILTER', () => {
    it('manages endpoint groups (HEAD 200, list equals create)', async () => {
      const s = await newService('eg-svc')
      const res = await admin('POST', '/v3/OS-EP-FILTER/endpoint_groups', {
        endpoint_group: { name: 'eg1', description: 'first', filters: { service_id: s } },
      })
      assert.equal(res.status, 201, res.text)
      const g = res.body.endpoint_group
      assert.equal(g.links.self, `http://localhost:80/v3/OS-EP-FILTER/endpoint_groups/${g.id}`)
      const bare = (
        await admin('POST', '/v3/OS-EP-FILTER/endpoint_groups', {
          endpoint_group: { name: 'eg2', filters: { interface: 'public' } },
        })
      ).body.endpoint_group
      assert.equal(bare.description, null)
      const list = await admin('GET', '/v3/OS-EP-FILTER/endpoint_groups')
      assert.ok(
        list.body.endpoint_groups.some((x: unknown) => JSON.stringify(x) === JSON.stringify(g)),
      )
      assert.deepEqual(
        (await admin('GET', `/v3/OS-EP-FILTER/endpoint_groups/${g.id}`)).body.endpoint_group,
        g,
      )
      const head = await admin('HEAD', `/v3/OS-EP-FILTER/endpoint_groups/${g.id}`)
      assert.equal(head.status, 200)
      assert.equal(head.text, '')
      const upd = await admin('PATCH', `/v3/OS-EP-FILTER/endpoint_groups/${g.id}`, {
        endpoint_group: {
          name: 'eg1b',
          description: 'changed',
          filters: { service_id: s, interface: 'public' },
        },
      })
      assert.equal(upd.status, 200)
      assert.deepEqual(upd.body.endpoint_group.filters, { service_id: s, interface: 'public' })
      assert.equal(upd.body.endpoint_group.name, 'eg1b')

      const e1 = await newEndpoint(s, 'public')
      await newEndpoint(s, 'internal')
      const matched = await admin('GET', `/v3/OS-EP-FILTER/endpoint_groups/${g.id}/endpoints`)
      assert.deepEqual(
        matched.body.endpoints.map((x: Named) => x.id),
        [e1],
      )

      assert.equal(
        (await admin('DELETE', `/v3/OS-EP-FILTER/endpoint_groups/${bare.id}`)).status,
        204,
      )
      const gone = await admin('GET', `/v3/OS-EP-FILTER/endpoint_groups/${bare.id}`)
      assert.equal(gone.status, 404)
      assert.equal(gone.body.error.message, `Could not find Endpoint Group: ${bare.id}.`)
    })

    it('refuses bad endpoint groups with 400 and members with 403', async () => {
      const post = (body: unknown) =>
        admin('POST', '/v3/OS-EP-FILTER/endpoint_groups', { endpoint_group: body })
      assert.equal((await post({ name: 'x', filters: {} })).status, 400)
      assert.equal((await post({ name: 'x', filters: { url: 'u' } })).status, 400)
      assert.equal(
        (await post({ name: 'x', filters: { interface: 'public' }, extra: 1 })).status,
        400,
      )
      assert.equal((await post({ filters: { interface: 'public' } })).status, 400)
      assert.equal((await post({ name: 'x' })).status, 400)
      assert.equal(
        (await asMember('POST', '/v3/OS-EP-FILTER/endpoint_groups', { endpoint_group: {} })).status,
        403,
      )
      assert.equal((await asMember('GET', '/v3/OS-EP-FILTER/endpoint_groups')).status, 403)
    })

    it('associates endpoint groups with projects and filters the catalog', async () => {
      const s = await newService('filtered')
      const kept = await newEndpoint(s, 'public')
      const dropped = await newEndpoint(s, 'internal')
      const g = (
        await admin('POST', '/v3/OS-EP-FILTER/endpoint_groups', {
          endpoint_group: { name: 'only-public', filters: { service_id: s, interface: 'public' } },
        })
      ).body.endpoint_group
      const path = `/v3/OS-EP-FILTER/endpoint_groups/${g.id}/projects/${projectId}`
      assert.equal((await admin('PUT', path)).status, 204)
      assert.equal((await admin('PUT', path)).status, 409)
      const got = await admin('GET', path)
      assert.equal(got.status, 200)
      assert.deepEqual(got.body.project_endpoint_group, {
        endpoint_group_id: g.id,
        project_id: projectId,
        links: { self: `/OS-EP-FILTER/endpoint_groups/${g.id}/projects/${projectId}` },
      })
      assert.equal(
        (await admin('GET', `/v3/OS-EP-FILTER/endpoint_groups/${g.id}/projects/nope`)).status,
        404,
      )
      const projects = await admin('GET', `/v3/OS-EP-FILTER/endpoint_groups/${g.id}/projects`)
      assert.deepEqual(
        projects.body.projects.map((p: Named) => p.id),
        [projectId],
      )
      const groups = await admin('GET', `/v3/OS-EP-FILTER/projects/${projectId}/endpoint_groups`)
      assert.deepEqual(
        groups.body.endpoint_groups.map((x: Named) => x.id),
        [g.id],
      )
      const endpoints = await admin('GET', `/v3/OS-EP-FILTER/projects/${projectId}/endpoints`)
      assert.deepEqual(
        endpoints.body.endpoints.map((x: Named) => x.id),
        [kept],
      )

      // The member's token (issued before) now carries only the group's endpoints.
      const catalog = (await asMember('GET', '/v3/auth/catalog')).body.catalog as {
        endpoints: Named[]
      }[]
      const ids = catalog.flatMap((c) => c.endpoints.map((e) => e.id))
      assert.deepEqual(ids, [kept])
      assert.ok(!ids.includes(dropped))
      // Another project keeps the whole catalog.
      const adminCatalog = (await admin('GET', '/v3/auth/catalog')).body.catalog as {
        type: string
      }[]
      assert.ok(adminCatalog.some((c) => c.type === 'identity'))

      assert.equal((await admin('DELETE', path)).status, 204)
      assert.equal((await admin('DELETE', path)).status, 404)
      assert.equal((await admin('GET', path)).status, 404)
      const full = (await asMember('GET', '/v3/auth/catalog')).body.catalog as { type: string }[]
      assert.ok(full.some((c) => c.type === 'identity'))
    })

    it('ignores associations that match no endpoint, as Keystone does', async () => {
      const g = (
        await admin('POST', '/v3/OS-EP-FILTER/endpoint_groups', {
          endpoint_group: { name: 'matches-nothing', filters: { service_id: 'no-such-service' } },
        })
      ).body.endpoint_group
      assert.equal(
        (await admin('PUT', `/v3/OS-EP-FILTER/endpoint_groups/${g.id}/projects/${projectId}`))
          .status,
        204,
      )
      const catalog = (await asMember('GET', '/v3/auth/catalog')).body.catalog as { type: string }[]
      assert.ok(catalog.some((c) => c.type === 'identity'))
      // Deleting the group drops its associations.
      assert.equal((await admin('DELETE', `/v3/OS-EP-FILTER/endpoint_groups/${g.id}`)).status, 204)
      const groups = await admin('GET', `/v3/OS-EP-FILTER/projects/${projectId}/endpoint_groups`)
      assert.deepEqual(groups.body.endpoint_groups, [])
    })

    it('associates endpoints with projects directly', async () => {
      const s = await newService('direct')
      const e = await newEndpoint(s)
      const path = `/v3/OS-EP-FILTER/projects/${projectId}/endpoints/${e}`
      const missing = await admin('GET', path)
      assert.equal(missing.status, 404)
      assert.equal(missing.body.error.message, `Endpoint ${e} not found in project ${projectId}`)
      assert.equal((await admin('PUT', path)).status, 204)
      assert.equal((await admin('PUT', path)).status, 409)
      const check = await admin('GET', path)
      assert.equal(check.status, 204)
      assert.equal(check.text, '')
      assert.equal((await admin('HEAD', path)).status, 204)
      assert.equal(
        (await admin('PUT', `/v3/OS-EP-FILTER/projects/nope/endpoints/${e}`)).status,
        404,
      )
      assert.equal(
        (await admin('PUT', `/v3/OS-EP-FILTER/projects/${projectId}/endpoints/nope`)).status,
        404,
      )
      const projects = await admin('GET', `/v3/OS-EP-FILTER/endpoints/${e}/projects`)
      assert.equal(projects.status, 200)
      assert.deepEqual(
        projects.body.projects.map((p: Named) => p.id),
        [projectId],
      )
      const listed = await admin('GET', `/v3/OS-EP-FILTER/projects/${projectId}/endpoints`)
      assert.deepEqual(
        listed.body.endpoints.map((x: Named) => x.id),
        [e],
      )
      assert.equal(listed.body.endpoints[0].region, 'RegionOne')
      assert.equal((await asMember('PUT', path)).status, 403)
      assert.equal((await asMember('GET', path)).status, 403)

      // Deleting the endpoint removes the association.
      assert.equal((await admin('DELETE', `/v3/endpoints/${e}`)).status, 204)
      assert.equal(
        (
          await h.db
            .selectFrom('project_endpoint')
            .selectAll()
            .where('endpoint_id', '=', e)
            .execute()
        ).length,
        0,
      )
      assert.equal((await admin('DELETE', path)).status, 404)
      assert.equal((await admin('GET', `/v3/OS-EP-FILTER/projects/nope/endpoints`)).status, 404)
      assert.equal((await admin('GET', `/v3/OS-EP-FILTER/endpoints/${e}/projects`)).status, 404)
    })
  })
})
