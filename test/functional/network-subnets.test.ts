import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type NetworkHarness, startNetworkHarness } from '../support/network-harness.js'

describe('network: subnets', () => {
  let h: NetworkHarness
  let net: any
  const post = (body: unknown, token?: string) =>
    h.request('POST', '/v2.0/subnets', { body, ...(token === undefined ? {} : { token }) })
  const network = async (body: Record<string, unknown> = {}, token?: string) =>
    (
      await h.request('POST', '/v2.0/networks', {
        body: { network: { name: 'n', ...body } },
        ...(token === undefined ? {} : { token }),
      })
    ).body.network

  before(async () => {
    h = await startNetworkHarness({ network: { quota_subnet: '-1', quota_network: '-1' } })
    net = await network({ name: 'private' })
  })
  after(async () => h.close())

  it('creates a subnet as Neutron does: normalised CIDR, first host gateway, pools around it', async () => {
    const res = await post({
      subnet: { network_id: net.id, ip_version: 4, cidr: '10.0.0.5/24', name: 's1' },
    })
    assert.equal(res.status, 201, res.text)
    const s = res.body.subnet
    assert.equal(s.cidr, '10.0.0.0/24')
    assert.equal(s.gateway_ip, '10.0.0.1')
    assert.deepEqual(s.allocation_pools, [{ start: '10.0.0.2', end: '10.0.0.254' }])
    assert.equal(s.enable_dhcp, true)
    assert.deepEqual(s.dns_nameservers, [])
    assert.deepEqual(s.host_routes, [])
    assert.deepEqual(s.service_types, [])
    assert.equal(s.ipv6_ra_mode, null)
    assert.equal(s.ipv6_address_mode, null)
    assert.equal(s.subnetpool_id, null)
    assert.equal(s.segment_id, null)
    assert.equal(s.revision_number, 0)
    assert.equal(s.tenant_id, s.project_id)
    assert.match(s.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.deepEqual((await h.request('GET', `/v2.0/subnets/${s.id}`)).body.subnet, s)
    const shown = (await h.request('GET', `/v2.0/networks/${net.id}`)).body.network
    assert.deepEqual(shown.subnets, [s.id])
    assert.equal(shown.revision_number, 2)
  })

  it('takes no gateway, given pools, ordered DNS servers and host routes', async () => {
    const n = await network()
    const res = await post({
      subnet: {
        network_id: n.id,
        ip_version: 4,
        cidr: '192.168.10.0/24',
        gateway_ip: null,
        allocation_pools: [
          { start: '192.168.10.100', end: '192.168.10.120' },
          { start: '192.168.10.10', end: '192.168.10.20' },
        ],
        dns_nameservers: ['8.8.8.8', '1.1.1.1'],
        host_routes: [{ destination: '172.16.0.0/16', nexthop: '192.168.10.254' }],
        enable_dhcp: false,
      },
    })
    assert.equal(res.status, 201, res.text)
    const s = res.body.subnet
    assert.equal(s.gateway_ip, null)
    assert.deepEqual(s.allocation_pools, [
      { start: '192.168.10.10', end: '192.168.10.20' },
      { start: '192.168.10.100', end: '192.168.10.120' },
    ])
    assert.deepEqual(s.dns_nameservers, ['8.8.8.8', '1.1.1.1'])
    assert.deepEqual(s.host_routes, [{ destination: '172.16.0.0/16', nexthop: '192.168.10.254' }])
    assert.equal(s.enable_dhcp, false)
    const open = await post({
      subnet: {
        network_id: (await network()).id,
        ip_version: 4,
        cidr: '10.9.0.0/24',
        gateway_ip: null,
      },
    })
    assert.deepEqual(open.body.subnet.allocation_pools, [{ start: '10.9.0.1', end: '10.9.0.254' }])
  })

  it('creates IPv6 subnets with the subnet-router gateway and checks SLAAC prefixes', async () => {
    const n = await network()
    const res = await post({ subnet: { network_id: n.id, ip_version: 6, cidr: '2001:DB8::/64' } })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.subnet.cidr, '2001:db8::/64')
    assert.equal(res.body.subnet.gateway_ip, '2001:db8::')
    assert.deepEqual(res.body.subnet.allocation_pools, [
      { start: '2001:db8::1', end: '2001:db8::ffff:ffff:ffff:ffff' },
    ])
    const slaac = await post({
      subnet: {
        network_id: n.id,
        ip_version: 6,
        cidr: '2001:db9::/80',
        ipv6_ra_mode: 'slaac',
        ipv6_address_mode: 'slaac',
      },
    })
    assert.equal(slaac.status, 400)
    assert.equal(
      slaac.body.NeutronError.message,
      'Invalid input for operation: Invalid CIDR 2001:db9::/80 for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64.',
    )
    const mixed = await post({
      subnet: {
        network_id: n.id,
        ip_version: 6,
        cidr: '2001:dba::/64',
        ipv6_ra_mode: 'slaac',
        ipv6_address_mode: 'dhcpv6-stateful',
      },
    })
    assert.equal(mixed.status, 400)
  })

  it('refuses bad subnets with Neutron types and messages, creating nothing', async () => {
    const n = await network()
    const base = { network_id: n.id, ip_version: 4, cidr: '10.1.0.0/24' }
    const cases: [Record<string, unknown>, number, string, string][] = [
      [
        { allocation_pools: [{ start: '10.1.0.20', end: '10.1.0.10' }] },
        400,
        'InvalidAllocationPool',
        "The allocation pool {'start': '10.1.0.20', 'end': '10.1.0.10'} is not valid.",
      ],
      [
        { allocation_pools: [{ start: '10.1.0.200', end: '10.1.1.10' }] },
        400,
        'OutOfBoundsAllocationPool',
        'The allocation pool 10.1.0.200-10.1.1.10 spans beyond the subnet cidr 10.1.0.0/24.',
      ],
      [
        {
          allocation_pools: [
            { start: '10.1.0.2', end: '10.1.0.20' },
            { start: '10.1.0.10', end: '10.1.0.30' },
          ],
        },
        409,
        'OverlappingAllocationPools',
        'Found overlapping allocation pools: 10.1.0.2-10.1.0.20 10.1.0.10-10.1.0.30 for subnet 10.1.0.0/24.',
      ],
      [
        { gateway_ip: '10.1.0.5', allocation_pools: [{ start: '10.1.0.2', end: '10.1.0.20' }] },
        409,
        'GatewayConflictWithAllocationPools',
        'Gateway ip 10.1.0.5 conflicts with allocation pool 10.1.0.2-10.1.0.20.',
      ],
      [
        { gateway_ip: '10.1.0.255' },
        400,
        'InvalidInput',
        'Invalid input for operation: Gateway is not valid on subnet.',
      ],
      [
        { ip_version: 6 },
        400,
        'InvalidInput',
        "Invalid input for operation: cidr '10.1.0.0/24' does not match the ip_version '6'.",
      ],
      [
        { dns_nameservers: ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5', '1.1.1.6'] },
        400,
        'HTTPBadRequest',
        'Unable to complete operation for new subnet. The number of DNS nameservers exceeds the limit 5.',
      ],
      [
        { dns_nameservers: ['8.8.8.8', '8.8.8.8'] },
        400,
        'HTTPBadRequest',
        "Invalid input for dns_nameservers. Reason: Duplicate nameserver '8.8.8.8'.",
      ],
      [
        { ipv6_ra_mode: 'slaac' },
        400,
        'InvalidInput',
        'Invalid input for operation: ipv6_ra_mode is not valid when ip_version is 4.',
      ],
      [
        { cidr: undefined },
        400,
        'HTTPBadRequest',
        'Bad subnets request: a subnetpool must be specified in the absence of a cidr.',
      ],
      [
        { cidr: '10.1.0.0/31' },
        400,
        'InvalidInput',
        'Invalid input for operation: Subnet has a prefix length that is incompatible with DHCP service enabled.',
      ],
      [
        { host_routes: [{ destination: '10.2.0.1/16', nexthop: '10.1.0.1' }] },
        400,
        'HTTPBadRequest',
        "Invalid input for host_routes. Reason: '10.2.0.1/16' is not a recognized CIDR, '10.2.0.0/16' is recommended.",
      ],
      [
        { cidr: 'banana' },
        400,
        'InvalidInput',
        'Invalid input for operation: banana is not in a CIDR format.',
      ],
    ]
    for (const [extra, status, type, message] of cases) {
      const res = await post({ subnet: { ...base, ...extra } })
      assert.equal(res.status, status, `${JSON.stringify(extra)}: ${res.text}`)
      assert.equal(res.body.NeutronError.type, type, JSON.stringify(extra))
      assert.equal(res.body.NeutronError.message, message)
    }
    const shown = (await h.request('GET', `/v2.0/networks/${n.id}`)).body.network
    assert.deepEqual(shown.subnets, [])
    assert.equal(shown.revision_number, 1)
  })

  it('refuses a CIDR overlapping another subnet of the network', async () => {
    const n = await network()
    assert.equal(
      (await post({ subnet: { network_id: n.id, ip_version: 4, cidr: '10.3.0.0/16' } })).status,
      201,
    )
    const res = await post({ subnet: { network_id: n.id, ip_version: 4, cidr: '10.3.4.0/24' } })
    assert.equal(res.status, 400)
    assert.equal(
      res.body.NeutronError.message,
      `Invalid input for operation: Requested subnet with cidr: 10.3.4.0/24 for network: ${n.id} overlaps with another subnet.`,
    )
    // Another network may use the same range.
    const other = await network()
    assert.equal(
      (await post({ subnet: { network_id: other.id, ip_version: 4, cidr: '10.3.4.0/24' } })).status,
      201,
    )
  })

  it('shows subnets to their project and on shared networks only, and lets owners create', async () => {
    const m = await h.member('subnet-member')
    const shared = await network({ shared: true })
    const external = await network({ 'router:external': true })
    const sharedSub = (
      await post({ subnet: { network_id: shared.id, ip_version: 4, cidr: '10.20.0.0/24' } })
    ).body.subnet
    const extSub = (
      await post({ subnet: { network_id: external.id, ip_version: 4, cidr: '10.21.0.0/24' } })
    ).body.subnet
    const list = (await h.request('GET', '/v2.0/subnets', { token: m.token })).body.subnets
    const ids = list.map((s: { id: string }) => s.id)
    assert.ok(ids.includes(sharedSub.id))
    assert.ok(!ids.includes(extSub.id))
    const hidden = await h.request('GET', `/v2.0/subnets/${extSub.id}`, { token: m.token })
    assert.equal(hidden.status, 404)
    assert.equal(hidden.body.NeutronError.type, 'SubnetNotFound')
    // Another project's private network does not exist for the member; a shared one is not theirs.
    const invisible = await post(
      { subnet: { network_id: net.id, ip_version: 4, cidr: '10.22.0.0/24' } },
      m.token,
    )
    assert.equal(invisible.status, 404)
    assert.equal(invisible.body.NeutronError.type, 'NetworkNotFound')
    const notOwner = await post(
      { subnet: { network_id: shared.id, ip_version: 4, cidr: '10.23.0.0/24' } },
      m.token,
    )
    assert.equal(notOwner.status, 403)
    assert.equal(notOwner.body.NeutronError.type, 'PolicyNotAuthorized')
    const own = await network({}, m.token)
    const mine = await post(
      { subnet: { network_id: own.id, ip_version: 4, cidr: '10.24.0.0/24' } },
      m.token,
    )
    assert.equal(mine.status, 201, mine.text)
    assert.equal(mine.body.subnet.project_id, m.projectId)
    const tagged = await h.request('PUT', `/v2.0/subnets/${mine.body.subnet.id}/tags/blue`, {
      token: m.token,
    })
    assert.equal(tagged.status, 201)
    const byTag = await h.request('GET', '/v2.0/subnets?tags=blue', { token: m.token })
    assert.deepEqual(
      byTag.body.subnets.map((s: { id: string }) => s.id),
      [mine.body.subnet.id],
    )
  })

  it('updates name, gateway, pools, DNS, routes and DHCP but not the CIDR', async () => {
    const n = await network()
    const s = (await post({ subnet: { network_id: n.id, ip_version: 4, cidr: '10.30.0.0/24' } }))
      .body.subnet
    const res = await h.request('PUT', `/v2.0/subnets/${s.id}`, {
      body: {
        subnet: {
          name: 'renamed',
          gateway_ip: '10.30.0.254',
          allocation_pools: [{ start: '10.30.0.10', end: '10.30.0.100' }],
          dns_nameservers: ['9.9.9.9', '8.8.8.8'],
          host_routes: [{ destination: '0.0.0.0/0', nexthop: '10.30.0.254' }],
          enable_dhcp: false,
        },
      },
    })
    assert.equal(res.status, 200, res.text)
    const u = res.body.subnet
    assert.equal(u.name, 'renamed')
    assert.equal(u.gateway_ip, '10.30.0.254')
    assert.deepEqual(u.allocation_pools, [{ start: '10.30.0.10', end: '10.30.0.100' }])
    assert.deepEqual(u.dns_nameservers, ['9.9.9.9', '8.8.8.8'])
    assert.deepEqual(u.host_routes, [{ destination: '0.0.0.0/0', nexthop: '10.30.0.254' }])
    assert.equal(u.enable_dhcp, false)
    assert.equal(u.revision_number, 1)
    const conflict = await h.request('PUT', `/v2.0/subnets/${s.id}`, {
      body: { subnet: { gateway_ip: '10.30.0.50' } },
    })
    assert.equal(conflict.status, 409)
    assert.equal(conflict.body.NeutronError.type, 'GatewayConflictWithAllocationPools')
    const cidr = await h.request('PUT', `/v2.0/subnets/${s.id}`, {
      body: { subnet: { cidr: '10.31.0.0/24' } },
    })
    assert.equal(cidr.status, 400)
    assert.equal(cidr.body.NeutronError.message, 'Cannot update read-only attribute cidr')
  })

  it('refuses to delete a subnet while a port holds an address, except DHCP ports', async () => {
    const n = await network()
    const s = (await post({ subnet: { network_id: n.id, ip_version: 4, cidr: '10.40.0.0/24' } }))
      .body.subnet
    const port = (await h.request('POST', '/v2.0/ports', { body: { port: { network_id: n.id } } }))
      .body.port
    const dhcp = (
      await h.request('POST', '/v2.0/ports', {
        body: { port: { network_id: n.id, device_owner: 'network:dhcp', device_id: 'dhcp-x' } },
      })
    ).body.port
    assert.equal(dhcp.fixed_ips.length, 1)
    const refused = await h.request('DELETE', `/v2.0/subnets/${s.id}`)
    assert.equal(refused.status, 409)
    assert.equal(refused.body.NeutronError.type, 'SubnetInUse')
    assert.equal(
      refused.body.NeutronError.message,
      `Unable to complete operation on subnet ${s.id}: One or more ports have an IP allocation from this subnet.`,
    )
    assert.equal((await h.request('DELETE', `/v2.0/ports/${port.id}`)).status, 204)
    assert.equal((await h.request('DELETE', `/v2.0/subnets/${s.id}`)).status, 204)
    assert.equal((await h.request('GET', `/v2.0/subnets/${s.id}`)).status, 404)
    const after = (await h.request('GET', `/v2.0/ports/${dhcp.id}`)).body.port
    assert.deepEqual(after.fixed_ips, [])
    assert.deepEqual((await h.request('GET', `/v2.0/networks/${n.id}`)).body.network.subnets, [])
  })

  it('counts subnets against the project quota', async () => {
    const q = await startNetworkHarness({ network: { quota_subnet: '1' } })
    try {
      const n = (await q.request('POST', '/v2.0/networks', { body: { network: {} } })).body.network
      const body = (cidr: string) => ({
        body: { subnet: { network_id: n.id, ip_version: 4, cidr } },
      })
      assert.equal((await q.request('POST', '/v2.0/subnets', body('10.0.0.0/24'))).status, 201)
      const over = await q.request('POST', '/v2.0/subnets', body('10.0.1.0/24'))
      assert.equal(over.status, 409)
      assert.equal(over.body.NeutronError.type, 'OverQuota')
    } finally {
      await q.close()
    }
  })
})
