/**
 * Compute over the network service, as Nova over Neutron: servers get ports (device_id, owner
 * compute:<zone>, bound to their host) and show them in `addresses` with Nova's extended
 * fields; ports go with failed builds and deleted servers; os-interface attaches and detaches
 * ports; security groups and floating IPs through Nova's actions and proxies.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { eventually } from '../support/poll.js'

type Json = Record<string, any>

describe('compute networking', () => {
  let h: ComputeHarness
  let image: string
  let user: { projectId: string; token: string }
  let net: { id: string; name: string; subnetId: string }

  const neutron = (method: string, path: string, body?: unknown, token?: string) =>
    h.networkRequest(method, path, {
      ...(body === undefined ? {} : { body }),
      ...(token ? { token } : {}),
    })

  async function makeNetwork(name: string, cidr: string, token = user.token, extra: Json = {}) {
    const n = await neutron('POST', '/v2.0/networks', { network: { name, ...extra } }, token)
    assert.equal(n.status, 201, n.text)
    const s = await neutron(
      'POST',
      '/v2.0/subnets',
      { subnet: { network_id: n.body.network.id, cidr, ip_version: 4 } },
      token,
    )
    assert.equal(s.status, 201, s.text)
    return { id: n.body.network.id as string, name, subnetId: s.body.subnet.id as string }
  }

  const boot = (server: Json, microversion = '2.1', token = user.token) =>
    h.request('POST', '/v2.1/servers', {
      token,
      microversion,
      body: { server: { name: 'vm', imageRef: image, flavorRef: '1', ...server } },
    })

  async function bootActive(server: Json, microversion = '2.1'): Promise<Json> {
    const res = await boot(server, microversion)
    assert.equal(res.status, 202, res.text)
    const done = await h.waitForServer(res.body.server.id, (s) => s?.status === 'ACTIVE')
    assert.ok(done)
    return done
  }

  const show = async (id: string, microversion = '2.1') =>
    (await h.request('GET', `/v2.1/servers/${id}`, { token: user.token, microversion })).body
      .server as Json
  const portsOf = async (id: string) =>
    (await neutron('GET', `/v2.0/ports?device_id=${id}`)).body.ports as Json[]
  const act = (id: string, body: unknown, microversion = '2.1') =>
    h.request('POST', `/v2.1/servers/${id}/action`, { token: user.token, microversion, body })
  const deleteAndWait = async (id: string) => {
    assert.equal((await h.request('DELETE', `/v2.1/servers/${id}`)).status, 204)
    await h.waitForServer(id, (_s, status) => status === 404)
  }
  const message = (res: { body: Json }) => (Object.values(res.body)[0] as Json).message as string

  before(async () => {
    h = await startComputeHarness()
    image = await h.createImage()
    user = await h.member('net-user')
    net = await makeNetwork('private', '10.1.0.0/24')
  })
  after(async () => h.close())

  it('boots with a port on the network: addresses, MAC, binding, security group', async () => {
    const server = await bootActive({ networks: [{ uuid: net.id }] })
    const id = server.id as string
    const s = await show(id)
    const entries = s.addresses.private as Json[]
    assert.equal(entries.length, 1)
    const [entry] = entries as [Json]
    assert.equal(entry.version, 4)
    assert.equal(entry['OS-EXT-IPS:type'], 'fixed')
    assert.match(entry['OS-EXT-IPS-MAC:mac_addr'], /^fa:16:3e(:[0-9a-f]{2}){3}$/)
    assert.match(entry.addr, /^10\.1\.0\.\d+$/)
    assert.deepEqual(s.security_groups, [{ name: 'default' }])
    assert.equal(s.accessIPv4, '')
    const ports = await portsOf(id)
    assert.equal(ports.length, 1)
    const port = ports[0] as Json
    assert.equal(port.device_owner, 'compute:nova')
    assert.equal(port['binding:host_id'], server['OS-EXT-SRV-ATTR:host'])
    assert.equal(port.status, 'ACTIVE')
    assert.equal(port.mac_address, entry['OS-EXT-IPS-MAC:mac_addr'])
    // /ips shows the same addresses without the extended fields.
    const ips = await h.request('GET', `/v2.1/servers/${id}/ips`, { token: user.token })
    assert.deepEqual(ips.body, { addresses: { private: [{ version: 4, addr: entry.addr }] } })
    const one = await h.request('GET', `/v2.1/servers/${id}/ips/private`, { token: user.token })
    assert.deepEqual(one.body, { private: [{ version: 4, addr: entry.addr }] })
    // The list's details read the cache and ask the network service once for the groups.
    const detail = await h.request('GET', '/v2.1/servers/detail', { token: user.token })
    const listed = (detail.body.servers as Json[]).find((x) => x.id === id)
    assert.deepEqual(listed?.addresses, s.addresses)
    assert.deepEqual(listed?.security_groups, [{ name: 'default' }])
    // Nova's ip filter: a pattern matched at the start of a fixed address.
    const byIp = async (q: string) =>
      (
        (await h.request('GET', `/v2.1/servers?${q}`, { token: user.token })).body.servers as Json[]
      ).map((x) => x.id)
    assert.deepEqual(await byIp(`ip=${entry.addr as string}`), [id])
    assert.deepEqual(await byIp('ip=10.1.'), [id])
    assert.deepEqual(await byIp('ip=0.1'), [])

    await deleteAndWait(id)
    assert.deepEqual(await portsOf(id), [])
    // The address is free again.
    const again = await neutron(
      'POST',
      '/v2.0/ports',
      { port: { network_id: net.id, fixed_ips: [{ ip_address: entry.addr }] } },
      user.token,
    )
    assert.equal(again.status, 201, again.text)
    await neutron('DELETE', `/v2.0/ports/${again.body.port.id as string}`, undefined, user.token)
  })

  it('picks the only network, refuses an ambiguous choice, and honours none', async () => {
    const only = await bootActive({})
    assert.ok((await show(only.id)).addresses.private)
    await deleteAndWait(only.id)

    const none = await bootActive({ networks: 'none' }, '2.37')
    const s = await show(none.id, '2.37')
    assert.deepEqual(s.addresses, {})
    assert.equal(s.security_groups, undefined)
    await deleteAndWait(none.id)

    const second = await makeNetwork('second', '10.2.0.0/24')
    const ambiguous = await boot({})
    assert.equal(ambiguous.status, 409)
    assert.equal(
      message(ambiguous),
      'Multiple possible networks found, use a Network ID to be more specific.',
    )
    const required = await boot({}, '2.37')
    assert.equal(required.status, 400)
    const auto = await boot({ networks: 'auto' }, '2.37')
    assert.equal(auto.status, 409)
    await neutron('DELETE', `/v2.0/networks/${second.id}`, undefined, user.token)
  })

  it('refuses unknown networks and ports with Nova messages', async () => {
    const missing = '00000000-0000-4000-8000-000000000001'
    let res = await boot({ networks: [{ uuid: missing }] })
    assert.equal(res.status, 400)
    assert.equal(message(res), `Network ${missing} could not be found.`)
    res = await boot({ networks: [{ port: missing }] })
    assert.equal(res.status, 400)
    assert.equal(message(res), `Port id ${missing} could not be found.`)
    res = await boot({ networks: [{ uuid: net.id }], security_groups: [{ name: 'nope' }] })
    assert.equal(res.status, 400)
    assert.equal(message(res), "Unable to find security_group with name or id 'nope'")
  })

  it('leaves no port behind when the build fails on every host, rebinds on a reschedule', async () => {
    const failing = await h.createImage({ fake_fail_spawn_on: 'compute1,compute2' })
    let res = await boot({ imageRef: failing, networks: [{ uuid: net.id }] })
    assert.equal(res.status, 202)
    const id = res.body.server.id as string
    await h.waitForServer(id, (s) => s?.status === 'ERROR')
    assert.deepEqual(await portsOf(id), [])
    assert.deepEqual((await show(id)).addresses, {})
    await deleteAndWait(id)

    const once = await h.createImage({ fake_fail_spawn_on: 'compute1' })
    res = await boot({ imageRef: once, networks: [{ uuid: net.id }] })
    const server = await h.waitForServer(res.body.server.id, (s) => s?.status === 'ACTIVE')
    assert.equal(server?.['OS-EXT-SRV-ATTR:host'], 'compute2')
    const ports = await portsOf(res.body.server.id)
    assert.equal(ports.length, 1)
    assert.equal(ports[0]?.['binding:host_id'], 'compute2')
    await deleteAndWait(res.body.server.id)
  })

  it('attaches and detaches interfaces (os-interface)', async () => {
    const server = await bootActive({ networks: [{ uuid: net.id }] })
    const id = server.id as string
    const base = `/v2.1/servers/${id}/os-interface`
    const req = (method: string, path: string, body?: unknown) =>
      h.request(method, path, { token: user.token, ...(body === undefined ? {} : { body }) })
    let res = await req('GET', base)
    assert.equal(res.status, 200)
    assert.equal(res.body.interfaceAttachments.length, 1)
    const first = res.body.interfaceAttachments[0] as Json
    assert.deepEqual(Object.keys(first).sort(), [
      'fixed_ips',
      'mac_addr',
      'net_id',
      'port_id',
      'port_state',
    ])
    assert.equal(first.port_state, 'ACTIVE')

    // On the network at a chosen address.
    res = await req('POST', base, {
      interfaceAttachment: { net_id: net.id, fixed_ips: [{ ip_address: '10.1.0.200' }] },
    })
    assert.equal(res.status, 200, res.text)
    const made = res.body.interfaceAttachment as Json
    assert.equal(made.net_id, net.id)
    assert.equal(made.fixed_ips[0].ip_address, '10.1.0.200')
    // A port the user made.
    const own = await neutron('POST', '/v2.0/ports', { port: { network_id: net.id } }, user.token)
    res = await req('POST', base, { interfaceAttachment: { port_id: own.body.port.id } })
    assert.equal(res.status, 200, res.text)
    res = await req('GET', `${base}/${own.body.port.id as string}`)
    assert.equal(res.body.interfaceAttachment.port_id, own.body.port.id)
    res = await req('GET', base)
    assert.equal(res.body.interfaceAttachments.length, 3)
    const s = await show(id)
    assert.equal(s.addresses.private.length, 3)
    assert.ok(
      (s.addresses.private as Json[]).some((a) => a.addr === '10.1.0.200'),
      JSON.stringify(s.addresses),
    )
    res = await req('GET', `${base}/00000000-0000-4000-8000-000000000009`)
    assert.equal(res.status, 404)

    // Detach: the made port goes, the user's comes back unbound.
    assert.equal((await req('DELETE', `${base}/${made.port_id as string}`)).status, 202)
    assert.equal((await req('DELETE', `${base}/${own.body.port.id as string}`)).status, 202)
    // Detach is a cast: the ports go, then the server's cache follows.
    await eventually(
      async () => [
        (await req('GET', base)).body.interfaceAttachments.length,
        (await show(id)).addresses.private.length,
      ],
      (counts) => counts.every((n) => n === 1),
      'interfaces detached',
    )
    assert.equal((await neutron('GET', `/v2.0/ports/${made.port_id as string}`)).status, 404)
    const back = await neutron('GET', `/v2.0/ports/${own.body.port.id as string}`)
    assert.equal(back.body.port.device_id, '')
    await deleteAndWait(id)
    // The user's port stays after the server (it was given back, not deleted).
    assert.equal((await neutron('GET', `/v2.0/ports/${own.body.port.id as string}`)).status, 200)
  })

  it('proxies security groups and adds them to servers', async () => {
    const sgs = '/v2.1/os-security-groups'
    const req = (method: string, path: string, body?: unknown, microversion = '2.1') =>
      h.request(method, path, {
        token: user.token,
        microversion,
        ...(body === undefined ? {} : { body }),
      })
    let res = await req('POST', sgs, { security_group: { name: 'web', description: 'www' } })
    assert.equal(res.status, 200, res.text)
    const web = res.body.security_group as Json
    assert.equal(web.name, 'web')
    assert.equal(web.tenant_id, user.projectId)
    assert.deepEqual(web.rules, [])
    res = await req('POST', '/v2.1/os-security-group-rules', {
      security_group_rule: {
        parent_group_id: web.id,
        ip_protocol: 'tcp',
        from_port: 80,
        to_port: 80,
        cidr: '0.0.0.0/0',
      },
    })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body.security_group_rule, {
      id: res.body.security_group_rule.id,
      parent_group_id: web.id,
      ip_protocol: 'tcp',
      from_port: 80,
      to_port: 80,
      group: {},
      ip_range: { cidr: '0.0.0.0/0' },
    })
    res = await req('GET', sgs)
    assert.deepEqual((res.body.security_groups as Json[]).map((g) => g.name).sort(), [
      'default',
      'web',
    ])
    res = await req('GET', `${sgs}/${web.id as string}`)
    assert.equal(res.body.security_group.rules.length, 1)
    assert.equal((await req('GET', sgs, undefined, '2.36')).status, 404)
    assert.equal((await req('GET', `${sgs}/not-a-uuid`)).status, 400)

    const server = await bootActive({ networks: [{ uuid: net.id }] })
    const id = server.id as string
    assert.equal((await act(id, { addSecurityGroup: { name: 'web' } })).status, 202)
    assert.deepEqual(((await show(id)).security_groups as Json[]).map((g) => g.name).sort(), [
      'default',
      'web',
    ])
    res = await req('GET', `/v2.1/servers/${id}/os-security-groups`)
    assert.deepEqual(
      (res.body.security_groups as Json[]).map((g) => g.name),
      ['default', 'web'],
    )
    res = await act(id, { addSecurityGroup: { name: 'missing' } })
    assert.equal(res.status, 404)
    assert.equal(message(res), `Security group missing is not found for project ${user.projectId}`)
    // In use: Neutron refuses, Nova answers 400.
    assert.equal((await req('DELETE', `${sgs}/${web.id as string}`)).status, 400)
    assert.equal((await act(id, { removeSecurityGroup: { name: 'web' } })).status, 202)
    assert.deepEqual((await show(id)).security_groups, [{ name: 'default' }])
    assert.equal((await req('DELETE', `${sgs}/${web.id as string}`)).status, 202)
    assert.equal((await req('GET', `${sgs}/${web.id as string}`)).status, 404)
    await deleteAndWait(id)
  })

  it('associates a floating IP (addFloatingIp at 2.43) and shows it in addresses', async () => {
    const ext = await makeNetwork('public', '172.24.4.0/24', h.adminToken, {
      'router:external': true,
    })
    const router = await neutron(
      'POST',
      '/v2.0/routers',
      { router: { name: 'r', external_gateway_info: { network_id: ext.id } } },
      user.token,
    )
    assert.equal(router.status, 201, router.text)
    const iface = await neutron(
      'PUT',
      `/v2.0/routers/${router.body.router.id as string}/add_router_interface`,
      { subnet_id: net.subnetId },
      user.token,
    )
    assert.equal(iface.status, 200, iface.text)

    const req = (method: string, path: string, body?: unknown, microversion = '2.1') =>
      h.request(method, path, {
        token: user.token,
        microversion,
        ...(body === undefined ? {} : { body }),
      })
    let res = await req('GET', '/v2.1/os-floating-ip-pools')
    assert.deepEqual(res.body, { floating_ip_pools: [{ name: 'public' }] })
    res = await req('POST', '/v2.1/os-floating-ips', { pool: 'public' })
    assert.equal(res.status, 200, res.text)
    const fip = res.body.floating_ip as Json
    assert.equal(fip.pool, 'public')
    assert.equal(fip.instance_id, null)
    assert.match(fip.ip, /^172\.24\.4\.\d+$/)

    const server = await bootActive({ networks: [{ uuid: net.id }] })
    const id = server.id as string
    const fixed = (await show(id)).addresses.private[0] as Json
    res = await act(id, { addFloatingIp: { address: fip.ip } }, '2.44')
    assert.equal(res.status, 404)
    res = await act(id, { addFloatingIp: { address: fip.ip } }, '2.43')
    assert.equal(res.status, 202, res.text)
    const s = await show(id)
    assert.deepEqual(s.addresses.private, [
      fixed,
      {
        version: 4,
        addr: fip.ip,
        'OS-EXT-IPS:type': 'floating',
        'OS-EXT-IPS-MAC:mac_addr': fixed['OS-EXT-IPS-MAC:mac_addr'],
      },
    ])
    res = await req('GET', `/v2.1/os-floating-ips/${fip.id as string}`)
    assert.deepEqual(res.body.floating_ip, { ...fip, fixed_ip: fixed.addr, instance_id: id })

    res = await act(id, { removeFloatingIp: { address: fip.ip } }, '2.43')
    assert.equal(res.status, 202, res.text)
    assert.deepEqual((await show(id)).addresses.private, [fixed])
    // Not associated: Nova checks the rule on an empty target (403 for members), then 409.
    res = await act(id, { removeFloatingIp: { address: fip.ip } }, '2.43')
    assert.equal(res.status, 403)
    res = await h.request('POST', `/v2.1/servers/${id}/action`, {
      microversion: '2.43',
      body: { removeFloatingIp: { address: fip.ip } },
    })
    assert.equal(res.status, 409)
    assert.equal(
      message(res),
      `Floating IP ${fip.ip as string} is not associated with instance ${id}.`,
    )
    // Associated through the network API (as `openstack server add floating ip` does): the
    // network service tells compute (network-changed), and the addresses follow.
    const port = (await neutron('GET', `/v2.0/ports?device_id=${id}`, undefined, user.token)).body
      .ports[0] as Json
    res = await neutron(
      'PUT',
      `/v2.0/floatingips/${fip.id as string}`,
      { floatingip: { port_id: port.id } },
      user.token,
    )
    assert.equal(res.status, 200, res.text)
    const floating = async () =>
      ((await show(id)).addresses.private as Json[]).some((a) => a.addr === fip.ip)
    // The floating address shows once the network service reports it.
    await eventually(floating, (shown) => shown, 'floating address in addresses')
    await neutron(
      'PUT',
      `/v2.0/floatingips/${fip.id as string}`,
      { floatingip: { port_id: null } },
      user.token,
    )
    await eventually(floating, (shown) => !shown, 'floating address gone from addresses')
    assert.equal((await req('DELETE', `/v2.1/os-floating-ips/${fip.id as string}`)).status, 202)
    assert.equal((await req('GET', `/v2.1/os-floating-ips/${fip.id as string}`)).status, 404)
    await deleteAndWait(id)
  })

  it('lists networks through the 2.35 proxies and answers 410 for nova-network APIs', async () => {
    let res = await h.request('GET', '/v2.1/os-tenant-networks', { token: user.token })
    assert.ok(
      (res.body.networks as Json[]).some(
        (n) => n.id === net.id && n.label === 'private' && n.cidr === 'None',
      ),
    )
    res = await h.request('GET', `/v2.1/os-networks/${net.id}`, { token: user.token })
    assert.equal(res.body.network.label, 'private')
    assert.equal(res.body.network.cidr, null)
    res = await h.request('GET', '/v2.1/os-fixed-ips/10.1.0.5')
    assert.equal(res.status, 410)
    res = await h.request('POST', '/v2.1/os-fixed-ips/10.1.0.5/action', { body: { reserve: null } })
    assert.equal(res.status, 410)
  })
})
