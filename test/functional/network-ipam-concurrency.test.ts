/**
 * IPAM under concurrent port creation: never one address twice, and a full subnet refuses the
 * next port without leaving anything behind. Run it on every dialect
 * (OSTACK_TEST_DIALECT=postgres / mysql).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createPort } from '../../src/network/core/ports.js'
import { type NetworkHarness, startNetworkHarness } from '../support/network-harness.js'

describe('network: IPAM under concurrency', () => {
  let h: NetworkHarness
  let networkId: string
  let subnetId: string
  const projects = Array.from({ length: 8 }, (_, i) => `project${i}`)

  const count = async (table: 'port' | 'ip_allocation') => {
    const row = await h.service.deps.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  before(async () => {
    h = await startNetworkHarness({ network: { quota_port: '-1' } })
    networkId = (
      await h.request('POST', '/v2.0/networks', {
        body: { network: { name: 'race', shared: true } },
      })
    ).body.network.id
    subnetId = (
      await h.request('POST', '/v2.0/subnets', {
        body: { subnet: { network_id: networkId, ip_version: 4, cidr: '10.50.0.0/24' } },
      })
    ).body.subnet.id
  })
  after(async () => h.close())

  it('gives 200 ports created in parallel 200 distinct addresses', async () => {
    // Half go through the API, half through a second service instance on the same database
    // (its own allocation cursor, as another API process would have): their candidates collide.
    const other = { ...h.service.deps }
    const admin = { projectId: undefined, userId: 'test', isAdmin: true, requestId: 'req-test' }
    const made = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const project_id = projects[i % projects.length]
        if (i % 2 === 0) {
          const res = await h.request('POST', '/v2.0/ports', {
            body: { port: { network_id: networkId, project_id, name: `p${i}` } },
          })
          assert.equal(res.status, 201, res.text)
          return res.body.port
        }
        return createPort(other, admin, {
          network_id: networkId,
          project_id,
          name: `p${i}`,
          admin_state_up: true,
          device_id: '',
          device_owner: '',
        })
      }),
    )
    const addresses = made.map((p: any) => p.fixed_ips[0].ip_address as string)
    assert.equal(
      made.every((p: any) => p.fixed_ips.length === 1),
      true,
    )
    assert.equal(new Set(addresses).size, 200)
    for (const a of addresses) assert.match(a, /^10\.50\.0\.(\d+)$/)
    assert.equal(await count('ip_allocation'), 200)
    const listed = await h.request('GET', `/v2.0/ports?network_id=${networkId}&fields=id`)
    assert.equal(listed.body.ports.length, 200)
  })

  it('fills the subnet, then refuses the next port with nothing half-created', async () => {
    // 253 addresses in 10.50.0.2-254: 53 left, asked for by 60 concurrent requests.
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        h.request('POST', '/v2.0/ports', {
          body: { port: { network_id: networkId, project_id: projects[i % 8], name: `f${i}` } },
        }),
      ),
    )
    assert.equal(results.filter((r) => r.status === 201).length, 53)
    for (const r of results.filter((x) => x.status !== 201)) {
      assert.equal(r.status, 409, r.text)
      assert.equal(r.body.NeutronError.type, 'IpAddressGenerationFailure')
    }
    const ports = await count('port')
    const ips = await count('ip_allocation')
    assert.equal(ports, 253)
    assert.equal(ips, 253)
    const full = await h.request('POST', '/v2.0/ports', {
      body: { port: { network_id: networkId, name: 'one too many' } },
    })
    assert.equal(full.status, 409)
    assert.deepEqual(full.body.NeutronError, {
      type: 'IpAddressGenerationFailure',
      message: `No more IP addresses available on network ${networkId}.`,
      detail: '',
    })
    assert.equal(await count('port'), ports)
    assert.equal(await count('ip_allocation'), ips)
  })

  it('gives a freed address to exactly one of many ports asking for it', async () => {
    const list = await h.request('GET', `/v2.0/ports?fixed_ips=ip_address%3D10.50.0.77&fields=id`)
    const victim = list.body.ports[0].id
    assert.equal((await h.request('DELETE', `/v2.0/ports/${victim}`)).status, 204)
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.request('POST', '/v2.0/ports', {
          body: {
            port: {
              network_id: networkId,
              project_id: projects[i % 8],
              fixed_ips: [{ subnet_id: subnetId, ip_address: '10.50.0.77' }],
            },
          },
        }),
      ),
    )
    assert.equal(results.filter((r) => r.status === 201).length, 1)
    const refused = results.filter((r) => r.status !== 201)
    for (const r of refused) {
      assert.equal(r.status, 409, r.text)
      assert.equal(r.body.NeutronError.type, 'IpAddressAlreadyAllocated')
      assert.equal(
        r.body.NeutronError.message,
        `IP address 10.50.0.77 already allocated in subnet ${subnetId}`,
      )
    }
    assert.equal(await count('port'), 253)
    assert.equal(await count('ip_allocation'), 253)
  })
})
