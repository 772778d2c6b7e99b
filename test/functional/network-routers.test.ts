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

describe('network: routers', () => {
  let h: NetworkHarness
  let t: Topology
  let token: string
  before(async () => {
    h = await startNetworkHarness()
    t = await tenantTopology(h, 'router-member')
    token = t.member.token
  })
  after(async () => h.close())

  const put = (path: string, body: unknown, as = token) =>
    h.request('PUT', path, { body, token: as })
  const error = (res: { body: { NeutronError: { type: string; message: string } } }) => [
    res.body.NeutronError.type,
    res.body.NeutronError.message,
  ]

  it('builds the tenant setup: interface on private, gateway on public', async () => {
    const router = await made(h, '/v2.0/routers', { router: { name: 'router1' } }, token)
    assert.equal(router.status, 'ACTIVE')
    assert.equal(router.admin_state_up, true)
    assert.equal(router.external_gateway_info, null)
    assert.deepEqual(router.routes, [])
    assert.deepEqual(router.availability_zone_hints, [])
    assert.deepEqual(router.availability_zones, ['nova'])
    assert.equal(router.tenant_id, t.member.projectId)
    assert.equal(router.project_id, t.member.projectId)
    assert.equal('distributed' in router, false, 'admin-only attributes are hidden')
    const id = String(router.id)
    const asAdmin = await h.request('GET', `/v2.0/routers/${id}`)
    assert.equal(asAdmin.body.router.distributed, false)
    assert.equal(asAdmin.body.router.ha, false)

    const added = await put(`/v2.0/routers/${id}/add_router_interface`, {
      subnet_id: t.privateSubnet,
    })
    assert.equal(added.status, 200, added.text)
    assert.deepEqual(Object.keys(added.body).sort(), [
      'id',
      'network_id',
      'port_id',
      'project_id',
      'subnet_id',
      'subnet_ids',
      'tenant_id',
    ])
    assert.equal(added.body.id, id)
    assert.equal(added.body.subnet_id, t.privateSubnet)
    assert.deepEqual(added.body.subnet_ids, [t.privateSubnet])
    assert.equal(added.body.network_id, t.privateNet)
    assert.equal(added.body.tenant_id, t.member.projectId)
    const port = (await h.request('GET', `/v2.0/ports/${added.body.port_id}`, { token })).body.port
    assert.equal(port.device_owner, 'network:router_interface')
    assert.equal(port.device_id, id)
    assert.deepEqual(port.fixed_ips, [{ subnet_id: t.privateSubnet, ip_address: '192.168.0.1' }])

    const gw = await put(`/v2.0/routers/${id}`, {
      router: { external_gateway_info: { network_id: t.publicNet } },
    })
    assert.equal(gw.status, 200, gw.text)
    const info = gw.body.router.external_gateway_info
    assert.equal(info.network_id, t.publicNet)
    assert.equal(info.enable_snat, true)
    assert.equal(info.external_fixed_ips.length, 1)
    assert.equal(info.external_fixed_ips[0].subnet_id, t.publicSubnet)
    assert.match(info.external_fixed_ips[0].ip_address, /^172\.24\.1\.(1\d\d|200)$/)
    const shown = await h.request('GET', `/v2.0/routers/${id}`, { token })
    assert.deepEqual(shown.body.router, gw.body.router, 'GET after PUT shows the same router')
    const gwPorts = await h.request(
      'GET',
      `/v2.0/ports?device_id=${id}&device_owner=network:router_gateway&network_id=${t.publicNet}`,
    )
    assert.equal(gwPorts.body.ports.length, 1)
    assert.equal(gwPorts.body.ports[0].project_id, '')
  })

  it('refuses bad interfaces and gateways, leaving nothing behind', async () => {
    const router = await made(h, '/v2.0/routers', { router: { name: 'r2' } }, token)
    const id = String(router.id)
    const net = await privateNetwork(h, token, 'refused', '10.50.0.0/24', '10.50.0.1')
    const first = await put(`/v2.0/routers/${id}/add_router_interface`, { subnet_id: net.subnet })
    assert.equal(first.status, 200, first.text)
    const again = await put(`/v2.0/routers/${id}/add_router_interface`, { subnet_id: net.subnet })
    assert.equal(again.status, 400)
    assert.deepEqual(error(again), [
      'BadRequest',
      `Bad router request: Router already has a port on subnet ${net.subnet}.`,
    ])
    const overlap = await privateNetwork(h, token, 'overlap', '10.50.0.0/25', '10.50.0.126')
    const counted = await portAndIpCounts(h)
    const clash = await put(`/v2.0/routers/${id}/add_router_interface`, {
      subnet_id: overlap.subnet,
    })
    assert.equal(clash.status, 400)
    assert.equal(
      clash.body.NeutronError.message,
      `Bad router request: Cidr 10.50.0.0/25 of subnet ${overlap.subnet} overlaps with cidr 10.50.0.0/24 of subnet ${net.subnet}.`,
    )
    const cases: [unknown, number, string][] = [
      [{}, 400, 'Bad router request: Either subnet_id or port_id must be specified.'],
      [
        { subnet_id: net.subnet, port_id: net.subnet },
        400,
        'Bad router request: Cannot specify both subnet-id and port-id.',
      ],
      [{ subnet_id: 'nope' }, 400, "Bad router request: 'nope' is not a valid UUID."],
    ]
    for (const [body, status, message] of cases) {
      const res = await put(`/v2.0/routers/${id}/add_router_interface`, body)
      assert.equal(res.status, status, JSON.stringify(body))
      assert.equal(res.body.NeutronError.message, message)
    }
    const notExternal = await put(`/v2.0/routers/${id}`, {
      router: { external_gateway_info: { network_id: t.privateNet } },
    })
    assert.equal(notExternal.status, 400)
    assert.deepEqual(error(notExternal), [
      'BadRequest',
      `Bad router request: Network ${t.privateNet} is not an external network.`,
    ])
    const unknown = await put(`/v2.0/routers/${id}`, {
      router: { external_gateway_info: { network_id: '6b2a3a4e-1111-4222-8333-944455556666' } },
    })
    assert.equal(unknown.status, 404)
    assert.equal(unknown.body.NeutronError.type, 'NetworkNotFound')
    const snat = await put(`/v2.0/routers/${id}`, {
      router: { external_gateway_info: { network_id: t.publicNet, enable_snat: false } },
    })
    assert.equal(snat.status, 403)
    assert.deepEqual(error(snat), [
      'PolicyNotAuthorized',
      '(rule:update_router:external_gateway_info:enable_snat) is disallowed by policy',
    ])
    const badInfo = await put(`/v2.0/routers/${id}`, {
      router: { external_gateway_info: { net: 'x' } },
    })
    assert.equal(badInfo.status, 400)
    assert.equal(
      badInfo.body.NeutronError.message,
      "Invalid input for external_gateway_info. Reason: Validation of dictionary's keys failed. Expected keys: {'network_id'} Provided keys: {'net'}.",
    )
    assert.deepEqual(await portAndIpCounts(h), counted)
    const shown = await h.request('GET', `/v2.0/routers/${id}`, { token })
    assert.equal(shown.body.router.external_gateway_info, null)

    const inUse = await h.request('DELETE', `/v2.0/routers/${id}`, { token })
    assert.equal(inUse.status, 409)
    assert.equal(inUse.body.NeutronError.type, 'RouterInUse')
    assert.match(inUse.body.NeutronError.message, /^Router \S+ has ports still attached: \S+$/)
    const subnetInUse = await h.request('DELETE', `/v2.0/subnets/${net.subnet}`, { token })
    assert.equal(subnetInUse.status, 409, 'a subnet with a router interface stays')
    const netInUse = await h.request('DELETE', `/v2.0/networks/${net.network}`, { token })
    assert.equal(netInUse.status, 409, 'a network with a router interface stays')

    const removed = await put(`/v2.0/routers/${id}/remove_router_interface`, {
      subnet_id: net.subnet,
    })
    assert.equal(removed.status, 200, removed.text)
    assert.equal(removed.body.subnet_id, net.subnet)
    const missing = await put(`/v2.0/routers/${id}/remove_router_interface`, {
      subnet_id: net.subnet,
    })
    assert.equal(missing.status, 404)
    assert.deepEqual(error(missing), [
      'RouterInterfaceNotFoundForSubnet',
      `Router ${id} has no interface on subnet ${net.subnet}`,
    ])
    assert.equal((await h.request('DELETE', `/v2.0/routers/${id}`, { token })).status, 204)
    const gone = await h.request('GET', `/v2.0/routers/${id}`, { token })
    assert.deepEqual(error(gone), ['RouterNotFound', `Router ${id} could not be found`])
    assert.deepEqual(await portAndIpCounts(h), {
      ports: counted.ports - 1,
      ips: counted.ips - 1,
    })
  })

  it('attaches and detaches a port the caller brings', async () => {
    const router = await made(h, '/v2.0/routers', { router: { name: 'r3' } }, token)
    const id = String(router.id)
    const net = await privateNetwork(h, token, 'byport', '10.10.0.0/24', '10.10.0.1')
    const port = await made(h, '/v2.0/ports', { port: { network_id: net.network } }, token)
    const added = await put(`/v2.0/routers/${id}/add_router_interface`, { port_id: port.id })
    assert.equal(added.status, 200, added.text)
    assert.equal(added.body.port_id, port.id)
    assert.deepEqual(added.body.subnet_ids, [net.subnet])
    const shown = (await h.request('GET', `/v2.0/ports/${String(port.id)}`, { token })).body.port
    assert.equal(shown.device_owner, 'network:router_interface')
    assert.equal(shown.device_id, id)
    const other = await made(h, '/v2.0/routers', { router: { name: 'r3b' } }, token)
    const busy = await put(`/v2.0/routers/${String(other.id)}/add_router_interface`, {
      port_id: port.id,
    })
    assert.equal(busy.status, 409)
    assert.equal(busy.body.NeutronError.type, 'PortInUse')
    const notMine = await put(`/v2.0/routers/${String(other.id)}/remove_router_interface`, {
      port_id: port.id,
    })
    assert.equal(notMine.status, 404)
    assert.deepEqual(error(notMine), [
      'RouterInterfaceNotFound',
      `Router ${String(other.id)} does not have an interface with id ${String(port.id)}`,
    ])
    const removed = await put(`/v2.0/routers/${id}/remove_router_interface`, { port_id: port.id })
    assert.equal(removed.status, 200, removed.text)
    assert.equal((await h.request('GET', `/v2.0/ports/${String(port.id)}`, { token })).status, 404)
  })

  it('keeps extra routes whose nexthop is on a connected subnet', async () => {
    const router = await made(h, '/v2.0/routers', { router: { name: 'r4' } }, token)
    const id = String(router.id)
    const net = await privateNetwork(h, token, 'routed', '10.20.0.0/24', '10.20.0.1')
    await put(`/v2.0/routers/${id}/add_router_interface`, { subnet_id: net.subnet })
    const routes = [{ destination: '10.99.0.0/16', nexthop: '10.20.0.10' }]
    const set = await put(`/v2.0/routers/${id}`, { router: { routes } })
    assert.equal(set.status, 200, set.text)
    assert.deepEqual(set.body.router.routes, routes)
    const far = await put(`/v2.0/routers/${id}`, {
      router: { routes: [{ destination: '10.98.0.0/16', nexthop: '10.30.0.5' }] },
    })
    assert.equal(far.status, 400)
    assert.deepEqual(error(far), [
      'InvalidRoutes',
      "Invalid format for routes: [{'destination': '10.98.0.0/16', 'nexthop': '10.30.0.5'}], the nexthop is not connected with router",
    ])
    const own = await put(`/v2.0/routers/${id}`, {
      router: { routes: [{ destination: '10.98.0.0/16', nexthop: '10.20.0.1' }] },
    })
    assert.match(own.body.NeutronError.message, /the nexthop is used by router$/)
    const hostBits = await put(`/v2.0/routers/${id}`, {
      router: { routes: [{ destination: '10.98.0.1/16', nexthop: '10.20.0.5' }] },
    })
    assert.equal(
      hostBits.body.NeutronError.message,
      "Invalid input for routes. Reason: '10.98.0.1/16' is not a recognized CIDR, '10.98.0.0/16' is recommended.",
    )
    const onPost = await h.request('POST', '/v2.0/routers', {
      body: { router: { routes } },
      token,
    })
    assert.equal(onPost.body.NeutronError.message, "Attribute 'routes' not allowed in POST")
    const needed = await put(`/v2.0/routers/${id}/remove_router_interface`, {
      subnet_id: net.subnet,
    })
    assert.equal(needed.status, 409)
    assert.equal(needed.body.NeutronError.type, 'RouterInterfaceInUseByRoute')

    const extra = { destination: '10.97.0.0/16', nexthop: '10.20.0.11' }
    const added = await put(`/v2.0/routers/${id}/add_extraroutes`, { router: { routes: [extra] } })
    assert.equal(added.status, 200, added.text)
    assert.deepEqual(added.body.router.routes, [extra, ...routes])
    const trimmed = await put(`/v2.0/routers/${id}/remove_extraroutes`, {
      router: { routes },
    })
    assert.deepEqual(trimmed.body.router.routes, [extra])
    const cleared = await put(`/v2.0/routers/${id}`, { router: { routes: null } })
    assert.deepEqual(cleared.body.router.routes, [])
    assert.equal(
      (await put(`/v2.0/routers/${id}/remove_router_interface`, { subnet_id: net.subnet })).status,
      200,
    )
  })

  it('lets admins choose SNAT and the gateway address, then unsets it', async () => {
    const router = await made(h, '/v2.0/routers', {
      router: {
        name: 'admin-router',
        external_gateway_info: {
          network_id: t.publicNet,
          enable_snat: false,
          external_fixed_ips: [{ ip_address: '172.24.1.150' }],
        },
      },
    })
    const info = router.external_gateway_info as Record<string, unknown>
    assert.equal(info.enable_snat, false)
    assert.deepEqual(info.external_fixed_ips, [
      { subnet_id: t.publicSubnet, ip_address: '172.24.1.150' },
    ])
    const id = String(router.id)
    const gatewayIp = await put(
      `/v2.0/routers/${id}`,
      {
        router: {
          external_gateway_info: {
            network_id: t.publicNet,
            external_fixed_ips: [{ ip_address: '172.24.1.1' }],
          },
        },
      },
      h.adminToken,
    )
    assert.equal(gatewayIp.status, 400)
    assert.equal(
      gatewayIp.body.NeutronError.message,
      'Bad router request: External IP 172.24.1.1 is the same as the gateway IP.',
    )
    const moved = await put(
      `/v2.0/routers/${id}`,
      {
        router: {
          external_gateway_info: {
            network_id: t.publicNet,
            external_fixed_ips: [{ ip_address: '172.24.1.151' }],
          },
        },
      },
      h.adminToken,
    )
    assert.equal(moved.status, 200, moved.text)
    assert.equal(
      moved.body.router.external_gateway_info.external_fixed_ips[0].ip_address,
      '172.24.1.151',
    )
    assert.equal(moved.body.router.external_gateway_info.enable_snat, true)
    const before = await portAndIpCounts(h)
    const unset = await put(
      `/v2.0/routers/${id}`,
      { router: { external_gateway_info: {} } },
      h.adminToken,
    )
    assert.equal(unset.status, 200, unset.text)
    assert.equal(unset.body.router.external_gateway_info, null)
    assert.deepEqual(await portAndIpCounts(h), { ports: before.ports - 1, ips: before.ips - 1 })
    assert.equal((await h.request('DELETE', `/v2.0/routers/${id}`)).status, 204)
  })

  it('advertises the L3 extensions', async () => {
    const res = await h.request('GET', '/v2.0/extensions', { token })
    const aliases = res.body.extensions.map((e: { alias: string }) => e.alias)
    for (const alias of [
      'router',
      'ext-gw-mode',
      'extraroute',
      'extraroute-atomic',
      'router_availability_zone',
      'fip-port-details',
    ])
      assert.ok(aliases.includes(alias), alias)
    const router = await h.request('GET', '/v2.0/extensions/router', { token })
    assert.equal(router.body.extension.name, 'Neutron L3 Router')
  })

  it('hides routers of other projects, counts the router quota and takes tags', async () => {
    const router = await made(h, '/v2.0/routers', { router: { name: 'mine' } }, token)
    const id = String(router.id)
    const stranger = await h.member('router-stranger')
    const hidden = await h.request('GET', `/v2.0/routers/${id}`, { token: stranger.token })
    assert.equal(hidden.status, 404)
    assert.equal(hidden.body.NeutronError.type, 'RouterNotFound')
    const list = await h.request('GET', '/v2.0/routers', { token: stranger.token })
    assert.deepEqual(list.body.routers, [])
    const distributed = await h.request('POST', '/v2.0/routers', {
      body: { router: { distributed: true } },
      token: stranger.token,
    })
    assert.equal(distributed.status, 403)
    assert.equal((await h.request('PUT', `/v2.0/routers/${id}/tags/red`, { token })).status, 201)
    const tagged = await h.request('GET', '/v2.0/routers?tags=red', { token })
    assert.deepEqual(
      tagged.body.routers.map((r: { id: string }) => r.id),
      [id],
    )
    await h.service.deps.db
      .insertInto('quota')
      .values({ project_id: stranger.projectId, resource: 'router', limit: 1 })
      .execute()
    await made(h, '/v2.0/routers', { router: { name: 'one' } }, stranger.token)
    const over = await h.request('POST', '/v2.0/routers', {
      body: { router: { name: 'two' } },
      token: stranger.token,
    })
    assert.equal(over.status, 409)
    assert.equal(over.body.NeutronError.type, 'OverQuota')
  })
})
