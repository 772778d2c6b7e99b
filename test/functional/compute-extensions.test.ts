import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'

type Extension = Record<string, unknown> & { alias: string; name: string }

describe('compute extensions', () => {
  let h: ComputeHarness
  let memberToken: string
  before(async () => {
    h = await startComputeHarness()
    memberToken = (await h.member('ext-member')).token
  })
  after(async () => h.close())

  it("lists Nova's 99 static extensions to any caller", async () => {
    const res = await h.request('GET', '/v2.1/extensions', { token: memberToken })
    assert.equal(res.status, 200)
    const list = res.body.extensions as Extension[]
    assert.equal(list.length, 99)
    assert.equal(new Set(list.map((e) => e.alias)).size, 99)
    assert.ok(list.some((e) => e.name === 'Hosts'))
    assert.deepEqual(list[0], {
      alias: 'NMN',
      description: 'Multiple network support.',
      links: [],
      name: 'Multinic',
      namespace: 'http://docs.openstack.org/compute/ext/fake_xml',
      updated: '2014-12-03T00:00:00Z',
    })
    assert.equal(list[98]?.alias, 'os-volumes')
    assert.ok(!list.some((e) => e.alias === 'OS-EXT-VIF-NET'))
    // The same for admins.
    const admin = await h.request('GET', '/v2.1/extensions')
    assert.deepEqual(admin.body, res.body)
  })

  it('shows one extension by alias; an unknown alias is 404', async () => {
    const res = await h.request('GET', '/v2.1/extensions/os-consoles', { token: memberToken })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, {
      extension: {
        alias: 'os-consoles',
        description: 'Interactive Console support.',
        links: [],
        name: 'Consoles',
        namespace: 'http://docs.openstack.org/compute/ext/fake_xml',
        updated: '2014-12-03T00:00:00Z',
      },
    })
    const admin = await h.request('GET', '/v2.1/extensions/os-admin-actions')
    assert.match(String(admin.body.extension.description), /resetNetwork, injectNetworkInfo/)
    for (const alias of ['os-nothing', 'OS-CONSOLES', 'OS-EXT-VIF-NET']) {
      const missing = await h.request('GET', `/v2.1/extensions/${alias}`)
      assert.equal(missing.status, 404, alias)
      assert.equal(missing.body.itemNotFound.message, 'The resource could not be found.')
    }
  })

  it('adds the virtual-interface network extension on the legacy v2 API', async () => {
    const res = await h.request('GET', '/v2/extensions')
    assert.equal(res.status, 200)
    const aliases = (res.body.extensions as Extension[]).map((e) => e.alias)
    assert.equal(aliases.length, 100)
    assert.deepEqual(aliases, [...aliases].sort())
    assert.equal(aliases.indexOf('OS-EXT-VIF-NET'), aliases.indexOf('OS-EXT-STS') + 1)
    const one = await h.request('GET', '/v2/extensions/OS-EXT-VIF-NET')
    assert.equal(one.status, 200)
    assert.equal(one.body.extension.name, 'ExtendedVIFNet')
  })

  it('needs a token', async () => {
    assert.equal((await h.request('GET', '/v2.1/extensions', { token: '' })).status, 401)
  })
})
