import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  made,
  portAndIpCounts,
  privateNetwork,
  type Topology,
  tenantTopology,
} from '../support/l3-topology.js'
import { type NetworkHarness, startNetworkHarness } from '../support/network-harness.js'

describe('network: floating IPs', () => {
  let h: NetworkHarness
  let t: Topology
  let token: string
  let routerId: string
  before(async () => {
    h = await startNetworkHarness()
    t = await tenantTopology(h, 'fip-member')
    token = t.member.token
    const router = await made(
      h,
      '/v2.0/routers',
      { router: { name: 'router1', external_gateway_info: { network_id: t.publicNet } } },
      token,
    )
    routerId = String(router.id)
    const res = await h.request('PUT', `/v2.0/routers/${routerId}/add_router_interface`, {
      body: { subnet_id: t.privateSubnet },
      token,
    })
    assert.equal(res.status, 200, res.text)
  })
  after(async () => h.close())

  const vmPort = async (name: string) =>
    String((await made(h, '/v2.0/ports', { port: { network_id: t.privateNet, name } }, token)).id)
  const fips = (body: unknown, as = token) =>
    h.request('POST', '/v2.0/floatingips', { body, token: as })
  const put = (id: string, body: unknown) =>
    h.request('PUT', `/v2.0/floatingips/${id}`, { body: { floatingip: body }, token })

  it('allocates from public and associates with a port on private', async () => {
    const created = await fips({ floatingip: { floating_network_id: t.publicNet } })
    assert.equal(created.status, 201, created.text)
    const fip = created.body.floatingip
    assert.equal(fip.status, 'DOWN')
    assert.equal(fip.router_id, null)
    assert.equal(fip.port_id, null)
    assert.equal(fip.fixed_ip_address, null)
    assert.equal(fip.port_details, null)
    assert.equal(fip.floating_network_id, t.publicNet)
    assert.equal(fip.tenant_id, t.member.projectId)
    assert.equal('subnet_id' in fip, false)
    assert.equal('name' in fip, false)
    assert.match(fip.floating_ip_address, /^172\.24\.1\.(1\d\d|200)$/)
    assert.deepEqual(fip.tags, [])

    const portId = await vmPort('vm1')
    const port = (await h.request('GET', `/v2.0/ports/${portId}`, { token })).body.port
    const assoc = await put(fip.id, { port_id: portId })
    assert.equal(assoc.status, 200, assoc.text)
    const a = assoc.body.floatingip
    assert.equal(a.status, 'ACTIVE')
    assert.equal(a.router_id, routerId)
    assert.equal(a.port_id, portId)
    assert.equal(a.fixed_ip_address, port.fixed_ips[0].ip_address)
    assert.deepEqual(a.port_details, {
      name: 'vm1',
      network_id: t.privateNet,
      mac_address: port.mac_address,
      admin_state_up: true,
      status: port.status,
      device_id: '',
      device_owner: '',
    })
    const byPort = await h.request('GET', `/v2.0/floatingips?port_id=${portId}`, { token })
    assert.deepEqual(
      byPort.body.floatingips.map((f: { id: string }) => f.id),
      [fip.id],
    )
    const shown = await h.request('GET', `/v2.0/floatingips/${String(fip.id)}`, { token })
    assert.deepEqual(shown.body.floatingip, a)

    const inUse = await h.request('PUT', `/v2.0/routers/${routerId}/remove_router_interface`, {
      body: { subnet_id: t.privateSubnet },
      token,
    })
    assert.equal(inUse.status, 409)
    assert.equal(inUse.body.NeutronError.type, 'RouterInterfaceInUseByFloatingIP')
    const gwInUse = await h.request('PUT', `/v2.0/routers/${routerId}`, {
      body: { router: { external_gateway_info: null } },
      token,
    })
    assert.equal(gwInUse.status, 409)
    assert.equal(gwInUse.body.NeutronError.type, 'RouterExternalGatewayInUseByFloatingIp')

    const dis = await put(fip.id, { port_id: null })
    assert.equal(dis.body.floatingip.status, 'DOWN')
    assert.equal(dis.body.floatingip.router_id, null)
    assert.equal(dis.body.floatingip.fixed_ip_address, null)
    const before = await portAndIpCounts(h)
    assert.equal(
      (await h.request('DELETE', `/v2.0/floatingips/${String(fip.id)}`, { token })).status,
      204,
    )
    assert.deepEqual(await portAndIpCounts(h), { ports: before.ports - 1, ips: before.ips - 1 })
  })

  it('refuses what Neutron refuses and leaks no port or address', async () => {
    const portId = await vmPort('vm2')
    const first = await fips({ floatingip: { floating_network_id: t.publicNet, port_id: portId } })
    assert.equal(first.status, 201, first.text)
    assert.equal(first.body.floatingip.status, 'ACTIVE')
    const isolated = await privateNetwork(h, token, 'isolated', '10.60.0.0/24', '10.60.0.1')
    const lonely = String(
      (await made(h, '/v2.0/ports', { port: { network_id: isolated.network } }, token)).id,
    )
    const counted = await portAndIpCounts(h)

    const twice = await fips({ floatingip: { floating_network_id: t.publicNet, port_id: portId } })
    assert.equal(twice.status, 409)
    assert.equal(twice.body.NeutronError.type, 'FloatingIPPortAlreadyAssociated')
    assert.match(
      twice.body.NeutronError.message,
      new RegExp(
        `^Cannot associate floating IP 172\\.24\\.1\\.\\d+ \\(\\S+\\) with port ${portId} using fixed IP 192\\.168\\.0\\.\\d+, as that fixed IP already has a floating IP on external network ${t.publicNet}\\.$`,
      ),
    )
    const privateNet = await fips({ floatingip: { floating_network_id: t.privateNet } })
    assert.equal(privateNet.status, 400)
    assert.deepEqual(
      [privateNet.body.NeutronError.type, privateNet.body.NeutronError.message],
      [
        'BadRequest',
        `Bad floatingip request: Network ${t.privateNet} is not a valid external network.`,
      ],
    )
    const unreachable = await fips({
      floatingip: { floating_network_id: t.publicNet, port_id: lonely },
    })
    assert.equal(unreachable.status, 404)
    assert.equal(unreachable.body.NeutronError.type, 'ExternalGatewayForFloatingIPNotFound')
    assert.equal(
      unreachable.body.NeutronError.message,
      `External network ${t.publicNet} is not reachable from subnet ${isolated.subnet}.  Therefore, cannot associate Port ${lonely} with a Floating IP.`,
    )
    const noPort = await fips({
      floatingip: { floating_network_id: t.publicNet, fixed_ip_address: '192.168.0.5' },
    })
    assert.equal(
      noPort.body.NeutronError.message,
      'Bad floatingip request: fixed_ip_address cannot be specified without a port_id.',
    )
    const address = await fips({
      floatingip: { floating_network_id: t.publicNet, floating_ip_address: '172.24.1.123' },
    })
    assert.equal(address.status, 403)
    assert.equal(address.body.NeutronError.type, 'PolicyNotAuthorized')
    assert.deepEqual(await portAndIpCounts(h), counted)

    // Moving a floating IP to a port that has one already is refused too.
    const spare = await fips({ floatingip: { floating_network_id: t.publicNet } })
    const moved = await put(spare.body.floatingip.id, { port_id: portId })
    assert.equal(moved.status, 409)
    assert.equal(moved.body.NeutronError.type, 'FloatingIPPortAlreadyAssociated')
    const stranger = await h.member('fip-stranger')
    const hidden = await h.request('GET', `/v2.0/floatingips/${String(spare.body.floatingip.id)}`, {
      token: stranger.token,
    })
    assert.equal(hidden.status, 404)
    assert.deepEqual(
      [hidden.body.NeutronError.type, hidden.body.NeutronError.message],
      ['FloatingIPNotFound', `Floating IP ${String(spare.body.floatingip.id)} could not be found`],
    )
    const foreignPort = await fips(
      { floatingip: { floating_network_id: t.publicNet, port_id: portId } },
      stranger.token,
    )
    assert.equal(foreignPort.status, 404)
    assert.equal(foreignPort.body.NeutronError.type, 'PortNotFound')

    const inUse = await h.request('DELETE', `/v2.0/routers/${routerId}`, { token })
    assert.equal(inUse.status, 409)
    assert.equal(inUse.body.NeutronError.type, 'RouterInUse')
  })

  it('lets admins pick the address and needs fixed_ip_address on a port with two', async () => {
    const fip = await fips(
      {
        floatingip: {
          floating_network_id: t.publicNet,
          floating_ip_address: '172.24.1.199',
          project_id: t.member.projectId,
        },
      },
      h.adminToken,
    )
    assert.equal(fip.status, 201, fip.text)
    assert.equal(fip.body.floatingip.floating_ip_address, '172.24.1.199')
    assert.equal(fip.body.floatingip.project_id, t.member.projectId)
    const taken = await fips(
      { floatingip: { floating_network_id: t.publicNet, floating_ip_address: '172.24.1.199' } },
      h.adminToken,
    )
    assert.equal(taken.status, 409)
    const two = await made(
      h,
      '/v2.0/ports',
      {
        port: {
          network_id: t.privateNet,
          fixed_ips: [{ subnet_id: t.privateSubnet }, { subnet_id: t.privateSubnet }],
        },
      },
      token,
    )
    const ips = two.fixed_ips as { ip_address: string }[]
    const ambiguous = await put(fip.body.floatingip.id, { port_id: two.id })
    assert.equal(ambiguous.status, 400)
    assert.equal(
      ambiguous.body.NeutronError.message,
      `Bad floatingip request: Port ${String(two.id)} has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP.`,
    )
    const wanted = ips[1]?.ip_address
    const chosen = await put(fip.body.floatingip.id, { port_id: two.id, fixed_ip_address: wanted })
    assert.equal(chosen.status, 200, chosen.text)
    assert.equal(chosen.body.floatingip.fixed_ip_address, wanted)
    const described = await put(fip.body.floatingip.id, { description: 'web' })
    assert.equal(described.body.floatingip.port_id, two.id, 'a description keeps the association')
    assert.equal(described.body.floatingip.description, 'web')
  })

  it('lets go of a port that is deleted', async () => {
    const portId = await vmPort('vm3')
    const fip = await fips({ floatingip: { floating_network_id: t.publicNet, port_id: portId } })
    assert.equal(fip.status, 201, fip.text)
    assert.equal((await h.request('DELETE', `/v2.0/ports/${portId}`, { token })).status, 204)
    const shown = await h.request('GET', `/v2.0/floatingips/${String(fip.body.floatingip.id)}`, {
      token,
    })
    assert.equal(shown.body.floatingip.port_id, null)
    assert.equal(shown.body.floatingip.fixed_ip_address, null)
    assert.equal(shown.body.floatingip.router_id, null)
    assert.equal(shown.body.floatingip.status, 'DOWN')
  })
})
