import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { uuid } from '../../src/lib/ids/ids.js'
import { deletePort } from '../../src/network/core/ports.js'
import { type NetworkHarness, startNetworkHarness } from '../support/network-harness.js'

describe('network: ports', () => {
  let h: NetworkHarness
  let net: any
  let subnet: any
  const admin = { projectId: undefined, userId: 't', isAdmin: true, requestId: 'req-t' }
  const create = (port: Record<string, unknown>, token?: string) =>
    h.request('POST', '/v2.0/ports', {
      body: { port: { network_id: net.id, ...port } },
      ...(token === undefined ? {} : { token }),
    })
  const update = (id: string, port: Record<string, unknown>, token?: string) =>
    h.request('PUT', `/v2.0/ports/${id}`, {
      body: { port },
      ...(token === undefined ? {} : { token }),
    })
  const allocations = async () => {
    const row = await h.service.deps.db
      .selectFrom('ip_allocation')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  before(async () => {
    h = await startNetworkHarness({ network: { quota_network: '-1', quota_subnet: '-1' } })
    net = (
      await h.request('POST', '/v2.0/networks', { body: { network: { name: 'p', shared: true } } })
    ).body.network
    subnet = (
      await h.request('POST', '/v2.0/subnets', {
        body: { subnet: { network_id: net.id, ip_version: 4, cidr: '10.0.0.0/24' } },
      })
    ).body.subnet
  })
  after(async () => h.close())

  it('creates a port with a MAC, the lowest free address and the default group', async () => {
    const res = await create({ name: 'first' })
    assert.equal(res.status, 201, res.text)
    const p = res.body.port
    assert.match(p.mac_address, /^fa:16:3e(:[0-9a-f]{2}){3}$/)
    assert.deepEqual(p.fixed_ips, [{ subnet_id: subnet.id, ip_address: '10.0.0.2' }])
    assert.equal(p.status, 'DOWN')
    assert.equal(p.admin_state_up, true)
    assert.equal(p.port_security_enabled, true)
    assert.equal(p.security_groups.length, 1)
    assert.deepEqual(p.allowed_address_pairs, [])
    assert.deepEqual(p.extra_dhcp_opts, [])
    assert.equal(p['binding:vif_type'], 'unbound')
    assert.equal(p['binding:vnic_type'], 'normal')
    assert.equal(p['binding:host_id'], '')
    assert.deepEqual(p['binding:profile'], {})
    assert.deepEqual(p['binding:vif_details'], {})
    assert.equal(p.ip_allocation, 'immediate')
    assert.equal(p.revision_number, 1)
    assert.equal(p.tenant_id, p.project_id)
    assert.deepEqual((await h.request('GET', `/v2.0/ports/${p.id}`)).body.port, p)
    const second = (await create({})).body.port
    assert.equal(second.fixed_ips[0].ip_address, '10.0.0.3')
    const none = (await create({ fixed_ips: [] })).body.port
    assert.deepEqual(none.fixed_ips, [])
    assert.equal(none.ip_allocation, 'none')
  })

  it('gives requested addresses once, inside their subnet only', async () => {
    const ok = await create({ fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.0.0.100' }] })
    assert.equal(ok.status, 201, ok.text)
    const cases: [unknown, number, string, string][] = [
      [
        [{ subnet_id: subnet.id, ip_address: '10.0.0.100' }],
        409,
        'IpAddressAlreadyAllocated',
        `IP address 10.0.0.100 already allocated in subnet ${subnet.id}`,
      ],
      [
        [{ subnet_id: subnet.id, ip_address: '10.0.1.5' }],
        400,
        'InvalidIpForSubnet',
        'IP address 10.0.1.5 is not a valid IP for the specified subnet.',
      ],
      [
        [{ subnet_id: subnet.id, ip_address: '10.0.0.255' }],
        400,
        'InvalidIpForSubnet',
        'IP address 10.0.0.255 is not a valid IP for the specified subnet.',
      ],
      [
        [{ ip_address: '192.168.5.5' }],
        400,
        'InvalidIpForNetwork',
        'IP address 192.168.5.5 is not a valid IP for any of the subnets on the specified network.',
      ],
      [
        [{ ip_address: '10.0.0.20' }, { ip_address: '10.0.0.20' }],
        400,
        'HTTPBadRequest',
        "Invalid input for fixed_ips. Reason: Duplicate IP address '10.0.0.20'.",
      ],
      [[{ subnet_id: uuid() }], 404, 'SubnetNotFound', ''],
    ]
    const before = await allocations()
    for (const [fixed_ips, status, type, message] of cases) {
      const res = await create({ fixed_ips })
      assert.equal(res.status, status, res.text)
      assert.equal(res.body.NeutronError.type, type)
      if (message) assert.equal(res.body.NeutronError.message, message)
    }
    assert.equal(await allocations(), before)
    // The gateway may be taken explicitly (router interfaces do).
    const gw = await create({ fixed_ips: [{ ip_address: '10.0.0.1' }] })
    assert.equal(gw.status, 201, gw.text)
  })

  it('refuses a MAC in use and owner-only attributes from other projects', async () => {
    const mac = 'FA:16:3E:00:11:22'
    const made = await create({ mac_address: mac })
    assert.equal(made.status, 201, made.text)
    assert.equal(made.body.port.mac_address, 'fa:16:3e:00:11:22')
    const again = await create({ mac_address: 'fa:16:3e:00:11:22' })
    assert.equal(again.status, 409)
    assert.equal(again.body.NeutronError.type, 'MacAddressInUse')
    assert.equal(
      again.body.NeutronError.message,
      `Unable to complete operation for network ${net.id}. The mac address fa:16:3e:00:11:22 is in use.`,
    )
    const m = await h.member('port-member')
    // On a shared network: a port and a subnet choice are fine, the rest is the owner's.
    const mine = await create({ fixed_ips: [{ subnet_id: subnet.id }] }, m.token)
    assert.equal(mine.status, 201, mine.text)
    assert.equal(mine.body.port.project_id, m.projectId)
    assert.equal(mine.body.port['binding:vif_type'], undefined)
    assert.equal(mine.body.port['binding:vnic_type'], 'normal')
    for (const [attr, value, rule] of [
      ['mac_address', 'fa:16:3e:00:11:99', 'create_port:mac_address'],
      ['fixed_ips', [{ ip_address: '10.0.0.200' }], 'create_port:fixed_ips:ip_address'],
      ['device_owner', 'network:dhcp', 'create_port:device_owner'],
      ['binding:host_id', 'host1', 'create_port:binding:host_id'],
      ['port_security_enabled', false, 'create_port:port_security_enabled'],
    ] as const) {
      const res = await create({ [attr]: value }, m.token)
      assert.equal(res.status, 403, `${attr}: ${res.text}`)
      assert.equal(res.body.NeutronError.type, 'PolicyNotAuthorized')
      assert.equal(res.body.NeutronError.message, `(rule:${rule}) is disallowed by policy`)
    }
    const vnic = await create({ 'binding:vnic_type': 'direct' }, m.token)
    assert.equal(vnic.status, 201, vnic.text)
    // Others' ports stay hidden; the network owner (admin here) sees the member's.
    const list = (await h.request('GET', '/v2.0/ports', { token: m.token })).body.ports
    assert.deepEqual(
      list.map((p: { project_id: string }) => p.project_id),
      [m.projectId, m.projectId],
    )
    const hidden = await h.request('GET', `/v2.0/ports/${made.body.port.id}`, { token: m.token })
    assert.equal(hidden.status, 404)
    assert.equal(hidden.body.NeutronError.type, 'PortNotFound')
    const privateNet = (await h.request('POST', '/v2.0/networks', { body: { network: {} } })).body
      .network
    const invisible = await h.request('POST', '/v2.0/ports', {
      token: m.token,
      body: { port: { network_id: privateNet.id } },
    })
    assert.equal(invisible.status, 404)
    assert.equal(invisible.body.NeutronError.type, 'NetworkNotFound')
  })

  it('binds a port to a host: ACTIVE with a bridge VIF while it and its network are up', async () => {
    const p = (await create({ 'binding:host_id': 'compute1' })).body.port
    assert.equal(p.status, 'ACTIVE')
    assert.equal(p['binding:vif_type'], 'bridge')
    assert.deepEqual(p['binding:vif_details'], { port_filter: true })
    const down = (await update(p.id, { admin_state_up: false })).body.port
    assert.equal(down.status, 'DOWN')
    assert.equal(down.revision_number, 2)
    const unbound = (await update(p.id, { admin_state_up: true, 'binding:host_id': '' })).body.port
    assert.equal(unbound.status, 'DOWN')
    assert.equal(unbound['binding:vif_type'], 'unbound')
  })

  it('applies port security rules to groups and address pairs', async () => {
    const noSg = await create({ port_security_enabled: false, security_groups: [uuid()] })
    assert.equal(noSg.status, 400)
    assert.equal(noSg.body.NeutronError.type, 'PortSecurityAndIPRequiredForSecurityGroups')
    const pairsNoSec = await create({
      port_security_enabled: false,
      allowed_address_pairs: [{ ip_address: '10.9.9.9' }],
    })
    assert.equal(pairsNoSec.status, 409)
    assert.equal(pairsNoSec.body.NeutronError.type, 'AddressPairAndPortSecurityRequired')
    const missing = uuid()
    const unknown = await create({ security_groups: [missing] })
    assert.equal(unknown.status, 404)
    assert.equal(unknown.body.NeutronError.message, `Security group ${missing} does not exist`)
    const empty = (await create({ security_groups: [] })).body.port
    assert.deepEqual(empty.security_groups, [])
    const p = (
      await create({
        allowed_address_pairs: [
          { ip_address: '10.0.0.250' },
          { ip_address: '192.168.0.0/24', mac_address: 'fa:16:3e:aa:bb:cc' },
        ],
      })
    ).body.port
    assert.deepEqual(p.allowed_address_pairs, [
      { ip_address: '10.0.0.250', mac_address: p.mac_address },
      { ip_address: '192.168.0.0/24', mac_address: 'fa:16:3e:aa:bb:cc' },
    ])
    const dup = await create({
      allowed_address_pairs: [{ ip_address: '10.1.1.1' }, { ip_address: '10.1.1.1' }],
    })
    assert.equal(dup.status, 400)
    assert.equal(dup.body.NeutronError.type, 'DuplicateAddressPairInRequest')
    const noIp = await create({ allowed_address_pairs: [{ mac_address: 'fa:16:3e:00:00:01' }] })
    assert.equal(noIp.status, 400)
    assert.equal(noIp.body.NeutronError.type, 'AllowedAddressPairsMissingIP')
    const hasGroups = await update(p.id, {
      port_security_enabled: false,
      allowed_address_pairs: [],
    })
    assert.equal(hasGroups.status, 409)
    assert.equal(hasGroups.body.NeutronError.type, 'PortSecurityPortHasSecurityGroup')
    const off = await update(p.id, {
      port_security_enabled: false,
      allowed_address_pairs: [],
      security_groups: [],
    })
    assert.equal(off.status, 200, off.text)
    assert.equal(off.body.port.port_security_enabled, false)
    assert.deepEqual(off.body.port.security_groups, [])
  })

  it('keeps extra DHCP options and merges their updates', async () => {
    const p = (
      await create({
        extra_dhcp_opts: [
          { opt_name: 'bootfile-name', opt_value: 'pxelinux.0' },
          { opt_name: 'tftp-server', opt_value: '10.0.0.9', ip_version: 4 },
        ],
      })
    ).body.port
    assert.equal(p.extra_dhcp_opts.length, 2)
    const u = (
      await update(p.id, {
        extra_dhcp_opts: [
          { opt_name: 'bootfile-name', opt_value: null },
          { opt_name: 'tftp-server', opt_value: '10.0.0.10' },
        ],
      })
    ).body.port
    assert.deepEqual(u.extra_dhcp_opts, [
      { opt_name: 'tftp-server', opt_value: '10.0.0.10', ip_version: 4 },
    ])
    const bad = await create({ extra_dhcp_opts: [{ opt_name: 'x' }] })
    assert.equal(bad.status, 400)
    assert.equal(bad.body.NeutronError.type, 'InvalidInput')
  })

  it('re-plans fixed IPs on update and frees what is dropped', async () => {
    const s2 = (
      await h.request('POST', '/v2.0/subnets', {
        body: { subnet: { network_id: net.id, ip_version: 4, cidr: '10.1.0.0/24' } },
      })
    ).body.subnet
    const p = (await create({ fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.0.0.150' }] }))
      .body.port
    const two = await update(p.id, {
      fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.0.0.150' }, { subnet_id: s2.id }],
    })
    assert.equal(two.status, 200, two.text)
    assert.deepEqual(
      two.body.port.fixed_ips.map((f: { ip_address: string }) => f.ip_address),
      ['10.0.0.150', '10.1.0.2'],
    )
    // Asking for a subnet again keeps its address; what is not asked for is freed.
    const one = (await update(p.id, { fixed_ips: [{ subnet_id: s2.id }] })).body.port
    assert.deepEqual(one.fixed_ips, [{ subnet_id: s2.id, ip_address: '10.1.0.2' }])
    const taken = await update(p.id, { fixed_ips: [{ ip_address: '10.0.0.100' }] })
    assert.equal(taken.status, 409)
    assert.equal(taken.body.NeutronError.type, 'IpAddressAlreadyAllocated')
    assert.deepEqual(
      (await h.request('GET', `/v2.0/ports/${p.id}`)).body.port.fixed_ips,
      one.fixed_ips,
    )
    const reuse = await create({ fixed_ips: [{ ip_address: '10.0.0.150' }] })
    assert.equal(reuse.status, 201, reuse.text)
    const before = await allocations()
    assert.equal((await h.request('DELETE', `/v2.0/ports/${p.id}`)).status, 204)
    assert.equal(await allocations(), before - 1)
    assert.equal((await h.request('GET', `/v2.0/ports/${p.id}`)).status, 404)
  })

  it('gives SLAAC subnets EUI-64 addresses, also to ports already there', async () => {
    const n = (await h.request('POST', '/v2.0/networks', { body: { network: {} } })).body.network
    await h.request('POST', '/v2.0/subnets', {
      body: { subnet: { network_id: n.id, ip_version: 4, cidr: '10.60.0.0/24' } },
    })
    const early = (
      await h.request('POST', '/v2.0/ports', {
        body: { port: { network_id: n.id, mac_address: 'fa:16:3e:11:22:33' } },
      })
    ).body.port
    const v6 = (
      await h.request('POST', '/v2.0/subnets', {
        body: {
          subnet: {
            network_id: n.id,
            ip_version: 6,
            cidr: '2001:db8:1::/64',
            ipv6_ra_mode: 'slaac',
            ipv6_address_mode: 'slaac',
          },
        },
      })
    ).body.subnet
    const shown = (await h.request('GET', `/v2.0/ports/${early.id}`)).body.port
    assert.deepEqual(
      shown.fixed_ips.map((f: { ip_address: string }) => f.ip_address),
      ['10.60.0.2', '2001:db8:1:0:f816:3eff:fe11:2233'],
    )
    const late = (
      await h.request('POST', '/v2.0/ports', {
        body: { port: { network_id: n.id, mac_address: 'fa:16:3e:44:55:66' } },
      })
    ).body.port
    assert.deepEqual(late.fixed_ips[1], {
      subnet_id: v6.id,
      ip_address: '2001:db8:1:0:f816:3eff:fe44:5566',
    })
    const direct = await h.request('POST', '/v2.0/ports', {
      body: {
        port: { network_id: n.id, fixed_ips: [{ subnet_id: v6.id, ip_address: '2001:db8:1::9' }] },
      },
    })
    assert.equal(direct.status, 400)
    assert.equal(direct.body.NeutronError.type, 'AllocationOnAutoAddressSubnet')
  })

  it('lists ports filtered in SQL: network, device, owner, fixed IPs, MAC, fields', async () => {
    const tagged = (
      await create({
        device_id: 'vm-1',
        device_owner: 'compute:nova',
        fixed_ips: [{ subnet_id: subnet.id }],
      })
    ).body.port
    const ip = tagged.fixed_ips[0].ip_address
    const q = async (query: string) =>
      (await h.request('GET', `/v2.0/ports?${query}`)).body.ports.map((p: { id: string }) => p.id)
    assert.deepEqual(await q('device_id=vm-1'), [tagged.id])
    assert.deepEqual(await q(`device_id=vm-1&network_id=${net.id}&device_owner=compute:nova`), [
      tagged.id,
    ])
    assert.deepEqual(await q(`fixed_ips=ip_address%3D${ip}`), [tagged.id])
    assert.deepEqual(await q(`fixed_ips=subnet_id%3D${subnet.id}&device_id=vm-1`), [tagged.id])
    assert.ok((await q(`fixed_ips=ip_address_substr%3D${ip.slice(0, -1)}`)).includes(tagged.id))
    assert.deepEqual(await q(`mac_address=${tagged.mac_address}`), [tagged.id])
    assert.deepEqual(await q('device_id=nothing'), [])
    const fields = await h.request('GET', '/v2.0/ports?device_id=vm-1&fields=id&fields=mac_address')
    assert.deepEqual(Object.keys(fields.body.ports[0]).sort(), ['id', 'mac_address'])
    const bad = await h.request('GET', '/v2.0/ports?colour=red')
    assert.equal(bad.status, 400)
  })

  it('creates ports in bulk all or nothing', async () => {
    const before = (await h.request('GET', '/v2.0/ports?fields=id')).body.ports.length
    const bad = await h.request('POST', '/v2.0/ports', {
      body: {
        ports: [
          { network_id: net.id, name: 'b1' },
          { network_id: net.id, fixed_ips: [{ ip_address: '10.0.0.100' }] },
        ],
      },
    })
    assert.equal(bad.status, 409)
    assert.equal((await h.request('GET', '/v2.0/ports?fields=id')).body.ports.length, before)
    const ok = await h.request('POST', '/v2.0/ports', {
      body: { ports: [{ network_id: net.id, name: 'b1', tags: ['x'] }, { network_id: net.id }] },
    })
    assert.equal(ok.status, 201, ok.text)
    assert.deepEqual(ok.body.ports[0].tags, ['x'])
  })

  it('keeps router ports from the port API but lets their router delete them', async () => {
    const routerId = uuid()
    const now = '2026-01-01T00:00:00Z'
    await h.service.deps.db
      .insertInto('router')
      .values({
        id: routerId,
        project_id: 'p',
        name: 'r',
        admin_state_up: 1,
        status: 'ACTIVE',
        gw_port_id: null,
        enable_snat: 1,
        distributed: 0,
        ha: 0,
        availability_zone_hints: '[]',
        description: '',
        created_at: now,
        updated_at: now,
        revision_number: 0,
      })
      .execute()
    const p = (await create({ device_owner: 'network:router_interface', device_id: routerId })).body
      .port
    assert.equal(p.port_security_enabled, false)
    assert.deepEqual(p.security_groups, [])
    const refused = await h.request('DELETE', `/v2.0/ports/${p.id}`)
    assert.equal(refused.status, 409)
    assert.deepEqual(refused.body.NeutronError, {
      type: 'ServicePortInUse',
      message: `Port ${p.id} cannot be deleted directly via the port API: has device owner network:router_interface.`,
      detail: '',
    })
    await deletePort(h.service.deps, admin, p.id, { internal: true })
    assert.equal((await h.request('GET', `/v2.0/ports/${p.id}`)).status, 404)
  })

  it('reports IP availability to admins only', async () => {
    const all = await h.request('GET', '/v2.0/network-ip-availabilities')
    assert.equal(all.status, 200, all.text)
    const mine = all.body.network_ip_availabilities.find(
      (n: { network_id: string }) => n.network_id === net.id,
    )
    const s = mine.subnet_ip_availability.find(
      (x: { subnet_id: string }) => x.subnet_id === subnet.id,
    )
    assert.equal(s.total_ips, 253)
    assert.equal(s.cidr, '10.0.0.0/24')
    assert.equal(s.ip_version, 4)
    assert.equal(
      mine.used_ips,
      mine.subnet_ip_availability.reduce((a: number, x: { used_ips: number }) => a + x.used_ips, 0),
    )
    assert.equal(mine.tenant_id, net.project_id)
    const one = await h.request('GET', `/v2.0/network-ip-availabilities/${net.id}`)
    assert.equal(one.body.network_ip_availability.used_ips, mine.used_ips)
    const v6 = await h.request('GET', '/v2.0/network-ip-availabilities?ip_version=6')
    assert.ok(v6.text.includes('"total_ips":18446744073709551615'), v6.text)
    const m = await h.member('availability-member')
    const hidden = await h.request('GET', '/v2.0/network-ip-availabilities', { token: m.token })
    assert.deepEqual(hidden.body, { network_ip_availabilities: [] })
    const show = await h.request('GET', `/v2.0/network-ip-availabilities/${net.id}`, {
      token: m.token,
    })
    assert.equal(show.status, 404)
  })
})
