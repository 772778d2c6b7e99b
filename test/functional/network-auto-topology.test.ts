/**
 * Auto-allocated topology (Neutron's get-me-a-network): the default external network rules,
 * Neutron's errors without defaults, the network / subnets / router it builds once per project
 * (also under concurrent asks), dry-run, and a delete that leaves nothing behind.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { made } from '../support/l3-topology.js'
import { type NetworkHarness, startNetworkHarness } from '../support/network-harness.js'

type Json = Record<string, any>

describe('network: auto-allocated topology', () => {
  let h: NetworkHarness
  let member: { projectId: string; token: string }
  let external: string
  const pools: string[] = []
  const error = (res: { body: Json }) => [
    res.body.NeutronError.type as string,
    res.body.NeutronError.message as string,
  ]
  const topology = (project: string, token?: string, query = '') =>
    h.request('GET', `/v2.0/auto-allocated-topology/${project}${query}`, {
      ...(token === undefined ? {} : { token }),
    })
  const list = async (path: string, key: string) =>
    (await h.request('GET', path)).body[key] as Json[]
  /** Everything a project owns that a topology is made of (gateway ports belong to none). */
  const owned = async (projectId: string) => ({
    networks: (await list(`/v2.0/networks?project_id=${projectId}`, 'networks')).length,
    subnets: (await list(`/v2.0/subnets?project_id=${projectId}`, 'subnets')).length,
    routers: (await list(`/v2.0/routers?project_id=${projectId}`, 'routers')).length,
    ports: (await list(`/v2.0/ports?project_id=${projectId}`, 'ports')).length,
  })
  const ipRows = async () =>
    Number(
      (
        await h.service.deps.db
          .selectFrom('ip_allocation')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  before(async () => {
    h = await startNetworkHarness({
      network: { quota_subnet: '-1', quota_network: '-1', quota_port: '-1', quota_router: '-1' },
    })
    member = await h.member('auto-member')
  })
  after(async () => h.close())

  it('keeps one default external network, and only on external networks', async () => {
    const res = await topology(member.projectId, member.token)
    assert.equal(res.status, 409)
    assert.deepEqual(error(res), [
      'AutoAllocationFailure',
      'Deployment error: No default router:external network.',
    ])
    const dry = await topology(member.projectId, member.token, '?fields=dry-run')
    assert.deepEqual(error(dry), error(res))

    const ext = await made(h, '/v2.0/networks', {
      network: { name: 'public', 'router:external': true, is_default: true },
    })
    external = String(ext.id)
    assert.equal(ext.is_default, true)
    await made(h, '/v2.0/subnets', {
      subnet: {
        network_id: external,
        cidr: '172.24.4.0/24',
        ip_version: 4,
        enable_dhcp: false,
      },
    })
    const second = await h.request('POST', '/v2.0/networks', {
      body: { network: { name: 'public2', 'router:external': true, is_default: true } },
    })
    assert.equal(second.status, 409)
    assert.deepEqual(error(second), [
      'DefaultExternalNetworkExists',
      `A default external network already exists: ${external}.`,
    ])
    const other = await made(h, '/v2.0/networks', {
      network: { name: 'public3', 'router:external': true },
    })
    const promote = await h.request('PUT', `/v2.0/networks/${String(other.id)}`, {
      body: { network: { is_default: true } },
    })
    assert.equal(promote.status, 409)
    // Only admins set it; internal networks do not carry it at all.
    const byMember = await h.request('POST', '/v2.0/networks', {
      body: { network: { name: 'x', is_default: true } },
      token: member.token,
    })
    assert.deepEqual(error(byMember), [
      'PolicyNotAuthorized',
      '(rule:create_network:is_default) is disallowed by policy',
    ])
    const internal = await made(h, '/v2.0/networks', { network: { name: 'int' } }, member.token)
    const shown = await h.request('GET', `/v2.0/networks/${String(internal.id)}`, {
      token: member.token,
    })
    assert.equal('is_default' in shown.body.network, false)
    const extShown = await h.request('GET', `/v2.0/networks/${String(other.id)}`)
    assert.equal(extShown.body.network.is_default, false)
    await h.request('DELETE', `/v2.0/networks/${String(internal.id)}`, { token: member.token })
    await h.request('DELETE', `/v2.0/networks/${String(other.id)}`)
  })

  it('fails without default subnet pools and leaves nothing behind', async () => {
    const res = await topology(member.projectId, member.token)
    assert.deepEqual(error(res), [
      'AutoAllocationFailure',
      'Deployment error: Unable to provide tenant private network.',
    ])
    assert.deepEqual(await owned(member.projectId), {
      networks: 0,
      subnets: 0,
      routers: 0,
      ports: 0,
    })
    const dry = await topology(member.projectId, member.token, '?fields=dry-run')
    assert.deepEqual(error(dry), [
      'AutoAllocationFailure',
      'Deployment error: No default subnetpools defined.',
    ])
    for (const body of [
      { name: 'v4', prefixes: ['10.128.0.0/16'], default_prefixlen: 24 },
      { name: 'v6', prefixes: ['fd10::/48'] },
    ]) {
      const p = await made(h, '/v2.0/subnetpools', {
        subnetpool: { ...body, is_default: true, shared: true },
      })
      pools.push(String(p.id))
    }
  })

  it('answers dry-run, refuses other projects and unknown fields', async () => {
    const dry = await topology(member.projectId, member.token, '?fields=dry-run')
    assert.equal(dry.status, 200, dry.text)
    assert.deepEqual(dry.body, {
      auto_allocated_topology: { id: 'dry-run=pass', tenant_id: member.projectId },
    })
    const stranger = await h.member('auto-stranger')
    const foreign = await topology(member.projectId, stranger.token)
    assert.equal(foreign.status, 403)
    assert.deepEqual(error(foreign), ['NotAuthorized', 'Not authorized.'])
    const field = await topology(member.projectId, member.token, '?fields=id')
    assert.deepEqual(error(field), ['BadRequest', 'Bad auto_allocate request: Unrecognized field.'])
    assert.deepEqual(await owned(member.projectId), {
      networks: 0,
      subnets: 0,
      routers: 0,
      ports: 0,
    })
  })

  it('builds the topology once: network, subnets from the default pools, router', async () => {
    const res = await topology('None', member.token)
    assert.equal(res.status, 200, res.text)
    const answer = res.body.auto_allocated_topology
    assert.deepEqual(Object.keys(answer).sort(), ['id', 'project_id', 'tenant_id'])
    assert.equal(answer.tenant_id, member.projectId)
    const net = (await h.request('GET', `/v2.0/networks/${answer.id}`, { token: member.token }))
      .body.network
    assert.equal(net.name, 'auto_allocated_network')
    assert.equal(net.admin_state_up, true)
    assert.equal(net.shared, false)
    assert.equal(net.project_id, member.projectId)
    const subnets = (await list(`/v2.0/subnets?network_id=${answer.id}`, 'subnets')).sort(
      (a, b) => a.ip_version - b.ip_version,
    )
    assert.deepEqual(
      subnets.map((s) => [s.name, s.cidr, s.subnetpool_id]),
      [
        ['auto_allocated_subnet_v4', '10.128.0.0/24', pools[0]],
        ['auto_allocated_subnet_v6', 'fd10::/64', pools[1]],
      ],
    )
    const routers = await list(`/v2.0/routers?project_id=${member.projectId}`, 'routers')
    assert.equal(routers.length, 1)
    const router = routers[0] as Json
    assert.equal(router.name, 'auto_allocated_router')
    assert.equal(router.external_gateway_info.network_id, external)
    const interfaces = await list(
      `/v2.0/ports?device_id=${String(router.id)}&device_owner=network:router_interface`,
      'ports',
    )
    assert.deepEqual(interfaces.map((p) => p.fixed_ips[0].ip_address).sort(), [
      '10.128.0.1',
      'fd10::1',
    ])

    // Asked again (also by an admin for the project), the same network answers.
    const again = await topology(member.projectId, member.token)
    assert.equal(again.body.auto_allocated_topology.id, answer.id)
    const byAdmin = await topology(member.projectId)
    assert.equal(byAdmin.body.auto_allocated_topology.id, answer.id)
    assert.deepEqual(await owned(member.projectId), {
      networks: 1,
      subnets: 2,
      routers: 1,
      ports: 2,
    })
  })

  it('ends with one topology when many ask at once', async () => {
    const racer = await h.member('auto-racer')
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => topology(racer.projectId, racer.token)),
    )
    for (const a of answers) assert.equal(a.status, 200, a.text)
    const ids = new Set(answers.map((a) => a.body.auto_allocated_topology.id as string))
    assert.equal(ids.size, 1)
    const [id] = [...ids]
    assert.deepEqual(await owned(racer.projectId), {
      networks: 1,
      subnets: 2,
      routers: 1,
      ports: 2,
    })
    const nets = await list(`/v2.0/networks?project_id=${racer.projectId}`, 'networks')
    assert.equal(nets[0]?.id, id)
    assert.equal(nets[0]?.admin_state_up, true)
    // The losers' prefixes went back to the pool: only the member's and the racer's remain.
    const fromPool = await list(`/v2.0/subnets?subnetpool_id=${pools[0] ?? ''}`, 'subnets')
    assert.deepEqual(
      fromPool.map((s) => s.project_id).sort(),
      [member.projectId, racer.projectId].sort(),
    )
    const routers = await h.service.deps.db.selectFrom('router').select('id').execute()
    assert.equal(routers.length, 2)
  })

  it('deletes the topology and everything it made', async () => {
    const ipsBefore = await ipRows()
    const id = (await topology(member.projectId, member.token)).body.auto_allocated_topology.id
    const res = await h.request('DELETE', `/v2.0/auto-allocated-topology/${member.projectId}`, {
      token: member.token,
    })
    assert.equal(res.status, 204, res.text)
    assert.deepEqual(await owned(member.projectId), {
      networks: 0,
      subnets: 0,
      routers: 0,
      ports: 0,
    })
    // Three ports gone: two interfaces with one address each, the gateway with one.
    assert.equal(await ipRows(), ipsBefore - 3)
    assert.equal((await h.request('GET', `/v2.0/networks/${String(id)}`)).status, 404)
    const row = await h.service.deps.db
      .selectFrom('auto_allocated_topology')
      .selectAll()
      .where('project_id', '=', member.projectId)
      .execute()
    assert.deepEqual(row, [])
    // Nothing left to delete is no error; a new ask builds anew.
    const none = await h.request('DELETE', `/v2.0/auto-allocated-topology/${member.projectId}`, {
      token: member.token,
    })
    assert.equal(none.status, 204)
    const fresh = await topology(member.projectId, member.token)
    assert.equal(fresh.status, 200)
    assert.notEqual(fresh.body.auto_allocated_topology.id, id)
  })

  it('keeps the default pools from being deleted while topologies use them', async () => {
    const del = await h.request('DELETE', `/v2.0/subnetpools/${pools[0] ?? ''}`)
    assert.deepEqual(error(del), [
      'SubnetPoolDeleteError',
      'Unable to delete subnet pool: Subnet pool has existing allocations.',
    ])
  })
})
