import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type NetworkHarness, startNetworkHarness } from '../support/network-harness.js'

const RESOURCES = [
  'floatingip',
  'network',
  'port',
  'router',
  'security_group',
  'security_group_rule',
  'subnet',
  'subnetpool',
]

describe('network: quotas', () => {
  let h: NetworkHarness
  let m: { projectId: string; token: string }
  before(async () => {
    h = await startNetworkHarness({ network: { quota_network: '3' } })
    m = await h.member('quota-member')
  })
  after(async () => h.close())

  it('shows defaults from the config, for every quota resource', async () => {
    const res = await h.request('GET', `/v2.0/quotas/${m.projectId}`)
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(Object.keys(res.body.quota).sort(), RESOURCES)
    assert.equal(res.body.quota.network, 3)
    assert.equal(res.body.quota.subnetpool, -1)
    const defaults = await h.request('GET', `/v2.0/quotas/${m.projectId}/default`)
    assert.deepEqual(defaults.body.quota, res.body.quota)
  })

  it('sets, lists and resets a project quota (Tempest test_quotas)', async () => {
    const upd = await h.request('PUT', `/v2.0/quotas/${m.projectId}`, {
      body: { quota: { network: 0, port: '0' } },
    })
    assert.equal(upd.status, 200, upd.text)
    assert.equal(upd.body.quota.network, 0)
    assert.equal(upd.body.quota.port, 0)
    assert.equal(upd.body.quota.subnet, 10)
    const list = await h.request('GET', '/v2.0/quotas')
    const mine = list.body.quotas.find((q: { project_id: string }) => q.project_id === m.projectId)
    assert.ok(mine)
    assert.equal(mine.tenant_id, m.projectId)
    assert.equal(mine.network, 0)
    const shown = await h.request('GET', `/v2.0/quotas/${m.projectId}`, { token: m.token })
    assert.equal(shown.body.quota.port, 0)
    const net = await h.request('POST', '/v2.0/networks', {
      token: m.token,
      body: { network: { name: 'n' } },
    })
    assert.equal(net.status, 409)
    assert.equal(net.body.NeutronError.message, "Quota exceeded for resources: ['network'].")
    assert.equal((await h.request('DELETE', `/v2.0/quotas/${m.projectId}`)).status, 204)
    const after = await h.request('GET', '/v2.0/quotas')
    assert.ok(after.body.quotas.every((q: { project_id: string }) => q.project_id !== m.projectId))
    const again = await h.request('DELETE', `/v2.0/quotas/${m.projectId}`)
    assert.equal(again.status, 404)
    assert.equal(again.body.NeutronError.type, 'TenantQuotaNotFound')
    assert.equal(
      again.body.NeutronError.message,
      `Quota for tenant ${m.projectId} could not be found.`,
    )
  })

  it('details usage, limit and reserved per resource (also as details.json)', async () => {
    await h.request('POST', '/v2.0/networks', { token: m.token, body: { network: { name: 'a' } } })
    const res = await h.request('GET', `/v2.0/quotas/${m.projectId}/details.json`, {
      token: m.token,
    })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body.quota.network, { used: 1, limit: 3, reserved: 0 })
    // The project's default security group and its four rules are counted too.
    assert.deepEqual(res.body.quota.security_group, { used: 1, limit: 10, reserved: 0 })
    assert.deepEqual(res.body.quota.security_group_rule, { used: 4, limit: 100, reserved: 0 })
    for (const key of RESOURCES)
      assert.deepEqual(Object.keys(res.body.quota[key]).sort(), ['limit', 'reserved', 'used'])
  })

  it('refuses bad limits with Neutron wording and changes nothing', async () => {
    const cases: [unknown, number, string][] = [
      [
        { quota: { network: -2 } },
        400,
        "Invalid input for network. Reason: '-2' is too small - must be at least '-1'.",
      ],
      [
        { quota: { network: 'many' } },
        400,
        "Invalid input for operation: 'many' is not an integer.",
      ],
      [{ quota: { volumes: 3 } }, 400, "Unrecognized attribute(s) 'volumes'"],
      [{ quotas: {} }, 400, "Unable to find 'quota' in request body"],
    ]
    for (const [body, status, message] of cases) {
      const res = await h.request('PUT', `/v2.0/quotas/${m.projectId}`, { body })
      assert.equal(res.status, status, JSON.stringify(body))
      assert.equal(res.body.NeutronError.message, message)
    }
    const limited = await h.request('PUT', `/v2.0/quotas/${m.projectId}`, {
      body: { quota: { network: 0, check_limit: true } },
    })
    assert.equal(limited.status, 400)
    assert.equal(
      limited.body.NeutronError.message,
      'Quota limit 0 for network must be greater than or equal to already used 1',
    )
    const shown = await h.request('GET', `/v2.0/quotas/${m.projectId}`)
    assert.equal(shown.body.quota.network, 3)
    const unlimited = await h.request('PUT', `/v2.0/quotas/${m.projectId}`, {
      body: { quota: { network: -1, force: true } },
    })
    assert.equal(unlimited.body.quota.network, -1)
  })

  it('lets members read only their own quotas, and change none', async () => {
    const other = await h.member('quota-other')
    const own = await h.request('GET', `/v2.0/quotas/${other.projectId}`, { token: other.token })
    assert.equal(own.status, 200)
    const theirs = await h.request('GET', `/v2.0/quotas/${m.projectId}`, { token: other.token })
    assert.equal(theirs.status, 403)
    assert.equal(theirs.body.NeutronError.type, 'PolicyNotAuthorized')
    assert.equal(theirs.body.NeutronError.message, '(rule:get_quota) is disallowed by policy')
    const details = await h.request('GET', `/v2.0/quotas/${m.projectId}/details`, {
      token: other.token,
    })
    assert.equal(details.status, 403)
    assert.equal(details.body.NeutronError.type, 'AdminRequired')
    const list = await h.request('GET', '/v2.0/quotas', { token: other.token })
    assert.equal(list.status, 403)
    const put = await h.request('PUT', `/v2.0/quotas/${other.projectId}`, {
      token: other.token,
      body: { quota: { network: 100 } },
    })
    assert.equal(put.status, 403)
    assert.equal(
      (await h.request('DELETE', `/v2.0/quotas/${other.projectId}`, { token: other.token })).status,
      403,
    )
    const project = await h.request('GET', '/v2.0/quotas/project', { token: other.token })
    assert.deepEqual(project.body, { project: { project_id: other.projectId } })
  })
})
