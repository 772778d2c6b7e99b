import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { HostStateCache } from '../../src/compute/scheduler/host-states.js'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { insertInstance, insertMigration } from '../support/compute-rows.js'

type Service = Record<string, unknown> & { id: number | string; host: string; binary: string }

const KEYS_21 = ['binary', 'disabled_reason', 'host', 'id', 'state', 'status', 'updated_at', 'zone']

describe('compute services', () => {
  let h: ComputeHarness
  let memberToken: string
  before(async () => {
    h = await startComputeHarness()
    memberToken = (await h.member('svc-member')).token
  })
  after(async () => h.close())

  const list = async (query = '', microversion?: string) =>
    (await h.request('GET', `/v2.1/os-services${query}`, microversion ? { microversion } : {})).body
      .services as Service[]
  const put = (id: string, body: unknown, microversion?: string) =>
    h.request('PUT', `/v2.1/os-services/${id}`, { body, ...(microversion ? { microversion } : {}) })

  it('lists the conductor, the scheduler and every compute host', async () => {
    const services = await list()
    assert.deepEqual(
      services.map((s) => s.binary),
      ['nova-conductor', 'nova-scheduler', 'nova-compute', 'nova-compute'],
    )
    assert.deepEqual(Object.keys(services[0] ?? {}).sort(), KEYS_21)
    assert.equal(services[0]?.zone, 'internal')
    assert.equal(services[2]?.zone, 'nova')
    assert.equal(services[2].state, 'up')
    assert.equal(services[2].status, 'enabled')
    assert.equal(typeof services[0].id, 'number')
    assert.match(String(services[0].updated_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/)
    const v211 = await list('', '2.11')
    assert.equal(v211[0]?.forced_down, false)
    const v253 = await list('', '2.53')
    assert.match(String(v253[0]?.id), /^[0-9a-f-]{36}$/)
  })

  it('filters by host and binary; unknown filters are ignored before 2.75', async () => {
    const computes = await list('?binary=nova-compute')
    assert.ok(computes.every((s) => s.binary === 'nova-compute'))
    assert.equal(computes.length, 2)
    const one = await list('?host=compute1')
    assert.deepEqual(
      one.map((s) => `${s.host}/${s.binary}`),
      ['compute1/nova-compute'],
    )
    assert.deepEqual(await list('?host=compute1&binary=xxx'), [])
    assert.deepEqual(await list('?host=xxx'), [])
    assert.equal((await list('?xxx=nova-compute')).length, 4)
    const strict = await h.request('GET', '/v2.1/os-services?xxx=1', { microversion: '2.75' })
    assert.equal(strict.status, 400)
    const forbidden = await h.request('GET', '/v2.1/os-services', { token: memberToken })
    assert.equal(forbidden.status, 403)
  })

  it('updates by action before 2.53', async () => {
    const disable = await put('disable', { host: 'compute1', binary: 'nova-compute' })
    assert.equal(disable.status, 200)
    assert.deepEqual(disable.body, {
      service: { host: 'compute1', binary: 'nova-compute', status: 'disabled' },
    })
    const withReason = await put('disable-log-reason', {
      host: 'compute1',
      binary: 'nova-compute',
      disabled_reason: 'maintenance',
    })
    assert.deepEqual(withReason.body.service, {
      host: 'compute1',
      binary: 'nova-compute',
      status: 'disabled',
      disabled_reason: 'maintenance',
    })
    const shown = (await list('?host=compute1'))[0]
    assert.equal(shown?.status, 'disabled')
    assert.equal(shown.disabled_reason, 'maintenance')
    const noReason = await put('disable-log-reason', { host: 'compute1', binary: 'nova-compute' })
    assert.equal(noReason.status, 400)
    assert.equal(noReason.body.badRequest.message, 'Missing disabled reason field')
    const enable = await put('enable', { host: 'compute1', binary: 'nova-compute' })
    assert.deepEqual(enable.body.service.status, 'enabled')
    assert.equal((await list('?host=compute1'))[0]?.disabled_reason, null)
    const unknownAction = await put('reboot', { host: 'compute1', binary: 'nova-compute' })
    assert.equal(unknownAction.status, 404)
    assert.equal(unknownAction.body.itemNotFound.message, 'Unknown action')
    assert.equal(
      (await put('force-down', { host: 'compute1', binary: 'nova-compute', forced_down: true }))
        .status,
      400,
      'force-down needs 2.11',
    )
    const scheduler = await put('disable', {
      host: String((await list())[1]?.host),
      binary: 'nova-scheduler',
    })
    assert.equal(scheduler.status, 400)
    assert.equal(
      scheduler.body.badRequest.message,
      'Updating a nova-scheduler service is not supported. Only nova-compute services can be updated.',
    )
    const unknownHost = await put('disable', { host: 'nohost', binary: 'nova-compute' })
    assert.equal(unknownHost.status, 404)
    assert.equal((await put('disable', { host: 'compute1' })).status, 400)
    assert.equal(
      (await put('disable', { host: 'compute1', binary: 'nova-compute', x: 1 })).status,
      400,
    )
    const member = await h.request('PUT', '/v2.1/os-services/disable', {
      token: memberToken,
      body: { host: 'compute1', binary: 'nova-compute' },
    })
    assert.equal(member.status, 403)
    assert.equal((await list('?host=compute1'))[0]?.status, 'enabled')
  })

  it('forces down (2.11) and reports the state', async () => {
    const down = await put(
      'force-down',
      { host: 'compute2', binary: 'nova-compute', forced_down: true },
      '2.11',
    )
    assert.equal(down.status, 200)
    assert.deepEqual(down.body, {
      service: { host: 'compute2', binary: 'nova-compute', forced_down: true },
    })
    const listed = (await list('?host=compute2', '2.11'))[0]
    assert.equal(listed?.forced_down, true)
    assert.equal(listed.state, 'down')
    const missing = await put('force-down', { host: 'compute2', binary: 'nova-compute' }, '2.11')
    assert.equal(missing.status, 400)
    assert.equal(missing.body.badRequest.message, 'Missing forced_down field')
    await put(
      'force-down',
      { host: 'compute2', binary: 'nova-compute', forced_down: 'false' },
      '2.11',
    )
    assert.equal((await list('?host=compute2', '2.11'))[0]?.state, 'up')
  })

  it('updates by uuid from 2.53, and the scheduler skips a disabled host at once', async () => {
    const compute1 = (await list('?host=compute1', '2.53'))[0]
    const id = String(compute1?.id)
    const disabled = await put(id, { status: 'disabled', disabled_reason: 'testing' }, '2.53')
    assert.equal(disabled.status, 200)
    assert.deepEqual(Object.keys(disabled.body.service).sort(), [...KEYS_21, 'forced_down'].sort())
    assert.equal(disabled.body.service.status, 'disabled')
    assert.equal(disabled.body.service.disabled_reason, 'testing')
    assert.equal(disabled.body.service.id, id)
    const states = await new HostStateCache(h.service.deps).all()
    assert.equal(states.find((s) => s.host === 'compute1')?.serviceDisabled, true)
    // Boots go elsewhere while compute1 is disabled.
    const image = await h.createImage()
    const boot = await h.request('POST', '/v2.1/servers', {
      body: { server: { name: 'away', imageRef: image, flavorRef: '1' } },
    })
    assert.equal(boot.status, 202)
    const server = await h.waitForServer(boot.body.server.id, (s) => s?.status !== 'BUILD')
    assert.equal(server?.['OS-EXT-SRV-ATTR:host'], 'compute2')
    await h.request('DELETE', `/v2.1/servers/${String(boot.body.server.id)}`)
    await h.waitForServer(boot.body.server.id, (_s, status) => status === 404)

    const both = await put(id, { status: 'enabled', disabled_reason: 'x' }, '2.53')
    assert.equal(both.status, 400)
    assert.equal(
      both.body.badRequest.message,
      "Specifying 'disabled_reason' with status 'enabled' is invalid.",
    )
    const nothing = await put(id, {}, '2.53')
    assert.equal(nothing.status, 400)
    assert.equal(
      nothing.body.badRequest.message,
      "No updates were requested. Fields 'status' or 'forced_down' should be specified.",
    )
    assert.equal((await put(id, { disabled_reason: 'only' }, '2.53')).status, 400)
    const enabled = await put(id, { status: 'enabled', forced_down: false }, '2.53')
    assert.equal(enabled.body.service.status, 'enabled')
    assert.equal(enabled.body.service.disabled_reason, null)
    assert.equal(enabled.body.service.forced_down, false)
    const notUuid = await put('12', { status: 'enabled' }, '2.53')
    assert.equal(notUuid.status, 400)
    assert.equal(notUuid.body.badRequest.message, 'Invalid uuid 12')
    for (const body of [
      { status: 'enabled' },
      { status: 'disabled' },
      { status: 'disabled', disabled_reason: 'r' },
    ]) {
      const unknown = randomUUID()
      const res = await put(unknown, body, '2.53')
      assert.equal(res.status, 404)
      assert.equal(res.body.itemNotFound.message, `Service ${unknown} could not be found.`)
    }
    const conductor = (await list('', '2.53'))[0]
    const refused = await put(String(conductor?.id), { status: 'disabled' }, '2.53')
    assert.equal(refused.status, 400)
    assert.equal((await put(id, { status: 'paused' }, '2.53')).status, 400)
  })

  it('refuses to delete a compute service hosting servers or migrations, else deletes it', async () => {
    const compute2 = (await list('?host=compute2', '2.53'))[0]
    const id = String(compute2?.id)
    const server = await insertInstance(h.service.deps, { host: 'compute2', node: 'compute2' })
    const busy = await h.request('DELETE', `/v2.1/os-services/${id}`, { microversion: '2.53' })
    assert.equal(busy.status, 409)
    assert.equal(
      busy.body.conflictingRequest.message,
      'Unable to delete compute service that is hosting instances. Migrate or delete the instances first.',
    )
    await h.service.deps.db.deleteFrom('instance').where('id', '=', server).execute()
    const migration = await insertMigration(h.service.deps, {
      status: 'migrating',
      dest_compute: 'compute2',
    })
    const migrating = await h.request('DELETE', `/v2.1/os-services/${id}`, { microversion: '2.53' })
    assert.equal(migrating.status, 409)
    await h.service.deps.db.deleteFrom('migration').where('uuid', '=', migration).execute()
    const badId = await h.request('DELETE', '/v2.1/os-services/abc')
    assert.equal(badId.status, 400)
    assert.equal(badId.body.badRequest.message, 'Invalid input received: id must be an integer')
    const unknown = await h.request('DELETE', '/v2.1/os-services/9999')
    assert.equal(unknown.status, 404)
    assert.equal(unknown.body.itemNotFound.message, 'Service 9999 not found.')
    const member = await h.request('DELETE', `/v2.1/os-services/${id}`, {
      token: memberToken,
      microversion: '2.53',
    })
    assert.equal(member.status, 403)
    const agg = await h.request('POST', '/v2.1/os-aggregates', {
      body: { aggregate: { name: 'svc-agg' } },
    })
    await h.request('POST', `/v2.1/os-aggregates/${String(agg.body.aggregate.id)}/action`, {
      body: { add_host: { host: 'compute2' } },
    })
    const deleted = await h.request('DELETE', `/v2.1/os-services/${id}`, { microversion: '2.53' })
    assert.equal(deleted.status, 204)
    assert.equal(deleted.text, '')
    assert.deepEqual(await list('?host=compute2'), [])
    const shown = await h.request('GET', `/v2.1/os-aggregates/${String(agg.body.aggregate.id)}`)
    assert.deepEqual(shown.body.aggregate.hosts, [], 'the host left its aggregates')
    const hyps = await h.request('GET', '/v2.1/os-hypervisors')
    assert.deepEqual(
      hyps.body.hypervisors.map((x: { hypervisor_hostname: string }) => x.hypervisor_hostname),
      ['compute1'],
    )
    // The agent's next report brings the host back, as a restarted nova-compute would.
    const agent = h.service.agents.find((a) => a.host === 'compute2')
    await agent?.report()
    assert.equal((await list('?host=compute2')).length, 1)
  })
})
