/**
 * Compute's `networks: "auto"` (microversion 2.37) over the network service, as Nova over
 * Neutron: a project without networks is refused while no topology can be made, then gets
 * Neutron's auto-allocated topology and its servers boot with a port on that network; several
 * servers at once end on one network.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'

type Json = Record<string, any>

describe('compute: networks auto (auto-allocated topology)', () => {
  let h: ComputeHarness
  let image: string
  let user: { projectId: string; token: string }

  const neutron = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await h.networkRequest(method, path, {
      ...(body === undefined ? {} : { body }),
      ...(token ? { token } : {}),
    })
    assert.ok(res.status < 300, `${method} ${path}: ${res.text}`)
    return res.body as Json
  }
  const boot = (server: Json) =>
    h.request('POST', '/v2.1/servers', {
      token: user.token,
      microversion: '2.37',
      body: {
        server: { name: 'auto', imageRef: image, flavorRef: '1', networks: 'auto', ...server },
      },
    })

  before(async () => {
    h = await startComputeHarness()
    image = await h.createImage()
    user = await h.member('auto-user')
  })
  after(async () => h.close())

  it('refuses auto while no topology can be made', async () => {
    const res = await boot({})
    assert.equal(res.status, 400, res.text)
    assert.equal(
      (Object.values(res.body)[0] as Json).message,
      `Unable to automatically allocate a network for project ${user.projectId}`,
    )
  })

  it('boots on the auto-allocated network, one network for servers made at once', async () => {
    const ext = await neutron('POST', '/v2.0/networks', {
      network: { name: 'public', 'router:external': true, is_default: true },
    })
    await neutron('POST', '/v2.0/subnets', {
      subnet: {
        network_id: ext.network.id,
        cidr: '172.24.4.0/24',
        ip_version: 4,
        enable_dhcp: false,
      },
    })
    await neutron('POST', '/v2.0/subnetpools', {
      subnetpool: {
        name: 'default-v4',
        prefixes: ['10.200.0.0/16'],
        default_prefixlen: 26,
        is_default: true,
        shared: true,
      },
    })
    const res = await boot({ min_count: 3 })
    assert.equal(res.status, 202, res.text)
    const servers = (
      (await h.request('GET', '/v2.1/servers?name=auto', { token: user.token })).body
        .servers as Json[]
    ).map((s) => s.id as string)
    assert.equal(servers.length, 3)
    for (const id of servers) {
      const done = await h.waitForServer(id, (s) => s?.status === 'ACTIVE' || s?.status === 'ERROR')
      assert.equal(done?.status, 'ACTIVE', JSON.stringify(done?.fault))
    }
    const nets = (await neutron('GET', `/v2.0/networks?project_id=${user.projectId}`))
      .networks as Json[]
    assert.deepEqual(
      nets.map((n) => [n.name, n.admin_state_up]),
      [['auto_allocated_network', true]],
    )
    const topology = await neutron(
      'GET',
      `/v2.0/auto-allocated-topology/${user.projectId}`,
      undefined,
      user.token,
    )
    assert.equal(topology.auto_allocated_topology.id, nets[0]?.id)
    for (const id of servers) {
      const ports = (await neutron('GET', `/v2.0/ports?device_id=${id}`)).ports as Json[]
      assert.equal(ports.length, 1)
      assert.equal(ports[0]?.network_id, nets[0]?.id)
      assert.match(ports[0]?.fixed_ips[0].ip_address, /^10\.200\.0\.\d+$/)
      const shown = await h.request('GET', `/v2.1/servers/${id}`, {
        token: user.token,
        microversion: '2.37',
      })
      assert.deepEqual(Object.keys(shown.body.server.addresses), ['auto_allocated_network'])
    }
    for (const id of servers) {
      assert.equal((await h.request('DELETE', `/v2.1/servers/${id}`)).status, 204)
      await h.waitForServer(id, (_s, status) => status === 404)
    }
    // With the servers gone the topology can be taken down whole.
    await neutron(
      'DELETE',
      `/v2.0/auto-allocated-topology/${user.projectId}`,
      undefined,
      user.token,
    )
    const left = (await neutron('GET', `/v2.0/networks?project_id=${user.projectId}`)).networks
    assert.deepEqual(left, [])
  })
})
