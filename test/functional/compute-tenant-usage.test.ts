import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { insertInstance } from '../support/compute-rows.js'

const HOUR = 3_600_000
const MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/

/** `%Y-%m-%dT%H:%M:%S.%f` as Tempest sends it. */
function pyTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000`
}

describe('compute simple tenant usage', () => {
  let h: ComputeHarness
  let alice: { projectId: string; userId: string; token: string }
  let bobProject: string
  const ids: Record<string, string> = {}
  const now = Date.now()
  const window = `start=${pyTime(now - 24 * HOUR)}&end=${pyTime(now + 24 * HOUR)}`

  before(async () => {
    h = await startComputeHarness()
    alice = await h.member('usage-alice')
    bobProject = (await h.member('usage-bob')).projectId
    const at = (ms: number) => new Date(ms).toISOString()
    const d = h.service.deps
    ids.running = await insertInstance(d, {
      project_id: alice.projectId,
      display_name: 'running',
      vcpus: 2,
      memory_mb: 1024,
      root_gb: 10,
      ephemeral_gb: 5,
      launched_at: at(now - 10 * HOUR),
    })
    ids.ended = await insertInstance(d, {
      project_id: alice.projectId,
      display_name: 'ended',
      launched_at: at(now - 5 * HOUR),
      terminated_at: at(now - 2 * HOUR),
      deleted_at: at(now - 2 * HOUR),
      vm_state: 'deleted',
    })
    ids.old = await insertInstance(d, {
      project_id: alice.projectId,
      launched_at: at(now - 72 * HOUR),
      terminated_at: at(now - 48 * HOUR),
    })
    ids.building = await insertInstance(d, { project_id: alice.projectId, launched_at: null })
    ids.bob = await insertInstance(d, { project_id: bobProject, launched_at: at(now - HOUR) })
  })
  after(async () => h.close())

  it('sums usage per project over the period (admin list)', async () => {
    const res = await h.request('GET', `/v2.1/os-simple-tenant-usage?${window}`)
    assert.equal(res.status, 200)
    const usages = res.body.tenant_usages as Record<string, unknown>[]
    const mine = usages.find((u) => u.tenant_id === alice.projectId)
    assert.ok(mine)
    assert.deepEqual(Object.keys(mine).sort(), [
      'start',
      'stop',
      'tenant_id',
      'total_hours',
      'total_local_gb_usage',
      'total_memory_mb_usage',
      'total_vcpus_usage',
    ])
    assert.ok(Math.abs(Number(mine.total_hours) - 13) < 0.05, String(mine.total_hours))
    assert.ok(Math.abs(Number(mine.total_vcpus_usage) - (2 * 10 + 3)) < 0.1)
    assert.ok(Math.abs(Number(mine.total_local_gb_usage) - (15 * 10 + 3)) < 0.5)
    assert.match(String(mine.start), MICROS)
    assert.match(String(mine.stop), MICROS)
    assert.ok(usages.some((u) => u.tenant_id === bobProject))
    const detailed = await h.request('GET', `/v2.1/os-simple-tenant-usage?${window}&detailed=1`)
    const withServers = (detailed.body.tenant_usages as Record<string, unknown>[]).find(
      (u) => u.tenant_id === alice.projectId,
    )
    const servers = withServers?.server_usages as { instance_id: string }[]
    assert.deepEqual(servers.map((s) => s.instance_id).sort(), [ids.running, ids.ended].sort())
  })

  it('shows one project to its members with every server', async () => {
    const res = await h.request(
      'GET',
      `/v2.1/os-simple-tenant-usage/${alice.projectId}?${window}`,
      {
        token: alice.token,
      },
    )
    assert.equal(res.status, 200)
    const usage = res.body.tenant_usage as Record<string, unknown>
    assert.equal(Object.keys(usage).length, 8)
    const servers = usage.server_usages as Record<string, unknown>[]
    const ended = servers.find((s) => s.instance_id === ids.ended)
    assert.ok(ended)
    assert.deepEqual(Object.keys(ended).sort(), [
      'ended_at',
      'flavor',
      'hours',
      'instance_id',
      'local_gb',
      'memory_mb',
      'name',
      'started_at',
      'state',
      'tenant_id',
      'uptime',
      'vcpus',
    ])
    assert.equal(ended.state, 'terminated')
    assert.equal(ended.flavor, 'm1.tiny')
    assert.equal(ended.uptime, 3 * 3600)
    assert.match(String(ended.ended_at), MICROS)
    const running = servers.find((s) => s.instance_id === ids.running)
    assert.equal(running?.state, 'active')
    assert.equal(running.ended_at, null)
    assert.equal(running.local_gb, 15)
    assert.ok(Math.abs(Number(running.hours) - 10) < 0.05)
  })

  it('pages over servers from 2.40', async () => {
    const first = await h.request(
      'GET',
      `/v2.1/os-simple-tenant-usage/${alice.projectId}?${window}&limit=1`,
      { microversion: '2.40' },
    )
    assert.equal(first.status, 200)
    assert.equal((first.body.tenant_usage.server_usages as unknown[]).length, 1)
    const next = first.body.tenant_usage_links[0]
    assert.equal(next.rel, 'next')
    const marker = new URL(next.href).searchParams.get('marker')
    assert.equal(marker, first.body.tenant_usage.server_usages[0].instance_id)
    const second = await h.request(
      'GET',
      `/v2.1/os-simple-tenant-usage/${alice.projectId}?${window}&limit=1&marker=${String(marker)}`,
      { microversion: '2.40' },
    )
    assert.notEqual(second.body.tenant_usage.server_usages[0].instance_id, marker)
    const unknown = await h.request(
      'GET',
      `/v2.1/os-simple-tenant-usage?${window}&marker=00000000-0000-0000-0000-000000000000`,
      { microversion: '2.40' },
    )
    assert.equal(unknown.status, 400)
    assert.equal(
      unknown.body.badRequest.message,
      'Marker 00000000-0000-0000-0000-000000000000 could not be found.',
    )
    const listPage = await h.request('GET', `/v2.1/os-simple-tenant-usage?${window}&limit=1`, {
      microversion: '2.40',
    })
    assert.ok(listPage.body.tenant_usages_links)
    const strict = await h.request('GET', `/v2.1/os-simple-tenant-usage?${window}&bogus=1`, {
      microversion: '2.75',
    })
    assert.equal(strict.status, 400)
  })

  it('refuses members, bad periods and empty tenants', async () => {
    const list = await h.request('GET', `/v2.1/os-simple-tenant-usage?${window}`, {
      token: alice.token,
    })
    assert.equal(list.status, 403)
    const other = await h.request('GET', `/v2.1/os-simple-tenant-usage/${bobProject}?${window}`, {
      token: alice.token,
    })
    assert.equal(other.status, 403)
    const reversed = await h.request(
      'GET',
      `/v2.1/os-simple-tenant-usage?start=${pyTime(now)}&end=${pyTime(now - HOUR)}`,
    )
    assert.equal(reversed.status, 400)
    assert.equal(
      reversed.body.badRequest.message,
      'Invalid start time. The start time cannot occur after the end time.',
    )
    const bad = await h.request('GET', '/v2.1/os-simple-tenant-usage?start=yesterday')
    assert.equal(bad.status, 400)
    assert.equal(
      bad.body.badRequest.message,
      'Invalid datetime string: Datetime is in invalid format',
    )
    const spaced = await h.request(
      'GET',
      `/v2.1/os-simple-tenant-usage?start=${encodeURIComponent('2020-01-01 00:00:00.5')}`,
    )
    assert.equal(spaced.status, 200)
    const empty = await h.request('GET', `/v2.1/os-simple-tenant-usage/?${window}`)
    assert.equal(empty.status, 404)
    const nobody = await h.request('GET', `/v2.1/os-simple-tenant-usage/nobody?${window}`)
    assert.deepEqual(nobody.body, { tenant_usage: {} })
  })
})
