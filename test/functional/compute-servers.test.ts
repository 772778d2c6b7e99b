import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { eventually } from '../support/poll.js'

describe('compute servers', () => {
  let h: ComputeHarness
  let imageId: string
  before(async () => {
    h = await startComputeHarness()
    imageId = await h.createImage()
  })
  after(async () => h.close())

  const boot = (extra: Record<string, unknown> = {}, microversion?: string, token?: string) =>
    h.request('POST', '/v2.1/servers', {
      ...(microversion ? { microversion } : {}),
      ...(token ? { token } : {}),
      body: { server: { name: 'vm1', imageRef: imageId, flavorRef: '1', ...extra } },
    })

  it('boots a server to ACTIVE on a fake host and shows it as Nova does at 2.1', async () => {
    const created = await boot()
    assert.equal(created.status, 202, created.text)
    const s = created.body.server
    assert.deepEqual(Object.keys(s).sort(), [
      'OS-DCF:diskConfig',
      'adminPass',
      'id',
      'links',
      'security_groups',
    ])
    assert.equal(s.adminPass.length, 12)
    assert.match(created.headers.location as string, /\/v2\.1\/servers\//)
    const server = await h.waitForServer(s.id, (v) => v?.status === 'ACTIVE')
    assert.ok(server)
    assert.equal(server['OS-EXT-STS:power_state'], 1)
    assert.equal(server['OS-EXT-STS:vm_state'], 'active')
    assert.match(server['OS-EXT-SRV-ATTR:instance_name'] as string, /^instance-[0-9a-f]{8}$/)
    assert.ok(['compute1', 'compute2'].includes(server['OS-EXT-SRV-ATTR:host'] as string))
    assert.equal((server.hostId as string).length, 56)
    assert.equal(server['OS-EXT-SRV-ATTR:reservation_id'], undefined, 'a 2.3 field at 2.1')
    assert.equal(server.locked, undefined)
    assert.deepEqual(server.flavor, {
      id: '1',
      links: [{ rel: 'bookmark', href: 'http://localhost:80/flavors/1' }],
    })
  })

  it('shows the microversion additions: locked, description, tags, flavor dict', async () => {
    const created = await boot({ description: 'd', tags: ['a', 'b'], networks: 'none' }, '2.79')
    assert.equal(created.status, 202, created.text)
    const id = created.body.server.id as string
    await h.waitForServer(id, (v) => v?.status === 'ACTIVE')
    const res = await h.request('GET', `/v2.1/servers/${id}`, { microversion: '2.79' })
    const s = res.body.server
    assert.equal(s.locked, false)
    assert.equal(s.description, 'd')
    assert.deepEqual(s.tags, ['a', 'b'])
    assert.equal(s.flavor.original_name, 'm1.tiny')
    assert.equal(s.flavor.ram, 512)
    assert.deepEqual(s.server_groups, [])
    assert.equal(s.locked_reason, null)
    assert.equal(s.host_status, 'UP')
    assert.equal(res.headers['x-openstack-nova-api-version'], '2.79')
  })

  it('refuses bad requests with Nova messages and creates nothing', async () => {
    const before = await h.request('GET', '/v2.1/servers')
    const cases: [Record<string, unknown>, number, string][] = [
      [{ flavorRef: '999' }, 400, 'Flavor 999 could not be found.'],
      [{ imageRef: '11111111-1111-1111-1111-111111111111' }, 400, 'Can not find requested image'],
      [{ key_name: 'nope' }, 400, 'Invalid key_name provided.'],
      [{ availability_zone: 'mars' }, 400, 'The requested availability zone is not available'],
      [{ min_count: 3, max_count: 2 }, 400, 'min_count must be <= max_count'],
      [{ name: '' }, 400, ''],
      [
        { metadata: Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v'])) },
        403,
        'Maximum number of metadata items exceeds 128',
      ],
    ]
    for (const [extra, status, message] of cases) {
      const res = await boot(extra)
      assert.equal(res.status, status, `${JSON.stringify(extra).slice(0, 60)}: ${res.text}`)
      if (message !== '')
        assert.equal((Object.values(res.body)[0] as { message: string }).message, message)
    }
    const afterList = await h.request('GET', '/v2.1/servers')
    assert.equal(afterList.body.servers.length, before.body.servers.length)
  })

  it('lists, filters by name regex, pages with links, and deletes', async () => {
    const list = await h.request('GET', '/v2.1/servers?name=vm&limit=1')
    assert.equal(list.status, 200)
    assert.equal(list.body.servers.length, 1)
    assert.ok(list.body.servers_links[0].href.includes('marker='))
    const detail = await h.request('GET', '/v2.1/servers/detail')
    const ids = detail.body.servers.map((s: { id: string }) => s.id)
    for (const id of ids) {
      const del = await h.request('DELETE', `/v2.1/servers/${id}`)
      assert.equal(del.status, 204)
    }
    for (const id of ids) await h.waitForServer(id, (_v, status) => status === 404)
    const empty = await h.request('GET', '/v2.1/servers')
    assert.deepEqual(empty.body.servers, [])
    // As in Nova, the claim goes just after the server row is marked deleted.
    await eventually(
      () => h.service.deps.db.selectFrom('allocation').selectAll().execute(),
      (claims) => claims.length === 0,
      'claims released',
    )
  })

  it('hides other projects servers (404) and enforces quota atomically', async () => {
    const alice = await h.member('alice')
    await h.request('PUT', `/v2.1/os-quota-sets/${alice.projectId}`, {
      body: { quota_set: { instances: 2 } },
    })
    await h.service.deps.db
      .insertInto('quota')
      .values({ project_id: alice.projectId, user_id: '', resource: 'instances', hard_limit: 2 })
      .execute()
      .catch(() => undefined)
    const results = await Promise.all(
      Array.from({ length: 5 }, () => boot({}, undefined, alice.token)),
    )
    assert.equal(results.filter((r) => r.status === 202).length, 2)
    const refused = results.find((r) => r.status === 403)
    assert.match(
      refused?.body.forbidden.message as string,
      /^Quota exceeded for instances: Requested 1, but already used 2 of 2 instances$/,
    )
    const id = results.find((r) => r.status === 202)?.body.server.id as string
    const bob = await h.member('bob')
    const other = await h.request('GET', `/v2.1/servers/${id}`, { token: bob.token })
    assert.equal(other.status, 404)
    assert.equal(other.body.itemNotFound.message, `Instance ${id} could not be found.`)
  })
})
