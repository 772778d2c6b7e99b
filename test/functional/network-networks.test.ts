import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type NetworkHarness, startNetworkHarness } from '../support/network-harness.js'

describe('network: networks', () => {
  let h: NetworkHarness
  before(async () => {
    h = await startNetworkHarness()
  })
  after(async () => h.close())

  it('creates a project network on the next free VXLAN segment, shown as Neutron shows it', async () => {
    const res = await h.request('POST', '/v2.0/networks', {
      body: { network: { name: 'private' } },
    })
    assert.equal(res.status, 201, res.text)
    const n = res.body.network
    assert.equal(n.name, 'private')
    assert.equal(n.status, 'ACTIVE')
    assert.equal(n.admin_state_up, true)
    assert.equal(n.shared, false)
    assert.equal(n['router:external'], false)
    assert.equal(n['provider:network_type'], 'vxlan')
    assert.equal(n['provider:segmentation_id'], 1)
    assert.equal(n['provider:physical_network'], null)
    assert.equal(n.mtu, 1450)
    assert.equal(n.tenant_id, n.project_id)
    assert.deepEqual(n.subnets, [])
    assert.deepEqual(n.availability_zones, ['nova'])
    assert.match(n.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.equal(n.revision_number, 1)
    const second = await h.request('POST', '/v2.0/networks', { body: { network: { name: 'b' } } })
    assert.equal(second.body.network['provider:segmentation_id'], 2)
  })

  it('takes provider segments from admins, refuses them in use or from members', async () => {
    const body = {
      network: { name: 'p', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 500 },
    }
    const made = await h.request('POST', '/v2.0/networks', { body })
    assert.equal(made.status, 201, made.text)
    const again = await h.request('POST', '/v2.0/networks', { body })
    assert.equal(again.status, 409)
    assert.equal(again.body.NeutronError.type, 'TunnelIdInUse')
    const flat = await h.request('POST', '/v2.0/networks', {
      body: {
        network: {
          name: 'public',
          'router:external': true,
          'provider:network_type': 'flat',
          'provider:physical_network': 'public',
        },
      },
    })
    assert.equal(flat.status, 201, flat.text)
    assert.equal(flat.body.network.mtu, 1500)
    const m = await h.member('net-member')
    const refused = await h.request('POST', '/v2.0/networks', {
      token: m.token,
      body: { network: { shared: true } },
    })
    assert.equal(refused.status, 403)
    assert.equal(refused.body.NeutronError.type, 'PolicyNotAuthorized')
    // Members see the external network but not its provider attributes, nor others' networks.
    const list = await h.request('GET', '/v2.0/networks', { token: m.token })
    assert.deepEqual(
      list.body.networks.map((n: { name: string }) => n.name),
      ['public'],
    )
    assert.equal(list.body.networks[0]['provider:network_type'], undefined)
    const hidden = await h.request('GET', `/v2.0/networks/${made.body.network.id}`, {
      token: m.token,
    })
    assert.equal(hidden.status, 404)
    assert.equal(hidden.body.NeutronError.type, 'NetworkNotFound')
  })

  it('refuses bad bodies with Neutron wording and changes nothing', async () => {
    const before = (await h.request('GET', '/v2.0/networks')).body.networks.length
    const cases: [unknown, string][] = [
      [{ network: { bogus: 1 } }, "Unrecognized attribute(s) 'bogus'"],
      [{ network: { status: 'DOWN' } }, "Attribute 'status' not allowed in POST"],
      [
        { network: { admin_state_up: 'maybe' } },
        "Invalid input for operation: 'maybe' cannot be converted to boolean.",
      ],
      [{ nope: {} }, "Unable to find 'network' in request body"],
    ]
    for (const [body, message] of cases) {
      const res = await h.request('POST', '/v2.0/networks', { body })
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.equal(res.body.NeutronError.message, message)
    }
    assert.equal((await h.request('GET', '/v2.0/networks')).body.networks.length, before)
  })

  it('filters, sorts, pages with links and selects fields', async () => {
    const page = await h.request('GET', '/v2.0/networks?limit=2&sort_key=name&sort_dir=asc')
    assert.equal(page.body.networks.length, 2)
    const next = page.body.networks_links.find((l: { rel: string }) => l.rel === 'next')
    assert.ok(next)
    const rest = await h.request('GET', next.href.replace(/^http:\/\/[^/]+/, ''))
    assert.ok(rest.body.networks.length >= 1)
    const names = [...page.body.networks, ...rest.body.networks].map(
      (n: { name: string }) => n.name,
    )
    assert.deepEqual(names.slice(0, 2), [...names.slice(0, 2)].sort())
    const filtered = await h.request('GET', '/v2.0/networks?name=private&fields=id&fields=name')
    assert.deepEqual(Object.keys(filtered.body.networks[0]).sort(), ['id', 'name'])
    const bad = await h.request('GET', '/v2.0/networks?colour=red')
    assert.equal(bad.status, 400)
  })

  it('updates, tags and deletes a network', async () => {
    const id = (await h.request('POST', '/v2.0/networks', { body: { network: { name: 'tmp' } } }))
      .body.network.id
    const upd = await h.request('PUT', `/v2.0/networks/${id}`, {
      body: { network: { name: 'tmp2', mtu: 1400 } },
    })
    assert.equal(upd.status, 200, upd.text)
    assert.equal(upd.body.network.name, 'tmp2')
    assert.equal(upd.body.network.mtu, 1400)
    assert.equal(upd.body.network.revision_number, 2)
    assert.equal((await h.request('PUT', `/v2.0/networks/${id}/tags/red`)).status, 201)
    const tags = await h.request('PUT', `/v2.0/networks/${id}/tags`, { body: { tags: ['a', 'b'] } })
    assert.deepEqual(tags.body.tags, ['a', 'b'])
    // Each tag change is a revision, as in Neutron; adding a tag it has already is not.
    assert.equal((await h.request('PUT', `/v2.0/networks/${id}/tags/a`)).status, 201)
    const revised = await h.request('GET', `/v2.0/networks/${id}`)
    assert.equal(revised.body.network.revision_number, 4)
    const byTag = await h.request('GET', '/v2.0/networks?tags=a')
    assert.deepEqual(
      byTag.body.networks.map((n: { id: string }) => n.id),
      [id],
    )
    assert.equal((await h.request('DELETE', `/v2.0/networks/${id}`)).status, 204)
    assert.equal((await h.request('GET', `/v2.0/networks/${id}`)).status, 404)
  })
})
