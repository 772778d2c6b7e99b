/**
 * nova-network's VlanManager: networks with a VLAN, a br<vlan> bridge and a VPN address each,
 * given to a project on its first boot (never two projects one network), shown by Neutron as
 * VLAN provider networks owned by that project; association and deletion rules.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'

type Json = Record<string, any>

describe('network: legacy vlan manager', () => {
  let h: ComputeHarness
  let image: string
  before(async () => {
    h = await startComputeHarness({ network: { manager: 'vlan', vlan_interface: 'eth2' } })
    image = await h.createImage()
  })
  after(async () => h.close())

  const v21 = { microversion: '2.1' }
  const boot = (token: string, name: string) =>
    h.request('POST', '/v2.1/servers', {
      ...v21,
      token,
      body: { server: { name, imageRef: image, flavorRef: '1' } },
    })

  it('makes one network per VLAN and gives each project its own on first boot', async () => {
    const res = await h.request('POST', '/v2.1/os-networks', {
      ...v21,
      body: { network: { label: 'vl', cidr: '10.10.0.0/16', num_networks: 2 } },
    })
    assert.equal(res.status, 200, res.text)
    const all = (await h.request('GET', '/v2.1/os-networks', v21)).body.networks as Json[]
    assert.deepEqual(
      all.map((n) => [n.label, n.cidr, n.vlan, n.bridge, n.bridge_interface, n.project_id]),
      [
        ['vl_0', '10.10.0.0/24', 100, 'br100', 'eth2', null],
        ['vl_1', '10.10.1.0/24', 101, 'br101', 'eth2', null],
      ],
    )
    assert.equal(all[0]?.vpn_private_address, '10.10.0.2')
    assert.equal(all[0].dhcp_start, '10.10.0.3')
    assert.equal(all[0].vpn_public_port, 1000)
    const neutron = (await h.networkRequest('GET', `/v2.0/networks/${all[0].id as string}`)).body
      .network as Json
    assert.equal(neutron['provider:network_type'], 'vlan')
    assert.equal(neutron['provider:physical_network'], 'eth2')
    assert.equal(neutron['provider:segmentation_id'], 100)
    assert.equal(neutron.shared, false)

    const alice = await h.member('vlan-alice')
    const bob = await h.member('vlan-bob')
    const carol = await h.member('vlan-carol')
    const [a, b] = await Promise.all([boot(alice.token, 'a'), boot(bob.token, 'b')])
    assert.equal(a.status, 202, a.text)
    assert.equal(b.status, 202, b.text)
    const sa = await h.waitForServer(a.body.server.id, (s) => s?.status === 'ACTIVE')
    const sb = await h.waitForServer(b.body.server.id, (s) => s?.status === 'ACTIVE')
    const addrA = Object.entries(sa?.addresses as Record<string, Json[]>)
    const addrB = Object.entries(sb?.addresses as Record<string, Json[]>)
    assert.equal(addrA.length, 1)
    assert.equal(addrB.length, 1)
    assert.notEqual(addrA[0]?.[0], addrB[0]?.[0], 'two projects never share a VLAN network')
    assert.match(String(addrA[0]?.[1][0]?.addr), /^10\.10\.[01]\.3$/)

    const owned = (await h.request('GET', '/v2.1/os-networks', v21)).body.networks as Json[]
    assert.deepEqual(owned.map((n) => n.project_id).sort(), [alice.projectId, bob.projectId].sort())
    const aliceNets = await h.networkRequest('GET', '/v2.0/networks', { token: alice.token })
    assert.deepEqual(
      (aliceNets.body.networks as Json[]).map((n) => n.name),
      [addrA[0]?.[0]],
      'Neutron shows the network as the project’s',
    )

    const none = await boot(carol.token, 'c')
    assert.equal(none.status, 400)
    assert.equal(none.body.badRequest.message, 'No more available networks.')

    const mine = owned.find((n) => n.project_id === alice.projectId)?.id as string
    const del = await h.request('DELETE', `/v2.1/os-networks/${mine}`, v21)
    assert.equal(del.status, 409)
    assert.match(del.body.conflictingRequest.message, /must be disassociated from project/)
    for (const s of [sa, sb]) {
      await h.request('DELETE', `/v2.1/servers/${s?.id as string}`)
      await h.waitForServer(s?.id as string, (_s, status) => status === 404)
    }
    const dis = await h.request('POST', `/v2.1/os-networks/${mine}/action`, {
      ...v21,
      body: { disassociate: null },
    })
    assert.equal(dis.status, 202, dis.text)
    const back = (await h.networkRequest('GET', `/v2.0/networks/${mine}`)).body.network as Json
    assert.notEqual(back.project_id, alice.projectId)
    const add = await h.request('POST', '/v2.1/os-networks/add', { ...v21, body: { id: mine } })
    assert.equal(add.status, 202, add.text)
    const shown = (await h.request('GET', `/v2.1/os-networks/${mine}`, v21)).body.network as Json
    assert.notEqual(shown.project_id, null)
    const host = await h.request('POST', `/v2.1/os-networks/${mine}/action`, {
      ...v21,
      body: { associate_host: 'compute1' },
    })
    assert.equal(host.status, 202)
    assert.equal(
      ((await h.request('GET', `/v2.1/os-networks/${mine}`, v21)).body.network as Json).host,
      'compute1',
    )
    await h.request('POST', `/v2.1/os-networks/${mine}/action`, {
      ...v21,
      body: { disassociate: null },
    })
    assert.equal((await h.request('DELETE', `/v2.1/os-networks/${mine}`, v21)).status, 202)
    assert.equal((await h.networkRequest('GET', `/v2.0/networks/${mine}`)).status, 404)
  })
})
