import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { insertInstance } from '../support/compute-rows.js'

type Hyp = Record<string, unknown> & { id: number | string; hypervisor_hostname: string }

const DETAIL_KEYS = [
  'cpu_info',
  'current_workload',
  'disk_available_least',
  'free_disk_gb',
  'free_ram_mb',
  'host_ip',
  'hypervisor_hostname',
  'hypervisor_type',
  'hypervisor_version',
  'id',
  'local_gb',
  'local_gb_used',
  'memory_mb',
  'memory_mb_used',
  'running_vms',
  'service',
  'state',
  'status',
  'vcpus',
  'vcpus_used',
]

describe('compute hypervisors', () => {
  let h: ComputeHarness
  let memberToken: string
  let serverOn1: string
  before(async () => {
    h = await startComputeHarness()
    memberToken = (await h.member('hyp-member')).token
    serverOn1 = await insertInstance(h.service.deps, { host: 'compute1', node: 'compute1' })
  })
  after(async () => h.close())

  const get = (path: string, microversion?: string) =>
    h.request('GET', `/v2.1/os-hypervisors${path}`, microversion ? { microversion } : {})

  it('lists and details hypervisors with integer ids before 2.53', async () => {
    const list = await get('')
    assert.equal(list.status, 200)
    const hyps = list.body.hypervisors as Hyp[]
    assert.deepEqual(
      hyps.map((x) => x.hypervisor_hostname),
      ['compute1', 'compute2'],
    )
    assert.deepEqual(Object.keys(hyps[0] ?? {}).sort(), [
      'hypervisor_hostname',
      'id',
      'state',
      'status',
    ])
    assert.equal(typeof hyps[0]?.id, 'number')
    assert.equal(hyps[0]?.state, 'up')
    assert.equal(hyps[0].status, 'enabled')
    const detail = await get('/detail')
    const d = detail.body.hypervisors[0] as Hyp
    assert.deepEqual(Object.keys(d).sort(), DETAIL_KEYS)
    assert.equal(typeof d.cpu_info, 'string', 'cpu_info is a string before 2.28')
    assert.deepEqual(Object.keys(d.service as object).sort(), ['disabled_reason', 'host', 'id'])
    assert.equal(typeof (d.service as { id: unknown }).id, 'number')
    assert.equal(d.memory_mb_used, 512, 'reserved host memory counts as used')
    const v228 = await get('/detail', '2.28')
    assert.equal(typeof v228.body.hypervisors[0].cpu_info, 'object')
    const v253 = await get('/detail', '2.53')
    assert.match(v253.body.hypervisors[0].id, /^[0-9a-f-]{36}$/)
    assert.match(v253.body.hypervisors[0].service.id, /^[0-9a-f-]{36}$/)
  })

  it('shows one hypervisor by integer id or (2.53) uuid', async () => {
    const [first] = (await get('')).body.hypervisors as Hyp[]
    const show = await get(`/${String(first?.id)}`)
    assert.equal(show.status, 200)
    assert.equal(show.body.hypervisor.hypervisor_hostname, first?.hypervisor_hostname)
    assert.deepEqual(Object.keys(show.body.hypervisor).sort(), DETAIL_KEYS)
    for (const id of ['abc', randomUUID(), '9999']) {
      const missing = await get(`/${id}`)
      assert.equal(missing.status, 404, id)
      assert.equal(
        missing.body.itemNotFound.message,
        `Hypervisor with ID '${id}' could not be found.`,
      )
      assert.equal((await get(`/${id}/uptime`)).status, 404)
    }
    const [uuidFirst] = (await get('', '2.53')).body.hypervisors as Hyp[]
    const byUuid = await get(`/${String(uuidFirst?.id)}?with_servers=true`, '2.53')
    assert.equal(byUuid.status, 200)
    assert.deepEqual(byUuid.body.hypervisor.servers, [
      { name: byUuid.body.hypervisor.servers[0].name, uuid: serverOn1 },
    ])
    assert.match(byUuid.body.hypervisor.servers[0].name, /^instance-[0-9a-f]{8}$/)
    const notUuid = await get('/1', '2.53')
    assert.equal(notUuid.status, 400)
    assert.equal(notUuid.body.badRequest.message, 'Invalid uuid 1')
    assert.equal((await get(`/${randomUUID()}`, '2.53')).status, 404)
    assert.equal((await get(`/${String(uuidFirst?.id)}?bogus=1`, '2.53')).status, 400)
  })

  it('searches by hostname and lists servers before 2.53', async () => {
    const search = await get('/compute/search')
    assert.equal(search.status, 200)
    assert.equal(search.body.hypervisors.length, 2)
    const one = await get('/COMPUTE1/search')
    assert.deepEqual(
      one.body.hypervisors.map((x: Hyp) => x.hypervisor_hostname),
      ['compute1'],
    )
    const none = await get('/nothing/search')
    assert.equal(none.status, 404)
    assert.equal(none.body.itemNotFound.message, "No hypervisor matching 'nothing' could be found.")
    assert.equal((await get('/nothing/servers')).status, 404)
    const servers = await get('/compute/servers')
    const [c1, c2] = servers.body.hypervisors as Hyp[]
    assert.deepEqual(
      (c1?.servers as { uuid: string }[]).map((s) => s.uuid),
      [serverOn1],
    )
    assert.equal(c2?.servers, undefined, 'no servers key for an empty host')
    assert.equal((await get('/compute/search', '2.53')).status, 404)
    assert.equal((await get('/compute/servers', '2.53')).status, 404)
  })

  it('pages from 2.33 and filters by pattern from 2.53', async () => {
    const page1 = await get('?limit=1', '2.33')
    assert.equal(page1.body.hypervisors.length, 1)
    const next = page1.body.hypervisors_links[0]
    assert.equal(next.rel, 'next')
    const firstId = String(page1.body.hypervisors[0].id)
    assert.ok(next.href.endsWith(`/v2.1/os-hypervisors?limit=1&marker=${firstId}`))
    const page2 = await get(`?limit=1&marker=${firstId}`, '2.33')
    assert.equal(page2.body.hypervisors[0].hypervisor_hostname, 'compute2')
    const end = await get(`/detail?marker=${String(page2.body.hypervisors[0].id)}`, '2.33')
    assert.deepEqual(end.body.hypervisors, [])
    assert.equal(end.body.hypervisors_links, undefined)
    const bad = await get('?marker=999', '2.33')
    assert.equal(bad.status, 400)
    assert.equal(bad.body.badRequest.message, 'marker [999] not found')
    assert.equal((await get('?limit=-1', '2.33')).status, 400)
    assert.equal((await get('?limit=1', '2.1')).body.hypervisors.length, 2, 'no paging before 2.33')
    const uuidPage = await get('?limit=1', '2.53')
    const page2b = await get(`?limit=1&marker=${String(uuidPage.body.hypervisors[0].id)}`, '2.53')
    assert.equal(page2b.body.hypervisors[0].hypervisor_hostname, 'compute2')
    const pattern = await get('/detail?hypervisor_hostname_pattern=compute2&with_servers=1', '2.53')
    assert.equal(pattern.body.hypervisors.length, 1)
    assert.equal(pattern.body.hypervisors[0].servers, undefined, 'before 2.75 no empty list')
    const v275 = await get('?hypervisor_hostname_pattern=compute2&with_servers=true', '2.75')
    assert.deepEqual(v275.body.hypervisors[0].servers, [])
    const withLimit = await get('?hypervisor_hostname_pattern=compute&limit=1', '2.53')
    assert.equal(withLimit.status, 400)
    assert.equal((await get('?hypervisor_hostname_pattern=zzz', '2.53')).status, 404)
    assert.equal((await get('?with_servers=maybe', '2.53')).status, 400)
    assert.equal((await get('?unknown=1', '2.53')).status, 400)
    assert.equal((await get('?unknown=1', '2.33')).status, 200)
  })

  it('sums statistics over enabled hosts and reports uptime of up hosts', async () => {
    const stats = await get('/statistics')
    assert.equal(stats.status, 200)
    assert.equal(stats.body.hypervisor_statistics.count, 2)
    assert.equal(stats.body.hypervisor_statistics.vcpus, 32)
    const [first] = (await get('')).body.hypervisors as Hyp[]
    const uptime = await get(`/${String(first?.id)}/uptime`)
    assert.equal(uptime.status, 200)
    assert.deepEqual(Object.keys(uptime.body.hypervisor).sort(), [
      'hypervisor_hostname',
      'id',
      'state',
      'status',
      'uptime',
    ])
    assert.match(uptime.body.hypervisor.uptime, / up \d+ days, /)
    await h.request('PUT', '/v2.1/os-services/disable', {
      body: { host: 'compute2', binary: 'nova-compute' },
    })
    assert.equal((await get('/statistics')).body.hypervisor_statistics.count, 1)
    const detail = await get('/detail')
    assert.equal(detail.body.hypervisors[1].status, 'disabled')
    await h.request('PUT', '/v2.1/os-services/enable', {
      body: { host: 'compute2', binary: 'nova-compute' },
    })
    await h.request('PUT', '/v2.1/os-services/force-down', {
      body: { host: 'compute1', binary: 'nova-compute', forced_down: true },
      microversion: '2.11',
    })
    const down = await get(`/${String(first?.id)}/uptime`)
    assert.equal(down.status, 400)
    assert.equal(
      down.body.badRequest.message,
      'Compute service of compute1 is unavailable at this time.',
    )
    assert.equal((await get('')).body.hypervisors[0].state, 'down')
    await h.request('PUT', '/v2.1/os-services/force-down', {
      body: { host: 'compute1', binary: 'nova-compute', forced_down: false },
      microversion: '2.11',
    })
  })

  it('refuses members everywhere', async () => {
    for (const path of [
      '',
      '/detail',
      '/1',
      '/statistics',
      '/1/uptime',
      '/compute/search',
      '/compute/servers',
    ]) {
      const res = await h.request('GET', `/v2.1/os-hypervisors${path}`, { token: memberToken })
      assert.equal(res.status, 403, path)
    }
  })
})
