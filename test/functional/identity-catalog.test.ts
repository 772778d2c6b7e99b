import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { type CatalogFixture, startCatalogFixture } from '../support/catalog-fixture.js'

interface Named {
  id: string
}

describe('identity: regions, services and endpoints', () => {
  let f: CatalogFixture
  let h: CatalogFixture['h']
  const admin = (method: string, path: string, body?: unknown) => f.admin(method, path, body)
  const asMember = (method: string, path: string, body?: unknown) => f.asMember(method, path, body)
  const newService = (type: string, extra?: Record<string, unknown>) => f.newService(type, extra)
  const newEndpoint = (serviceId: string, iface?: string, region?: string) =>
    f.newEndpoint(serviceId, iface, region)

  before(async () => {
    f = await startCatalogFixture()
    h = f.h
  })
  after(() => f.close())

  describe('regions', () => {
    it('creates with POST and PUT, and lists and shows identical dicts', async () => {
      const parent = await admin('POST', '/v3/regions', {
        region: { description: 'parent', 'x-tra': 1 },
      })
      assert.equal(parent.status, 201)
      const p = parent.body.region
      assert.match(p.id, /^[0-9a-f]{32}$/)
      assert.equal(p.parent_region_id, null)
      assert.equal(p.x_tra, 1)
      assert.equal(p.links.self, `http://localhost:80/v3/regions/${p.id}`)

      const put = await admin('PUT', '/v3/regions/0f5e7a3c-5d2f-4a3b-9e6f-123456789abc', {
        region: { parent_region_id: p.id },
      })
      assert.equal(put.status, 201)
      const child = put.body.region
      assert.equal(child.id, '0f5e7a3c-5d2f-4a3b-9e6f-123456789abc')
      assert.equal(child.description, '')

      assert.deepEqual((await admin('GET', `/v3/regions/${child.id}`)).body.region, child)
      const listed = await asMember('GET', `/v3/regions?parent_region_id=${p.id}`)
      assert.equal(listed.status, 200)
      assert.deepEqual(listed.body.regions, [child])
      assert.equal(
        listed.body.links.self,
        `http://localhost:80/v3/regions?parent_region_id=${p.id}`,
      )
    })

    it('refuses duplicates (409), unknown parents (404), mismatched ids and loops (400)', async () => {
      const a = (await admin('PUT', '/v3/regions/loop-a', { region: {} })).body.region
      const b = (
        await admin('POST', '/v3/regions', { region: { id: 'loop-b', parent_region_id: a.id } })
      ).body.region
      const dup = await admin('POST', '/v3/regions', { region: { id: 'loop-a' } })
      assert.equal(dup.status, 409)
      assert.equal(
        dup.body.error.message,
        'Conflict occurred attempting to store region - Duplicate ID, loop-a.',
      )
      assert.equal((await admin('PUT', '/v3/regions/loop-a', { region: {} })).status, 409)
      const orphan = await admin('POST', '/v3/regions', { region: { parent_region_id: 'nope' } })
      assert.equal(orphan.status, 404)
      assert.equal(orphan.body.error.message, 'Could not find region: nope.')
      assert.equal((await admin('PUT', '/v3/regions/x1', { region: { id: 'x2' } })).status, 400)
      const loop = await admin('PATCH', `/v3/regions/${a.id}`, {
        region: { parent_region_id: b.id },
      })
      assert.equal(loop.status, 400)
      assert.equal(
        loop.body.error.message,
        'The specified parent region loop-a would create a circular region hierarchy.',
      )
      assert.equal(
        (await admin('PATCH', `/v3/regions/${a.id}`, { region: { parent_region_id: a.id } }))
          .status,
        400,
      )
      assert.equal((await admin('PATCH', `/v3/regions/${a.id}`, { region: {} })).status, 400)
      assert.equal(
        (await admin('PATCH', '/v3/regions/nope', { region: { description: 'd' } })).status,
        404,
      )
      assert.equal((await admin('GET', '/v3/regions/nope')).status, 404)
    })

    it('updates, and deletes a subtree unless an endpoint lives in it (403)', async () => {
      const top = (await admin('PUT', '/v3/regions/del-top', { region: {} })).body.region
      await admin('PUT', '/v3/regions/del-mid', { region: { parent_region_id: top.id } })
      await admin('PUT', '/v3/regions/del-leaf', { region: { parent_region_id: 'del-mid' } })
      const patched = await admin('PATCH', '/v3/regions/del-mid', {
        region: { description: 'mid', extra_key: 'v' },
      })
      assert.equal(patched.status, 200)
      assert.equal(patched.body.region.description, 'mid')
      assert.equal(patched.body.region.parent_region_id, top.id)
      assert.equal(patched.body.region.extra_key, 'v')
      const nulled = await admin('PATCH', '/v3/regions/del-mid', { region: { description: null } })
      assert.equal(nulled.body.region.description, '')

      const service = await newService('del-test')
      const endpoint = await newEndpoint(service, 'public', 'del-leaf')
      const refused = await admin('DELETE', '/v3/regions/del-top')
      assert.equal(refused.status, 403)
      assert.equal(
        refused.body.error.message,
        'Unable to delete region del-top because it or its child regions have associated endpoints.',
      )
      assert.equal((await admin('DELETE', `/v3/endpoints/${endpoint}`)).status, 204)
      const deleted = await admin('DELETE', '/v3/regions/del-top')
      assert.equal(deleted.status, 204)
      assert.equal(deleted.text, '')
      for (const id of ['del-top', 'del-mid', 'del-leaf'])
        assert.equal((await admin('GET', `/v3/regions/${id}`)).status, 404)
      assert.equal((await admin('DELETE', '/v3/regions/del-top')).status, 404)
    })

    it('lets members read but not write (policy before validation)', async () => {
      assert.equal((await asMember('GET', '/v3/regions')).status, 200)
      assert.equal((await asMember('GET', '/v3/regions/RegionOne')).status, 200)
      const create = await asMember('POST', '/v3/regions', { region: { description: 42 } })
      assert.equal(create.status, 403)
      assert.equal(
        create.body.error.message,
        'You are not authorized to perform the requested action: identity:create_region.',
      )
      assert.equal((await asMember('PUT', '/v3/regions/m1', { region: {} })).status, 403)
      assert.equal(
        (await asMember('PATCH', '/v3/regions/RegionOne', { region: { description: 'x' } })).status,
        403,
      )
      assert.equal((await asMember('DELETE', '/v3/regions/RegionOne')).status, 403)
      assert.equal((await h.request('GET', '/v3/regions')).status, 401)
    })
  })

  describe('services', () => {
    it('creates, lists by type and name, updates and shows', async () => {
      const res = await admin('POST', '/v3/services', {
        service: { type: 'image', name: 'glance', description: 'Images', color: 'blue' },
      })
      assert.equal(res.status, 201)
      const s = res.body.service
      assert.deepEqual(
        {
          type: s.type,
          name: s.name,
          description: s.description,
          enabled: s.enabled,
          color: s.color,
        },
        { type: 'image', name: 'glance', description: 'Images', enabled: true, color: 'blue' },
      )
      const bare = (await admin('POST', '/v3/services', { service: { type: 'bare' } })).body.service
      assert.equal(bare.name, '')
      assert.equal('description' in bare, false)

      const byType = await admin('GET', '/v3/services?type=image')
      assert.deepEqual(byType.body.services, [s])
      const byName = await admin('GET', '/v3/services?name=glance')
      assert.deepEqual(
        byName.body.services.map((x: Named) => x.id),
        [s.id],
      )

      const patch = await admin('PATCH', `/v3/services/${s.id}`, {
        service: { description: 'New', enabled: false },
      })
      assert.equal(patch.status, 200)
      const shown = (await admin('GET', `/v3/services/${s.id}`)).body.service
      for (const [k, v] of Object.entries(patch.body.service)) assert.deepEqual(shown[k], v)
      assert.equal(shown.description, 'New')
      assert.equal(shown.enabled, false)
      assert.equal(shown.color, 'blue')
    })

    it('refuses bad bodies (400), unknown ids (404) and members (403)', async () => {
      assert.equal(
        (await admin('POST', '/v3/services', { service: { name: 'no-type' } })).status,
        400,
      )
      assert.equal(
        (await admin('POST', '/v3/services', { service: { type: 'x', enabled: 'True' } })).status,
        400,
      )
      assert.equal((await admin('POST', '/v3/services', { service: { type: '' } })).status, 400)
      assert.equal((await admin('POST', '/v3/services', {})).status, 400)
      const missing = await admin('GET', '/v3/services/nope')
      assert.equal(missing.status, 404)
      assert.equal(missing.body.error.message, 'Could not find service: nope.')
      assert.equal(
        (await admin('PATCH', '/v3/services/nope', { service: { name: 'n' } })).status,
        404,
      )
      assert.equal((await admin('DELETE', '/v3/services/nope')).status, 404)
      const s = await newService('idcheck')
      assert.equal(
        (await admin('PATCH', `/v3/services/${s}`, { service: { id: 'other' } })).status,
        400,
      )
      assert.equal((await asMember('POST', '/v3/services', { service: {} })).status, 403)
      assert.equal((await asMember('GET', '/v3/services')).status, 403)
      assert.equal((await asMember('GET', '/v3/services/nope')).status, 403)
    })

    it('deletes a service with its endpoints', async () => {
      const s = await newService('cascade')
      const e = await newEndpoint(s)
      assert.equal((await admin('DELETE', `/v3/services/${s}`)).status, 204)
      assert.equal((await admin('GET', `/v3/services/${s}`)).status, 404)
      assert.equal((await admin('GET', `/v3/endpoints/${e}`)).status, 404)
    })
  })

  describe('endpoints', () => {
    it('creates with a legacy region (auto-created), filters, updates and deletes', async () => {
      const s = await newService('network')
      const res = await admin('POST', '/v3/endpoints', {
        endpoint: {
          service_id: s,
          interface: 'internal',
          url: 'http://n:9696',
          region: 'AutoRegion',
          enabled: true,
          note: 'x',
        },
      })
      assert.equal(res.status, 201, res.text)
      const e = res.body.endpoint
      assert.equal(e.region, 'AutoRegion')
      assert.equal(e.region_id, 'AutoRegion')
      assert.equal(e.note, 'x')
      assert.equal('legacy_endpoint_id' in e, false)
      assert.equal(e.links.self, `http://localhost:80/v3/endpoints/${e.id}`)
      const region = await admin('GET', '/v3/regions/AutoRegion')
      assert.equal(region.status, 200)
      assert.equal(region.body.region.description, '')

      const pub = await newEndpoint(s, 'public')
      const byService = await admin('GET', `/v3/endpoints?service_id=${s}`)
      assert.deepEqual(byService.body.endpoints.map((x: Named) => x.id).sort(), [e.id, pub].sort())
      const byInterface = await admin('GET', `/v3/endpoints?service_id=${s}&interface=internal`)
      assert.deepEqual(byInterface.body.endpoints, [e])
      const byRegion = await admin('GET', '/v3/endpoints?region_id=AutoRegion')
      assert.deepEqual(
        byRegion.body.endpoints.map((x: Named) => x.id),
        [e.id],
      )

      const upd = await admin('PATCH', `/v3/endpoints/${e.id}`, {
        endpoint: {
          region: 'AutoRegion2',
          enabled: false,
          url: 'http://n2:9696',
          interface: 'admin',
        },
      })
      assert.equal(upd.status, 200, upd.text)
      assert.equal(upd.body.endpoint.region, 'AutoRegion2')
      assert.equal(upd.body.endpoint.enabled, false)
      assert.equal(upd.body.endpoint.interface, 'admin')
      assert.equal(upd.body.endpoint.note, 'x')
      assert.equal((await admin('GET', '/v3/regions/AutoRegion2')).status, 200)
      assert.deepEqual(
        (await admin('GET', `/v3/endpoints/${e.id}`)).body.endpoint,
        upd.body.endpoint,
      )

      assert.equal((await admin('DELETE', `/v3/endpoints/${e.id}`)).status, 204)
      assert.equal((await admin('GET', `/v3/endpoints/${e.id}`)).status, 404)
    })

    it('refuses bad interfaces, URLs, booleans and references with 400', async () => {
      const s = await newService('volume')
      const base = { service_id: s, interface: 'public', url: 'http://c:8776/v3/%(project_id)s' }
      assert.equal((await admin('POST', '/v3/endpoints', { endpoint: base })).status, 201)
      const cases: [Record<string, unknown>, string?][] = [
        [{ interface: 'bogus' }],
        [{ url: 'not a url' }],
        [
          { url: 'http://c/%(foo)s' },
          'Cannot create an endpoint with an invalid URL: http://c/%(foo)s.',
        ],
        [{ enabled: 'True' }],
        [
          { region_id: 'NoSuchRegion' },
          'Expecting to find endpoint region_id in region table. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.',
        ],
        [
          { service_id: 'nope' },
          'Expecting to find endpoint service_id in service table. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.',
        ],
      ]
      for (const [change, message] of cases) {
        const res = await admin('POST', '/v3/endpoints', { endpoint: { ...base, ...change } })
        assert.equal(res.status, 400, JSON.stringify(change))
        if (message !== undefined) assert.equal(res.body.error.message, message)
      }
      const { interface: _i, ...noInterface } = base
      assert.equal((await admin('POST', '/v3/endpoints', { endpoint: noInterface })).status, 400)
      const e = await newEndpoint(s)
      assert.equal(
        (await admin('PATCH', `/v3/endpoints/${e}`, { endpoint: { enabled: 'False' } })).status,
        400,
      )
      assert.equal(
        (await admin('PATCH', `/v3/endpoints/${e}`, { endpoint: { interface: 'x' } })).status,
        400,
      )
      assert.equal(
        (await admin('PATCH', `/v3/endpoints/${e}`, { endpoint: { service_id: 'nope' } })).status,
        400,
      )
      assert.equal((await admin('PATCH', `/v3/endpoints/${e}`, { endpoint: {} })).status, 400)
    })

    it('looks endpoints up before the policy: 404 for anyone, 403 for a member on a real one', async () => {
      const s = await newService('orchestration')
      const e = await newEndpoint(s)
      const unknown = await asMember('GET', '/v3/endpoints/nope')
      assert.equal(unknown.status, 404)
      assert.equal(unknown.body.error.message, 'Could not find endpoint: nope.')
      assert.equal((await asMember('DELETE', '/v3/endpoints/nope')).status, 404)
      assert.equal((await asMember('GET', `/v3/endpoints/${e}`)).status, 403)
      assert.equal(
        (await asMember('PATCH', `/v3/endpoints/${e}`, { endpoint: { enabled: false } })).status,
        403,
      )
      assert.equal((await asMember('POST', '/v3/endpoints', { endpoint: {} })).status, 403)
      assert.equal((await asMember('GET', '/v3/endpoints')).status, 403)
    })
  })
})
