import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { NOTIFICATIONS_TOPIC, type Notification } from '../../src/lib/rpc/notifier.js'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { insertInstance } from '../support/compute-rows.js'

type HostRow = { host_name: string; service: string; zone: string }
type Resource = { host: string; project: string; cpu: number; memory_mb: number; disk_gb: number }

describe('compute os-hosts', () => {
  let h: ComputeHarness
  let memberToken: string
  const seen: Notification[] = []
  before(async () => {
    h = await startComputeHarness()
    await h.image.bus.serve(NOTIFICATIONS_TOPIC, {
      // SAFETY: the notifier fans out Notification objects.
      info: (message) => void seen.push(message as Notification),
    })
    memberToken = (await h.member('hosts-member')).token
    const deps = h.service.deps
    await insertInstance(deps, { host: 'compute1', node: 'compute1', project_id: 'pa' })
    await insertInstance(deps, {
      host: 'compute1',
      node: 'compute1',
      project_id: 'pb',
      vcpus: 2,
      memory_mb: 2048,
      root_gb: 20,
      ephemeral_gb: 5,
    })
    await insertInstance(deps, { host: 'compute1', node: 'compute1', project_id: 'pa' })
    await insertInstance(deps, {
      host: 'compute1',
      node: 'compute1',
      project_id: 'pc',
      deleted_at: new Date().toISOString(),
    })
  })
  after(async () => h.close())

  const hosts = async (query = '') => {
    const res = await h.request('GET', `/v2.1/os-hosts${query}`)
    assert.equal(res.status, 200)
    return res.body.hosts as HostRow[]
  }

  it('lists one row per enabled service, filtered by zone', async () => {
    const all = await hosts()
    assert.ok(all.length >= 2)
    assert.deepEqual(
      all.map((r) => r.service),
      ['conductor', 'scheduler', 'compute', 'compute'],
    )
    for (const r of all) assert.deepEqual(Object.keys(r).sort(), ['host_name', 'service', 'zone'])
    assert.deepEqual(
      all.filter((r) => r.service === 'compute'),
      [
        { host_name: 'compute1', service: 'compute', zone: 'nova' },
        { host_name: 'compute2', service: 'compute', zone: 'nova' },
      ],
    )
    assert.equal(all[0]?.zone, 'internal')
    assert.deepEqual(await hosts('?zone='), all)
    assert.deepEqual(await hosts('?zone=xxx'), [])
    assert.deepEqual(
      (await hosts('?zone=nova')).map((r) => r.host_name),
      ['compute1', 'compute2'],
    )
    assert.equal((await hosts('?zone=internal')).length, 2)
    // The last of repeated values counts; unknown parameters are ignored.
    assert.equal((await hosts('?zone=xxx&zone=nova')).length, 2)
    assert.deepEqual(await hosts('?foo=bar'), all)
  })

  it('leaves disabled services out', async () => {
    const off = await h.request('PUT', '/v2.1/os-services/disable', {
      body: { host: 'compute2', binary: 'nova-compute' },
    })
    assert.equal(off.status, 200)
    try {
      assert.deepEqual(
        (await hosts()).filter((r) => r.service === 'compute').map((r) => r.host_name),
        ['compute1'],
      )
    } finally {
      await h.request('PUT', '/v2.1/os-services/enable', {
        body: { host: 'compute2', binary: 'nova-compute' },
      })
    }
    assert.equal((await hosts('?zone=nova')).length, 2)
  })

  it('shows a compute host: total, used now, used at most, and per project', async () => {
    const res = await h.request('GET', '/v2.1/os-hosts/compute1')
    assert.equal(res.status, 200)
    const rows = (res.body.host as { resource: Resource }[]).map((r) => r.resource)
    const detail = await h.request('GET', '/v2.1/os-hypervisors/detail')
    const node = (detail.body.hypervisors as Record<string, number | string>[]).find(
      (n) => n.hypervisor_hostname === 'compute1',
    )
    assert.ok(node)
    assert.deepEqual(rows, [
      {
        host: 'compute1',
        project: '(total)',
        cpu: node.vcpus,
        memory_mb: node.memory_mb,
        disk_gb: node.local_gb,
      },
      {
        host: 'compute1',
        project: '(used_now)',
        cpu: node.vcpus_used,
        memory_mb: node.memory_mb_used,
        disk_gb: node.local_gb_used,
      },
      { host: 'compute1', project: '(used_max)', cpu: 4, memory_mb: 3072, disk_gb: 27 },
      { host: 'compute1', project: 'pa', cpu: 2, memory_mb: 1024, disk_gb: 2 },
      { host: 'compute1', project: 'pb', cpu: 2, memory_mb: 2048, disk_gb: 25 },
    ])
    const idle = await h.request('GET', '/v2.1/os-hosts/compute2')
    assert.deepEqual(
      (idle.body.host as { resource: Resource }[]).map((r) => r.resource.project),
      ['(total)', '(used_now)', '(used_max)'],
    )
  })

  it('knows only compute hosts', async () => {
    const unknown = await h.request('GET', '/v2.1/os-hosts/nonexistent_hostname')
    assert.equal(unknown.status, 404)
    assert.deepEqual(unknown.body, {
      itemNotFound: {
        code: 404,
        message: "Host 'nonexistent_hostname' is not mapped to any cell",
      },
    })
    const conductorHost = (await hosts()).find((r) => r.service === 'conductor')?.host_name
    assert.ok(conductorHost)
    assert.equal((await h.request('GET', `/v2.1/os-hosts/${conductorHost}`)).status, 404)
  })

  it('answers status and maintenance requests without disabling the service', async () => {
    const put = (host: string, body: unknown) =>
      h.request('PUT', `/v2.1/os-hosts/${host}`, { body })
    const disable = await put('compute1', { status: 'Disable' })
    assert.equal(disable.status, 200)
    assert.deepEqual(disable.body, { host: 'compute1', status: 'disabled' })
    const services = await h.request('GET', '/v2.1/os-services?host=compute1')
    assert.equal(services.body.services[0].status, 'enabled')
    assert.deepEqual(
      (await put('compute1', { status: 'ENABLE', maintenance_mode: 'enable' })).body,
      {
        host: 'compute1',
        status: 'enabled',
        maintenance_mode: 'on_maintenance',
      },
    )
    assert.deepEqual((await put('compute2', { maintenance_mode: 'disable' })).body, {
      host: 'compute2',
      maintenance_mode: 'off_maintenance',
    })
    // Nova's schema misplaces its "one of the two is required": an empty body echoes the host.
    assert.deepEqual((await put('compute1', {})).body, { host: 'compute1' })
  })

  it('refuses bad update bodies and unknown hosts', async () => {
    const put = (host: string, body: unknown) =>
      h.request('PUT', `/v2.1/os-hosts/${host}`, { body })
    for (const body of [
      { status: null, maintenance_mode: null },
      { status: 'invalid', maintenance_mode: 'enable' },
      { status: 'enable', maintenance_mode: 'invalid' },
      { status: 'enable', foo: 1 },
      { status: ' enable' },
    ]) {
      const res = await put('compute1', body)
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.ok(res.body.badRequest)
    }
    assert.equal(
      (await put('compute1', { status: 'invalid' })).body.badRequest.message,
      "Invalid input for field/attribute status. Value: invalid. 'invalid' is not one of ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE']",
    )
    const unknown = await put('nonexistent_hostname', {
      status: 'enable',
      maintenance_mode: 'enable',
    })
    assert.equal(unknown.status, 404)
  })

  it('passes power actions to the host driver', async () => {
    for (const action of ['startup', 'shutdown', 'reboot']) {
      const res = await h.request('GET', `/v2.1/os-hosts/compute1/${action}`)
      assert.equal(res.status, 200)
      assert.deepEqual(res.body, { host: 'compute1', power_action: action })
      const unknown = await h.request('GET', `/v2.1/os-hosts/nonexistent_hostname/${action}`)
      assert.equal(unknown.status, 404)
    }
    await h.image.bus.idle()
    const reboot = seen.filter((n) => n.event_type.startsWith('HostAPI.power_action'))
    assert.deepEqual(
      reboot.slice(-2).map((n) => [n.event_type, n.payload]),
      [
        ['HostAPI.power_action.start', { host_name: 'compute1', action: 'reboot' }],
        ['HostAPI.power_action.end', { host_name: 'compute1', action: 'reboot' }],
      ],
    )
    // The host keeps running (as with Nova's fake driver).
    const services = await h.request('GET', '/v2.1/os-services?host=compute1')
    assert.equal(services.body.services[0].state, 'up')
  })

  it('answers 501 when the driver cannot do host operations', async () => {
    const agent = h.service.agents.find((a) => a.host === 'compute2')
    assert.ok(agent)
    Object.defineProperty(agent.driver, 'hostPowerAction', { value: undefined, configurable: true })
    Object.defineProperty(agent.driver, 'setHostMaintenance', {
      value: undefined,
      configurable: true,
    })
    try {
      const power = await h.request('GET', '/v2.1/os-hosts/compute2/reboot')
      assert.equal(power.status, 501)
      assert.deepEqual(power.body, {
        notImplemented: { code: 501, message: 'The requested functionality is not supported.' },
      })
      const maintenance = await h.request('PUT', '/v2.1/os-hosts/compute2', {
        body: { maintenance_mode: 'enable' },
      })
      assert.equal(maintenance.status, 501)
    } finally {
      Reflect.deleteProperty(agent.driver, 'hostPowerAction')
      Reflect.deleteProperty(agent.driver, 'setHostMaintenance')
    }
    assert.equal((await h.request('GET', '/v2.1/os-hosts/compute2/reboot')).status, 200)
  })

  it('is for admins only', async () => {
    const calls: [string, string, unknown?][] = [
      ['GET', '/v2.1/os-hosts'],
      ['GET', '/v2.1/os-hosts/compute1'],
      ['PUT', '/v2.1/os-hosts/compute1', { status: 'enable', maintenance_mode: 'enable' }],
      ['GET', '/v2.1/os-hosts/compute1/startup'],
      ['GET', '/v2.1/os-hosts/compute1/shutdown'],
      ['GET', '/v2.1/os-hosts/compute1/reboot'],
    ]
    for (const [method, path, body] of calls) {
      const res = await h.request(method, path, { token: memberToken, body })
      assert.equal(res.status, 403, `${method} ${path}`)
      assert.match(String(res.body.forbidden.message), /os_compute_api:os-hosts:/)
    }
  })

  it('is gone from microversion 2.43', async () => {
    assert.equal((await h.request('GET', '/v2.1/os-hosts', { microversion: '2.42' })).status, 200)
    const calls: [string, string, unknown?][] = [
      ['GET', '/v2.1/os-hosts'],
      ['GET', '/v2.1/os-hosts/compute1'],
      ['PUT', '/v2.1/os-hosts/compute1', { status: 'enable' }],
      ['GET', '/v2.1/os-hosts/compute1/reboot'],
    ]
    for (const [method, path, body] of calls) {
      const res = await h.request(method, path, { microversion: '2.43', body })
      assert.equal(res.status, 404, `${method} ${path}`)
    }
  })
})
