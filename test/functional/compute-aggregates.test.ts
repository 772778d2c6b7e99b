import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { fleetGeneration } from '../../src/compute/core/fleet-generation.js'
import { HostStateCache } from '../../src/compute/scheduler/host-states.js'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { insertInstance } from '../support/compute-rows.js'

const MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/

describe('compute aggregates and availability zones', () => {
  let h: ComputeHarness
  let member: { token: string; projectId: string }
  before(async () => {
    h = await startComputeHarness()
    member = await h.member('agg-member')
  })
  after(async () => h.close())

  const create = (body: unknown, microversion?: string) =>
    h.request('POST', '/v2.1/os-aggregates', {
      body,
      ...(microversion ? { microversion } : {}),
    })
  const action = (id: number, body: unknown) =>
    h.request('POST', `/v2.1/os-aggregates/${String(id)}/action`, { body })
  const count = async () =>
    (await h.request('GET', '/v2.1/os-aggregates')).body.aggregates.length as number

  it('creates an aggregate: 200 without hosts and metadata, uuid from 2.41', async () => {
    const res = await create({ aggregate: { name: 'plain' } })
    assert.equal(res.status, 200)
    const a = res.body.aggregate
    assert.deepEqual(Object.keys(a).sort(), [
      'availability_zone',
      'created_at',
      'deleted',
      'deleted_at',
      'id',
      'name',
      'updated_at',
    ])
    assert.equal(typeof a.id, 'number')
    assert.equal(a.availability_zone, null)
    assert.equal(a.deleted, false)
    assert.equal(a.deleted_at, null)
    assert.equal(a.updated_at, null)
    assert.match(a.created_at, MICROS)
    const v241 = await create({ aggregate: { name: 'with-uuid', availability_zone: null } }, '2.41')
    assert.equal(v241.status, 200)
    assert.match(v241.body.aggregate.uuid, /^[0-9a-f-]{36}$/)
    const show = await h.request('GET', `/v2.1/os-aggregates/${String(v241.body.aggregate.id)}`, {
      microversion: '2.41',
    })
    assert.equal(show.body.aggregate.uuid, v241.body.aggregate.uuid)
    assert.deepEqual(show.body.aggregate.hosts, [])
    assert.deepEqual(show.body.aggregate.metadata, {})
    const old = await h.request('GET', `/v2.1/os-aggregates/${String(v241.body.aggregate.id)}`)
    assert.equal(old.body.aggregate.uuid, undefined)
  })

  it('refuses bad input and duplicates, changing nothing', async () => {
    const before = await count()
    for (const body of [
      { aggregate: { name: '' } },
      { aggregate: { name: 'x'.repeat(256) } },
      { aggregate: { name: ' lead' } },
      { aggregate: { name: 'az-colon', availability_zone: 'a:b' } },
      { aggregate: { name: 'extra', foo: 1 } },
      { aggregate: {} },
      {},
    ]) {
      const res = await create(body)
      assert.equal(res.status, 400, JSON.stringify(body))
    }
    const dup = await create({ aggregate: { name: 'plain' } })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.conflictingRequest.message, 'Aggregate plain already exists.')
    assert.equal(await count(), before)
  })

  it('answers 403 to members on every call', async () => {
    const token = member.token
    const id = (await create({ aggregate: { name: 'guarded' } })).body.aggregate.id as number
    const calls: [string, string, unknown?][] = [
      ['GET', '/v2.1/os-aggregates'],
      ['POST', '/v2.1/os-aggregates', { aggregate: { name: 'm' } }],
      ['GET', `/v2.1/os-aggregates/${String(id)}`],
      ['PUT', `/v2.1/os-aggregates/${String(id)}`, { aggregate: { name: 'm2' } }],
      ['DELETE', `/v2.1/os-aggregates/${String(id)}`],
      ['POST', `/v2.1/os-aggregates/${String(id)}/action`, { add_host: { host: 'compute1' } }],
      ['POST', `/v2.1/os-aggregates/${String(id)}/action`, { remove_host: { host: 'compute1' } }],
      [
        'POST',
        `/v2.1/os-aggregates/${String(id)}/action`,
        { set_metadata: { metadata: { a: 'b' } } },
      ],
    ]
    for (const [method, path, body] of calls) {
      const res = await h.request(method, path, { token, ...(body ? { body } : {}) })
      assert.equal(res.status, 403, `${method} ${path}`)
    }
    const still = await h.request('GET', `/v2.1/os-aggregates/${String(id)}`)
    assert.equal(still.body.aggregate.name, 'guarded')
  })

  it('validates ids: not an integer is 400, unknown (and -1) is 404', async () => {
    const bad = await h.request('GET', '/v2.1/os-aggregates/abc')
    assert.equal(bad.status, 400)
    assert.equal(bad.body.badRequest.message, 'Invalid input received: id must be an integer')
    for (const id of ['-1', '99999']) {
      const res = await h.request('GET', `/v2.1/os-aggregates/${id}`)
      assert.equal(res.status, 404)
      assert.equal(res.body.itemNotFound.message, `Aggregate ${id} could not be found.`)
      assert.equal((await h.request('DELETE', `/v2.1/os-aggregates/${id}`)).status, 404)
    }
  })

  it('updates name and zone, sets and deletes metadata', async () => {
    const id = (await create({ aggregate: { name: 'to-update' } })).body.aggregate.id as number
    const res = await h.request('PUT', `/v2.1/os-aggregates/${String(id)}`, {
      body: { aggregate: { name: ' renamed ', availability_zone: 'zone-u' } },
    })
    assert.equal(res.status, 200)
    assert.equal(res.body.aggregate.name, 'renamed', 'update strips the name')
    assert.equal(res.body.aggregate.availability_zone, 'zone-u')
    assert.deepEqual(res.body.aggregate.metadata, { availability_zone: 'zone-u' })
    assert.match(res.body.aggregate.updated_at, MICROS)
    const empty = await h.request('PUT', `/v2.1/os-aggregates/${String(id)}`, {
      body: { aggregate: {} },
    })
    assert.equal(empty.status, 400)
    const nullZone = await h.request('PUT', `/v2.1/os-aggregates/${String(id)}`, {
      body: { aggregate: { availability_zone: null } },
    })
    assert.equal(nullZone.status, 400)
    assert.equal(
      nullZone.body.badRequest.message,
      `Cannot update aggregate ${String(id)}. Reason: Aggregate renamed does not support empty named availability zone.`,
    )
    const taken = await h.request('PUT', `/v2.1/os-aggregates/${String(id)}`, {
      body: { aggregate: { name: 'plain' } },
    })
    assert.equal(taken.status, 409)
    const meta = await action(id, { set_metadata: { metadata: { key: 'value', other: 'x' } } })
    assert.equal(meta.status, 200)
    assert.deepEqual(meta.body.aggregate.metadata, {
      availability_zone: 'zone-u',
      key: 'value',
      other: 'x',
    })
    const removed = await action(id, { set_metadata: { metadata: { other: null, gone: null } } })
    assert.deepEqual(removed.body.aggregate.metadata, { availability_zone: 'zone-u', key: 'value' })
    const badKey = await action(id, { set_metadata: { metadata: { 'bad/key': 'v' } } })
    assert.equal(badKey.status, 400)
    const unknown = await action(id, { frobnicate: {} })
    assert.equal(unknown.status, 400)
    const show = await h.request('GET', `/v2.1/os-aggregates/${String(id)}`)
    assert.equal(show.body.aggregate.name, 'renamed')
    assert.deepEqual(show.body.aggregate.metadata, { availability_zone: 'zone-u', key: 'value' })
  })

  it('adds and removes hosts under Nova rules on zones', async () => {
    const az1 = (await create({ aggregate: { name: 'agg-az1', availability_zone: 'az1' } })).body
      .aggregate.id as number
    const az2 = (await create({ aggregate: { name: 'agg-az2', availability_zone: 'az2' } })).body
      .aggregate.id as number
    const noZone = (await create({ aggregate: { name: 'agg-nozone' } })).body.aggregate.id as number
    const generation = await fleetGeneration(h.service.deps.db)
    const added = await action(az1, { add_host: { host: 'compute1' } })
    assert.equal(added.status, 200)
    assert.deepEqual(added.body.aggregate.hosts, ['compute1'])
    assert.ok((await fleetGeneration(h.service.deps.db)) > generation, 'schedulers are told')
    const again = await action(az1, { add_host: { host: 'compute1' } })
    assert.equal(again.status, 409)
    assert.equal(
      again.body.conflictingRequest.message,
      `Aggregate ${String(az1)} already has host compute1.`,
    )
    const unknown = await action(az1, { add_host: { host: 'nohost' } })
    assert.equal(unknown.status, 404)
    assert.equal(unknown.body.itemNotFound.message, 'Compute host nohost could not be found.')
    const otherZone = await action(az2, { add_host: { host: 'compute1' } })
    assert.equal(otherZone.status, 409)
    assert.equal(
      otherZone.body.conflictingRequest.message,
      `Cannot add host to aggregate ${String(az2)}. Reason: One or more hosts already in availability zone(s) ['az1'].`,
    )
    assert.equal((await action(noZone, { add_host: { host: 'compute1' } })).status, 200)
    const zoneClash = await h.request('PUT', `/v2.1/os-aggregates/${String(noZone)}`, {
      body: { aggregate: { availability_zone: 'az3' } },
    })
    assert.equal(zoneClash.status, 400)
    assert.equal(
      zoneClash.body.badRequest.message,
      `Cannot update aggregate ${String(noZone)}. Reason: One or more hosts already in availability zone(s) ['az1'].`,
    )
    const metaClash = await action(noZone, {
      set_metadata: { metadata: { availability_zone: 'az3' } },
    })
    assert.equal(metaClash.status, 400)
    assert.match(metaClash.body.badRequest.message, /^Cannot update metadata of aggregate/)
    // Same zone as the host's other aggregate is fine.
    const same = await action(noZone, { set_metadata: { metadata: { availability_zone: 'az1' } } })
    assert.equal(same.status, 200)
    assert.equal(same.body.aggregate.availability_zone, 'az1')

    // The host is in az1 for services, zones and the scheduler.
    const services = await h.request('GET', '/v2.1/os-services?host=compute1')
    assert.equal(services.body.services[0].zone, 'az1')
    const zones = await h.request('GET', '/v2.1/os-availability-zone', { token: member.token })
    assert.deepEqual(
      zones.body.availabilityZoneInfo.map((z: { zoneName: string }) => z.zoneName).sort(),
      ['az1', 'nova'],
    )
    const states = await new HostStateCache(h.service.deps).all()
    assert.equal(states.find((s) => s.host === 'compute1')?.availabilityZone, 'az1')

    assert.equal((await action(noZone, { remove_host: { host: 'compute1' } })).status, 200)
    // A zone holding servers keeps its name.
    const server = await insertInstance(h.service.deps, { host: 'compute1', node: 'compute1' })
    const rename = await h.request('PUT', `/v2.1/os-aggregates/${String(az1)}`, {
      body: { aggregate: { availability_zone: 'az1-new' } },
    })
    assert.equal(rename.status, 400)
    assert.equal(
      rename.body.badRequest.message,
      `Cannot update aggregate ${String(az1)}. Reason: One or more hosts contain instances in this zone.`,
    )
    await h.service.deps.db.deleteFrom('instance').where('id', '=', server).execute()

    const notEmpty = await h.request('DELETE', `/v2.1/os-aggregates/${String(az1)}`)
    assert.equal(notEmpty.status, 400)
    assert.equal(
      notEmpty.body.badRequest.message,
      `Cannot remove host from aggregate ${String(az1)}. Reason: Host aggregate is not empty.`,
    )
    const removed = await action(az1, { remove_host: { host: 'compute1' } })
    assert.equal(removed.status, 200)
    assert.deepEqual(removed.body.aggregate.hosts, [])
    for (const host of ['compute1', 'nonexist_host']) {
      const missing = await action(az1, { remove_host: { host } })
      assert.equal(missing.status, 404)
      assert.equal(
        missing.body.itemNotFound.message,
        `Cannot remove host ${host} in aggregate ${String(az1)}`,
      )
    }
    const deleted = await h.request('DELETE', `/v2.1/os-aggregates/${String(az1)}`)
    assert.equal(deleted.status, 200)
    assert.equal(deleted.text, '')
    assert.equal((await h.request('GET', `/v2.1/os-aggregates/${String(az1)}`)).status, 404)
  })

  it('lists zones: internal only in the detail, disabled-only zones unavailable', async () => {
    const agg = (await create({ aggregate: { name: 'zone-x', availability_zone: 'zone-x' } })).body
      .aggregate.id as number
    await action(agg, { add_host: { host: 'compute1' } })
    const disable = await h.request('PUT', '/v2.1/os-services/disable', {
      body: { host: 'compute2', binary: 'nova-compute' },
    })
    assert.equal(disable.status, 200)
    const list = await h.request('GET', '/v2.1/os-availability-zone')
    assert.deepEqual(list.body.availabilityZoneInfo, [
      { zoneName: 'zone-x', zoneState: { available: true }, hosts: null },
      { zoneName: 'nova', zoneState: { available: false }, hosts: null },
    ])
    const forbidden = await h.request('GET', '/v2.1/os-availability-zone/detail', {
      token: member.token,
    })
    assert.equal(forbidden.status, 403)
    const detail = await h.request('GET', '/v2.1/os-availability-zone/detail')
    assert.equal(detail.status, 200)
    const byName = new Map(
      detail.body.availabilityZoneInfo.map((z: { zoneName: string }) => [z.zoneName, z]),
    )
    const internal = byName.get('internal') as { hosts: Record<string, Record<string, unknown>> }
    const binaries = Object.values(internal.hosts)
      .flatMap((s) => Object.keys(s))
      .sort()
    assert.deepEqual(binaries, ['nova-conductor', 'nova-scheduler'])
    const zoneX = byName.get('zone-x') as { hosts: Record<string, Record<string, unknown>> }
    const compute = zoneX.hosts.compute1?.['nova-compute'] as Record<string, unknown>
    assert.equal(compute.available, true)
    assert.equal(compute.active, true)
    assert.match(String(compute.updated_at), MICROS)
    assert.deepEqual(byName.get('nova'), {
      zoneName: 'nova',
      zoneState: { available: false },
      hosts: null,
    })
    await h.request('PUT', '/v2.1/os-services/enable', {
      body: { host: 'compute2', binary: 'nova-compute' },
    })
    await action(agg, { remove_host: { host: 'compute1' } })
  })

  it('sends servers booted into a zone to its hosts at once', async () => {
    const agg = (await create({ aggregate: { name: 'boot-zone', availability_zone: 'boot' } })).body
      .aggregate.id as number
    await action(agg, { add_host: { host: 'compute2' } })
    const image = await h.createImage()
    for (let i = 0; i < 2; i++) {
      const res = await h.request('POST', '/v2.1/servers', {
        body: {
          server: {
            name: `z${String(i)}`,
            imageRef: image,
            flavorRef: '1',
            availability_zone: 'boot',
          },
        },
      })
      assert.equal(res.status, 202)
      const server = await h.waitForServer(res.body.server.id, (s) => s?.status !== 'BUILD')
      assert.equal(server?.status, 'ACTIVE')
      assert.equal(server['OS-EXT-SRV-ATTR:host'], 'compute2')
      assert.equal(server['OS-EXT-AZ:availability_zone'], 'boot')
      await h.request('DELETE', `/v2.1/servers/${String(res.body.server.id)}`)
      await h.waitForServer(res.body.server.id, (_s, status) => status === 404)
    }
    await action(agg, { remove_host: { host: 'compute2' } })
  })
})
