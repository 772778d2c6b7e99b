import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { rpcClient, serveRpc } from '../../src/lib/rpc/define-rpc.js'
import { reportsRpc, securityGroupUpdateRpc } from '../../src/network/agent/rpc.js'
import { securityGroupsUpdated } from '../../src/network/core/agent-notify.js'
import { type NetworkHarness, startNetworkHarness } from '../support/network-harness.js'

interface Agent {
  id: string
  agent_type: string
  binary: string
  topic: string
  host: string
  alive: boolean
  admin_state_up: boolean
  availability_zone: string | null
  heartbeat_timestamp: string
  configurations: Record<string, unknown>
  description: string | null
}

describe('network: agents and availability zones', () => {
  let h: NetworkHarness
  before(async () => {
    h = await startNetworkHarness({ network: { host: 'net-host-1' } })
  })
  after(async () => h.close())

  const agents = async (query = '') =>
    (await h.request('GET', `/v2.0/agents${query}`)).body.agents as Agent[]

  it('lists the no-op agents of this host, alive after their first report', async () => {
    const list = await agents()
    assert.deepEqual(list.map((a) => `${a.agent_type}|${a.binary}|${a.topic}`).sort(), [
      'DHCP agent|neutron-dhcp-agent|dhcp_agent',
      'L3 agent|neutron-l3-agent|l3_agent',
      'Linux bridge agent|neutron-linuxbridge-agent|N/A',
      'Metadata agent|neutron-metadata-agent|N/A',
    ])
    for (const a of list) {
      assert.equal(a.host, 'net-host-1')
      assert.equal(a.alive, true)
      assert.equal(a.admin_state_up, true)
      assert.match(a.heartbeat_timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
      assert.equal(a.description, null)
    }
    const dhcp = list.find((a) => a.agent_type === 'DHCP agent') as Agent
    assert.equal(dhcp.availability_zone, 'nova')
    assert.equal(dhcp.configurations.dhcp_driver, 'neutron.agent.linux.dhcp.Dnsmasq')
    const l2 = list.find((a) => a.agent_type === 'Linux bridge agent') as Agent
    assert.equal(l2.availability_zone, null)
    const shown = await h.request('GET', `/v2.0/agents/${dhcp.id}?fields=id&fields=alive`)
    assert.deepEqual(shown.body.agent, { id: dhcp.id, alive: true })
    assert.equal((await agents('?agent_type=L3+agent')).length, 1)
    assert.equal((await agents('?alive=false')).length, 0)
  })

  it('marks agents dead after agent_down_time without a report, alive again on the next', async () => {
    const { db } = h.service.deps
    await db.updateTable('agent').set({ heartbeat_timestamp: '2000-01-01T00:00:00Z' }).execute()
    const dead = await agents('?alive=false')
    assert.equal(dead.length, 4)
    assert.equal(dead[0]?.heartbeat_timestamp, '2000-01-01 00:00:00')
    const reports = rpcClient(h.service.deps.bus, reportsRpc)
    const status = await reports.reportState({
      agentState: {
        agent_type: 'DHCP agent',
        binary: 'neutron-dhcp-agent',
        host: 'net-host-1',
        topic: 'dhcp_agent',
        availability_zone: 'nova',
        configurations: { networks: 1 },
      },
      time: new Date().toISOString(),
    })
    assert.equal(status, 'revived')
    const dhcp = (await agents('?agent_type=DHCP+agent'))[0] as Agent
    assert.equal(dhcp.alive, true)
    assert.deepEqual(dhcp.configurations, { networks: 1 })
    const fresh = await reports.reportState({
      agentState: {
        agent_type: 'Linux bridge agent',
        binary: 'neutron-linuxbridge-agent',
        host: 'compute-2',
        topic: 'N/A',
        configurations: {},
        start_flag: true,
      },
      time: new Date().toISOString(),
    })
    assert.equal(fresh, 'new')
    assert.equal((await agents('?host=compute-2')).length, 1)
  })

  it('lets admins disable, describe and delete agents', async () => {
    const l3 = (await agents('?agent_type=L3+agent'))[0] as Agent
    const upd = await h.request('PUT', `/v2.0/agents/${l3.id}`, {
      body: { agent: { admin_state_up: false, description: 'maintenance' } },
    })
    assert.equal(upd.status, 200, upd.text)
    assert.equal(upd.body.agent.admin_state_up, false)
    assert.equal(upd.body.agent.description, 'maintenance')
    const zones = (await h.request('GET', '/v2.0/availability_zones')).body.availability_zones
    assert.deepEqual(zones, [
      { name: 'nova', resource: 'network', state: 'available' },
      { name: 'nova', resource: 'router', state: 'unavailable' },
    ])
    const routerZones = await h.request(
      'GET',
      '/v2.0/availability_zones?resource=router&fields=state',
    )
    assert.deepEqual(routerZones.body.availability_zones, [{ state: 'unavailable' }])
    const readOnly = await h.request('PUT', `/v2.0/agents/${l3.id}`, {
      body: { agent: { host: 'elsewhere' } },
    })
    assert.equal(readOnly.status, 400)
    assert.equal(readOnly.body.NeutronError.message, 'Cannot update read-only attribute host')
    const gone = (await agents('?host=compute-2'))[0] as Agent
    assert.equal((await h.request('DELETE', `/v2.0/agents/${gone.id}`)).status, 204)
    const missing = await h.request('GET', `/v2.0/agents/${gone.id}`)
    assert.equal(missing.status, 404)
    assert.equal(missing.body.NeutronError.type, 'AgentNotFound')
    assert.equal(missing.body.NeutronError.message, `Agent ${gone.id} could not be found.`)
    assert.equal((await h.request('POST', '/v2.0/agents', { body: { agent: {} } })).status, 405)
  })

  it('shows members no agents and hides each one (Tempest test_list_agents_non_admin)', async () => {
    const m = await h.member('agent-member')
    const list = await h.request('GET', '/v2.0/agents', { token: m.token })
    assert.equal(list.status, 200)
    assert.deepEqual(list.body, { agents: [] })
    const id = (await agents())[0]?.id ?? ''
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { agent: { admin_state_up: false } }],
      ['DELETE', undefined],
    ] as const) {
      const res = await h.request(method, `/v2.0/agents/${id}`, { token: m.token, body })
      assert.equal(res.status, 404, method)
      assert.equal(res.body.NeutronError.message, 'The resource could not be found.')
    }
    const zones = await h.request('GET', '/v2.0/availability_zones', { token: m.token })
    assert.equal(zones.body.availability_zones.length, 2)
  })

  it('fans changes out to every agent listening on the topic', async () => {
    const { bus, log } = h.service.deps
    const seen: string[][] = []
    const listener = await serveRpc(bus, securityGroupUpdateRpc, {
      securityGroupsRuleUpdated: ({ security_groups }) => {
        seen.push(security_groups)
        return undefined
      },
      securityGroupsMemberUpdated: () => undefined,
    })
    await securityGroupsUpdated({ bus, log }, ['sg-1', 'sg-2'])
    await bus.idle()
    await listener.stop()
    assert.deepEqual(seen, [['sg-1', 'sg-2']])
  })
})
