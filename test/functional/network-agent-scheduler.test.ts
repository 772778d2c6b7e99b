/**
 * Neutron's DHCP and L3 agent schedulers: a network gets a DHCP agent with its first
 * DHCP-enabled subnet, a router an L3 agent with its gateway or first interface (the least
 * loaded alive agent); admins move them by hand, with Neutron's refusals.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { rpcClient } from '../../src/lib/rpc/define-rpc.js'
import { reportsRpc } from '../../src/network/agent/rpc.js'
import { type NetworkHarness, startNetworkHarness } from '../support/network-harness.js'

type Json = Record<string, any>

describe('network: DHCP and L3 agent scheduling', () => {
  let h: NetworkHarness
  before(async () => {
    h = await startNetworkHarness({ network: { host: 'net-a' } })
  })
  after(async () => h.close())

  const agentOf = async (type: string, host = 'net-a') =>
    (
      (await h.request('GET', `/v2.0/agents?agent_type=${encodeURIComponent(type)}&host=${host}`))
        .body.agents as Json[]
    )[0] as Json
  const made = async (path: string, key: string, body: Json) => {
    const res = await h.request('POST', path, { body: { [key]: body } })
    assert.equal(res.status, 201, res.text)
    return res.body[key] as Json
  }

  it('schedules a network with its first DHCP subnet and lets admins move it', async () => {
    const dhcp = await agentOf('DHCP agent')
    const net = await made('/v2.0/networks', 'network', { name: 'n1' })
    const hosting = async () =>
      (await h.request('GET', `/v2.0/networks/${net.id as string}/dhcp-agents`)).body
        .agents as Json[]
    assert.deepEqual(await hosting(), [], 'no subnet, no DHCP agent')
    await made('/v2.0/subnets', 'subnet', {
      network_id: net.id,
      cidr: '10.5.0.0/24',
      ip_version: 4,
    })
    assert.deepEqual(
      (await hosting()).map((a) => a.id),
      [dhcp.id],
    )
    const onAgent = await h.request('GET', `/v2.0/agents/${dhcp.id as string}/dhcp-networks`)
    assert.deepEqual(
      (onAgent.body.networks as Json[]).map((n) => n.id),
      [net.id],
    )

    const again = await h.request('POST', `/v2.0/agents/${dhcp.id as string}/dhcp-networks`, {
      body: { network_id: net.id },
    })
    assert.equal(again.status, 409)
    assert.equal(again.body.NeutronError.type, 'NetworkHostedByDHCPAgent')
    const del = await h.request(
      'DELETE',
      `/v2.0/agents/${dhcp.id as string}/dhcp-networks/${net.id as string}`,
    )
    assert.equal(del.status, 204)
    assert.deepEqual(await hosting(), [])
    const twice = await h.request(
      'DELETE',
      `/v2.0/agents/${dhcp.id as string}/dhcp-networks/${net.id as string}`,
    )
    assert.equal(twice.status, 409)
    assert.equal(twice.body.NeutronError.type, 'NetworkNotHostedByDhcpAgent')
    const add = await h.request('POST', `/v2.0/agents/${dhcp.id as string}/dhcp-networks`, {
      body: { network_id: net.id },
    })
    assert.equal(add.status, 201)
    assert.equal(add.text, 'null')
    assert.equal((await hosting()).length, 1)

    const l3 = await agentOf('L3 agent')
    const wrong = await h.request('POST', `/v2.0/agents/${l3.id as string}/dhcp-networks`, {
      body: { network_id: net.id },
    })
    assert.equal(wrong.status, 404)
    assert.equal(wrong.body.NeutronError.type, 'InvalidDHCPAgent')
    const member = await h.member('sched-member')
    const refused = await h.request('GET', `/v2.0/agents/${dhcp.id as string}/dhcp-networks`, {
      token: member.token,
    })
    assert.equal(refused.status, 403)
  })

  it('schedules a router with its first interface to the least loaded L3 agent', async () => {
    // A second L3 agent reports from another host; it hosts nothing yet.
    await rpcClient(h.service.deps.bus, reportsRpc).reportState({
      agentState: {
        agent_type: 'L3 agent',
        binary: 'neutron-l3-agent',
        host: 'net-b',
        topic: 'l3_agent',
        availability_zone: 'nova',
        configurations: {},
        start_flag: true,
      },
      time: new Date().toISOString(),
    })
    const a = await agentOf('L3 agent')
    const b = await agentOf('L3 agent', 'net-b')
    const net = await made('/v2.0/networks', 'network', { name: 'r-net' })
    const subnets = []
    for (let i = 0; i < 2; i++)
      subnets.push(
        await made('/v2.0/subnets', 'subnet', {
          network_id: net.id,
          cidr: `10.6.${i}.0/24`,
          ip_version: 4,
        }),
      )
    const hostOf = async (router: Json) =>
      (
        (await h.request('GET', `/v2.0/routers/${router.id as string}/l3-agents`)).body
          .agents as Json[]
      ).map((x) => x.host)
    const r1 = await made('/v2.0/routers', 'router', { name: 'r1' })
    assert.deepEqual(await hostOf(r1), [], 'a bare router is not scheduled')
    const put = (r: Json, s: Json) =>
      h.request('PUT', `/v2.0/routers/${r.id as string}/add_router_interface`, {
        body: { subnet_id: s.id },
      })
    assert.equal((await put(r1, subnets[0] as Json)).status, 200)
    const first = await hostOf(r1)
    assert.equal(first.length, 1)
    const r2 = await made('/v2.0/routers', 'router', { name: 'r2' })
    assert.equal((await put(r2, subnets[1] as Json)).status, 200)
    const second = await hostOf(r2)
    assert.notDeepEqual(second, first, 'the other agent, which hosted nothing')

    const hostA = first[0] === 'net-a' ? a : b
    const hostB = first[0] === 'net-a' ? b : a
    const listed = await h.request('GET', `/v2.0/agents/${hostA.id as string}/l3-routers`)
    assert.deepEqual(
      (listed.body.routers as Json[]).map((r) => r.id),
      [r1.id],
    )
    const taken = await h.request('POST', `/v2.0/agents/${hostB.id as string}/l3-routers`, {
      body: { router_id: r1.id },
    })
    assert.equal(taken.status, 409)
    assert.equal(taken.body.NeutronError.type, 'RouterHostedByL3Agent')
    const off = await h.request(
      'DELETE',
      `/v2.0/agents/${hostA.id as string}/l3-routers/${r1.id as string}`,
    )
    assert.equal(off.status, 204)
    const moved = await h.request('POST', `/v2.0/agents/${hostB.id as string}/l3-routers`, {
      body: { router_id: r1.id },
    })
    assert.equal(moved.status, 201, moved.text)
    assert.deepEqual(await hostOf(r1), [hostB.host])
    const missing = await h.request('POST', `/v2.0/agents/${hostB.id as string}/l3-routers`, {
      body: { router_id: '00000000-0000-0000-0000-000000000000' },
    })
    assert.equal(missing.status, 404)
  })
})
