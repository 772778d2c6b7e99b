/**
 * nova-network's FlatDHCP manager: networks made as `nova-manage network create` does, shown by
 * os-networks with nova-network's fields and by Neutron as a flat provider network; the first
 * instance on a /24 gets .2; os-fixed-ips and os-floating-ips-bulk; floating IPs associated
 * without a router, as nova-network's hosts NAT them.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { eventually } from '../support/poll.js'

type Json = Record<string, any>

describe('network: legacy flat_dhcp manager', () => {
  let h: ComputeHarness
  let image: string
  before(async () => {
    h = await startComputeHarness({ network: { manager: 'flat_dhcp' } })
    image = await h.createImage()
  })
  after(async () => h.close())

  const v21 = { microversion: '2.1' }

  it('creates a network as nova-manage does and shows it both ways', async () => {
    const bad = await h.request('POST', '/v2.1/os-networks', {
      ...v21,
      body: { network: { label: 'x', cidr: '10.0.0.0/33' } },
    })
    assert.equal(bad.status, 400)
    assert.match(bad.body.badRequest.message, /not a valid IP network/)
    const res = await h.request('POST', '/v2.1/os-networks', {
      ...v21,
      body: { network: { label: 'private', cidr: '10.0.0.0/24' } },
    })
    assert.equal(res.status, 200, res.text)
    const net = res.body.network as Json
    assert.equal(net.label, 'private')
    assert.equal(net.cidr, '10.0.0.0/24')
    assert.equal(net.gateway, '10.0.0.1')
    assert.equal(net.dhcp_start, '10.0.0.2')
    assert.equal(net.dhcp_server, '10.0.0.1')
    assert.equal(net.broadcast, '10.0.0.255')
    assert.equal(net.netmask, '255.255.255.0')
    assert.equal(net.bridge, 'br100')
    assert.equal(net.dns1, '8.8.4.4')
    assert.equal(net.multi_host, false)
    assert.equal(net.vlan, null)
    assert.equal(net.deleted, false)

    const neutron = await h.networkRequest('GET', `/v2.0/networks/${net.id as string}`)
    assert.equal(neutron.status, 200)
    assert.equal(neutron.body.network['provider:network_type'], 'flat')
    assert.equal(neutron.body.network['provider:physical_network'], 'br100')
    assert.equal(neutron.body.network.shared, true)
    const subnets = await h.networkRequest('GET', `/v2.0/subnets?network_id=${net.id as string}`)
    const [subnet] = subnets.body.subnets as Json[]
    assert.equal(subnet?.gateway_ip, '10.0.0.1')
    assert.deepEqual(subnet.allocation_pools, [{ start: '10.0.0.2', end: '10.0.0.254' }])
    assert.equal(subnet.enable_dhcp, true)

    // The same range again conflicts; the failed create leaves nothing behind.
    const before = (await h.networkRequest('GET', '/v2.0/networks')).body.networks.length
    const again = await h.request('POST', '/v2.1/os-networks', {
      ...v21,
      body: { network: { label: 'again', cidr: '10.0.0.0/24' } },
    })
    assert.equal(again.status, 400)
    assert.match(again.body.badRequest.message, /conflicts with existing cidr/)
    assert.equal((await h.networkRequest('GET', '/v2.0/networks')).body.networks.length, before)

    const member = await h.member('flat-user')
    const list = await h.request('GET', '/v2.1/os-networks', { ...v21, token: member.token })
    const shown = (list.body.networks as Json[]).find((n) => n.id === net.id)
    assert.equal(shown?.cidr, '10.0.0.0/24')
    assert.equal(shown.bridge, undefined, 'admin fields stay hidden from members')
    assert.equal(
      (await h.request('GET', '/v2.1/os-networks', { microversion: '2.36' })).status,
      404,
    )
  })

  it('gives the first instance .2 and shows it through os-fixed-ips', async () => {
    const res = await h.request('POST', '/v2.1/servers', {
      ...v21,
      body: { server: { name: 'first', imageRef: image, flavorRef: '1' } },
    })
    assert.equal(res.status, 202, res.text)
    const id = res.body.server.id as string
    const server = await h.waitForServer(id, (s) => s?.status === 'ACTIVE')
    const addresses = server?.addresses as Record<string, Json[]>
    assert.equal(addresses.private?.[0]?.addr, '10.0.0.2')

    const fixed = await h.request('GET', '/v2.1/os-fixed-ips/10.0.0.2', { microversion: '2.4' })
    assert.equal(fixed.status, 200, fixed.text)
    assert.deepEqual(fixed.body.fixed_ip, {
      address: '10.0.0.2',
      cidr: '10.0.0.0/24',
      hostname: 'first',
      host: server?.['OS-EXT-SRV-ATTR:host'],
      reserved: false,
    })
    assert.equal((await h.request('GET', '/v2.1/os-fixed-ips/10.9.9.9', v21)).status, 404)
    assert.equal((await h.request('GET', '/v2.1/os-fixed-ips/nonsense', v21)).status, 400)

    // Reserving .3 keeps it from the next instance, which gets .4; unreserving gives it back.
    const reserve = await h.request('POST', '/v2.1/os-fixed-ips/10.0.0.3/action', {
      ...v21,
      body: { reserve: null },
    })
    assert.equal(reserve.status, 202)
    const gw = await h.request('GET', '/v2.1/os-fixed-ips/10.0.0.1', { microversion: '2.4' })
    assert.equal(gw.body.fixed_ip.reserved, true, 'the gateway is reserved')
    const second = await h.request('POST', '/v2.1/servers', {
      ...v21,
      body: { server: { name: 'second', imageRef: image, flavorRef: '1' } },
    })
    const secondId = second.body.server.id as string
    const s2 = await h.waitForServer(secondId, (s) => s?.status === 'ACTIVE')
    assert.equal((s2?.addresses as Record<string, Json[]>).private?.[0]?.addr, '10.0.0.4')
    await h.request('POST', '/v2.1/os-fixed-ips/10.0.0.3/action', {
      ...v21,
      body: { unreserve: null },
    })
    const three = await h.request('GET', '/v2.1/os-fixed-ips/10.0.0.3', { microversion: '2.4' })
    assert.equal(three.body.fixed_ip.reserved, false)

    // A network instances use cannot go.
    const nets = await h.request('GET', '/v2.1/os-networks', v21)
    const netId = (nets.body.networks as Json[])[0]?.id as string
    const del = await h.request('DELETE', `/v2.1/os-networks/${netId}`, v21)
    assert.equal(del.status, 409)
    for (const sid of [id, secondId]) {
      await h.request('DELETE', `/v2.1/servers/${sid}`)
      await h.waitForServer(sid, (_s, status) => status === 404)
    }
  })

  it('bulk-creates floating IPs and associates them without a router', async () => {
    const bad = await h.request('POST', '/v2.1/os-floating-ips-bulk', {
      ...v21,
      body: { floating_ips_bulk_create: { ip_range: '172.24.4.0/31' } },
    })
    assert.equal(bad.status, 400)
    const made = await h.request('POST', '/v2.1/os-floating-ips-bulk', {
      ...v21,
      body: { floating_ips_bulk_create: { ip_range: '172.24.4.0/29' } },
    })
    assert.equal(made.status, 200, made.text)
    assert.deepEqual(made.body.floating_ips_bulk_create, {
      ip_range: '172.24.4.0/29',
      pool: 'nova',
      interface: 'eth0',
    })
    const dup = await h.request('POST', '/v2.1/os-floating-ips-bulk', {
      ...v21,
      body: { floating_ips_bulk_create: { ip_range: '172.24.4.3' } },
    })
    assert.equal(dup.status, 409)
    const listed = await h.request('GET', '/v2.1/os-floating-ips-bulk', v21)
    assert.deepEqual(
      (listed.body.floating_ip_info as Json[]).map((f) => f.address),
      ['172.24.4.1', '172.24.4.2', '172.24.4.3', '172.24.4.4', '172.24.4.5', '172.24.4.6'],
    )
    const pools = await h.request('GET', '/v2.1/os-floating-ip-pools', v21)
    assert.deepEqual(pools.body.floating_ip_pools, [{ name: 'nova' }])

    const boot = await h.request('POST', '/v2.1/servers', {
      ...v21,
      body: { server: { name: 'web', imageRef: image, flavorRef: '1' } },
    })
    assert.equal(boot.status, 202, boot.text)
    const id = boot.body.server.id as string
    const server = await h.waitForServer(id, (s) => s?.status === 'ACTIVE')
    const fip = await h.request('POST', '/v2.1/os-floating-ips', { ...v21, body: { pool: 'nova' } })
    assert.equal(fip.status, 200, fip.text)
    const address = fip.body.floating_ip.ip as string
    assert.equal(address, '172.24.4.1')
    const add = await h.request('POST', `/v2.1/servers/${id}/action`, {
      ...v21,
      body: { addFloatingIp: { address } },
    })
    assert.equal(add.status, 202, add.text)
    await eventually(
      async () => (await h.request('GET', `/v2.1/servers/${id}`, v21)).body.server.addresses,
      (a: Record<string, Json[]>) => (a.private ?? []).some((x) => x.addr === address),
      'floating address shown',
    )
    const held = (await h.request('GET', '/v2.1/os-floating-ips-bulk', v21)).body
      .floating_ip_info as Json[]
    const row = held.find((f) => f.address === address)
    assert.equal(row?.instance_uuid, id)
    assert.equal(row.fixed_ip, (server?.addresses as Record<string, Json[]>).private?.[0]?.addr)
    const byHost = await h.request(
      'GET',
      `/v2.1/os-floating-ips-bulk/${server?.['OS-EXT-SRV-ATTR:host'] as string}`,
      v21,
    )
    assert.deepEqual(
      (byHost.body.floating_ip_info as Json[]).map((f) => f.address),
      [address],
    )
    assert.equal((await h.request('GET', '/v2.1/os-floating-ips-bulk/nohost', v21)).status, 404)

    const del = await h.request('PUT', '/v2.1/os-floating-ips-bulk/delete', {
      ...v21,
      body: { ip_range: '172.24.4.0/29' },
    })
    assert.equal(del.status, 200, del.text)
    assert.deepEqual(del.body, { floating_ips_bulk_delete: '172.24.4.0/29' })
    assert.deepEqual((await h.request('GET', '/v2.1/os-floating-ips-bulk', v21)).body, {
      floating_ip_info: [],
    })
    await h.request('DELETE', `/v2.1/servers/${id}`)
    await h.waitForServer(id, (_s, status) => status === 404)
  })

  it('gives each host of a multi_host network an address of its own, after the instance', async () => {
    const res = await h.request('POST', '/v2.1/os-networks', {
      ...v21,
      body: {
        network: { label: 'mh', cidr: '10.1.0.0/24', multi_host: true, bridge: 'br101' },
      },
    })
    assert.equal(res.status, 200, res.text)
    const net = res.body.network as Json
    assert.equal(net.multi_host, true)
    const bootOn = async (host: string) => {
      const made = await h.request('POST', '/v2.1/servers', {
        ...v21,
        body: {
          server: {
            name: `mh-${host}`,
            imageRef: image,
            flavorRef: '1',
            availability_zone: `nova:${host}`,
            networks: [{ uuid: net.id }],
          },
        },
      })
      assert.equal(made.status, 202, made.text)
      const s = await h.waitForServer(made.body.server.id, (v) => v?.status === 'ACTIVE')
      return { id: String(s?.id), addr: (s?.addresses as Record<string, Json[]>).mh?.[0]?.addr }
    }
    const hostPorts = async () =>
      (
        (
          await h.networkRequest(
            'GET',
            `/v2.0/ports?network_id=${net.id as string}&device_owner=network:dhcp`,
          )
        ).body.ports as Json[]
      )
        .map((p) => [p['binding:host_id'], p.fixed_ips[0].ip_address])
        .sort()
    const one = await bootOn('compute1')
    assert.equal(one.addr, '10.1.0.2', 'the instance first, as nova-network allocated')
    assert.deepEqual(await hostPorts(), [['compute1', '10.1.0.3']])
    const two = await bootOn('compute1')
    assert.equal(two.addr, '10.1.0.4')
    const three = await bootOn('compute2')
    assert.equal(three.addr, '10.1.0.5')
    assert.deepEqual(await hostPorts(), [
      ['compute1', '10.1.0.3'],
      ['compute2', '10.1.0.6'],
    ])
    for (const s of [one, two, three]) {
      await h.request('DELETE', `/v2.1/servers/${s.id}`)
      await h.waitForServer(s.id, (_s, status) => status === 404)
    }
    // The hosts' addresses go with the network.
    assert.equal(
      (await h.request('DELETE', `/v2.1/os-networks/${net.id as string}`, v21)).status,
      202,
    )
    assert.equal(
      (await h.networkRequest('GET', `/v2.0/ports?network_id=${net.id as string}`)).body.ports
        .length,
      0,
    )
  })
})
