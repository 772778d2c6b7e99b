import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ActionKit, actionKit, faultMessage } from '../support/compute-actions.js'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'

describe('compute server sub-resources', () => {
  let h: ComputeHarness
  let k: ActionKit
  let alice: { userId: string; projectId: string; token: string }
  let bob: { userId: string; projectId: string; token: string }
  before(async () => {
    h = await startComputeHarness()
    k = await actionKit(h, await h.createImage())
    alice = await h.member('alice')
    bob = await h.member('bob')
  })
  after(async () => h.close())

  it('manages metadata with Nova state, lock and quota rules', async () => {
    const id = await k.boot({ token: alice.token })
    const url = `/v2.1/servers/${id}/metadata`
    const as = { token: alice.token }
    let res = await h.request('GET', url, as)
    assert.deepEqual(res.body, { metadata: {} })
    res = await h.request('POST', url, { ...as, body: { metadata: { a: '1', b: '2' } } })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body, { metadata: { a: '1', b: '2' } })
    res = await h.request('POST', url, { ...as, body: { metadata: { b: '3' } } })
    assert.deepEqual(res.body, { metadata: { a: '1', b: '3' } })
    res = await h.request('PUT', url, { ...as, body: { metadata: { c: '4' } } })
    assert.deepEqual(res.body, { metadata: { c: '4' } })
    res = await h.request('GET', `${url}/c`, as)
    assert.deepEqual(res.body, { meta: { c: '4' } })
    res = await h.request('GET', `${url}/zz`, as)
    assert.equal(res.status, 404)
    assert.equal(faultMessage(res), 'Metadata item was not found')
    res = await h.request('PUT', `${url}/d`, { ...as, body: { meta: { d: '5' } } })
    assert.deepEqual(res.body, { meta: { d: '5' } })
    res = await h.request('PUT', `${url}/d`, { ...as, body: { meta: { e: '5' } } })
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), 'Request body and URI mismatch')
    res = await h.request('PUT', `${url}/d`, { ...as, body: { meta: { d: '5', e: '6' } } })
    assert.equal(res.status, 400)
    res = await h.request('DELETE', `${url}/d`, as)
    assert.equal(res.status, 204)
    res = await h.request('DELETE', `${url}/d`, as)
    assert.equal(res.status, 404)
    const many = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v']))
    res = await h.request('PUT', url, { ...as, body: { metadata: many } })
    assert.equal(res.status, 403)
    assert.equal(faultMessage(res), 'Maximum number of metadata items exceeds 128')
    res = await h.request('POST', url, { ...as, body: { metadata: { '': 'x' } } })
    assert.equal(res.status, 400)
    assert.deepEqual((await h.request('GET', url, as)).body, { metadata: { c: '4' } })
    res = await h.request('GET', url, { token: bob.token })
    assert.equal(res.status, 404)
    await k.act(id, { lock: null }, as)
    res = await h.request('POST', url, { ...as, body: { metadata: { x: 'y' } } })
    assert.equal(res.status, 409)
    assert.equal(faultMessage(res), `Instance ${id} is locked`)
    await k.act(id, { unlock: null }, as)
    await k.act(id, { rescue: null }, as)
    await k.settled(id, 'RESCUE')
    res = await h.request('POST', url, { ...as, body: { metadata: { x: 'y' } } })
    assert.equal(res.status, 409)
    assert.equal(
      faultMessage(res),
      `Cannot 'update metadata' instance ${id} while it is in vm_state rescued`,
    )
    res = await h.request('GET', '/v2.1/servers/00000000-0000-0000-0000-000000000000/metadata')
    assert.equal(res.status, 404)
  })

  it('manages tags from 2.26 with Location on PUT tag', async () => {
    const id = await k.boot({ token: alice.token })
    const url = `/v2.1/servers/${id}/tags`
    const as = { token: alice.token, microversion: '2.26' }
    let res = await h.request('GET', url, { token: alice.token })
    assert.equal(res.status, 404, 'no tags below 2.26')
    res = await h.request('PUT', url, { ...as, body: { tags: ['b', 'a', 'a'] } })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body, { tags: ['a', 'b'] })
    res = await h.request('PUT', `${url}/c`, as)
    assert.equal(res.status, 201)
    assert.match(res.headers.location as string, new RegExp(`/servers/${id}/tags/c$`))
    res = await h.request('PUT', `${url}/c`, as)
    assert.equal(res.status, 204)
    assert.ok(res.headers.location)
    res = await h.request('GET', `${url}/c`, as)
    assert.equal(res.status, 204)
    res = await h.request('GET', `${url}/zz`, as)
    assert.equal(res.status, 404)
    assert.equal(faultMessage(res), `Server ${id} has no tag 'zz'`)
    res = await h.request('PUT', `${url}/a%2Cb`, as)
    assert.equal(res.status, 400)
    assert.match(faultMessage(res), /^Tag 'a,b' is invalid\. It must be a non empty string/)
    res = await h.request('DELETE', `${url}/zz`, as)
    assert.equal(res.status, 404)
    assert.equal(faultMessage(res), `Instance ${id} has no tag 'zz'`)
    res = await h.request('DELETE', `${url}/c`, as)
    assert.equal(res.status, 204)
    res = await h.request('GET', url, as)
    assert.deepEqual(res.body, { tags: ['a', 'b'] })
    res = await h.request('GET', url, { token: bob.token, microversion: '2.26' })
    assert.equal(res.status, 403, 'tags find servers through the instance mapping')
    const fifty = Array.from({ length: 50 }, (_, i) => `t${i}`)
    res = await h.request('PUT', url, { ...as, body: { tags: fifty } })
    assert.equal(res.status, 200)
    res = await h.request('PUT', `${url}/one-more`, as)
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), 'The number of tags exceeded the per-server limit 50')
    res = await h.request('PUT', url, { ...as, body: { tags: [...fifty, 'x'] } })
    assert.equal(res.status, 400)
    res = await h.request('DELETE', url, as)
    assert.equal(res.status, 204)
    assert.deepEqual((await h.request('GET', url, as)).body, { tags: [] })
    await k.act(id, { rescue: null }, { token: alice.token })
    await k.settled(id, 'RESCUE')
    res = await h.request('PUT', `${url}/x`, as)
    assert.equal(res.status, 409)
    assert.equal(
      faultMessage(res),
      `Cannot 'update tag' instance ${id} while it is in vm_state rescued`,
    )
  })

  it('lists and shows instance actions with events per microversion', async () => {
    const id = await k.boot({ token: alice.token })
    await k.act(id, { reboot: { type: 'SOFT' } }, { token: alice.token })
    await k.settled(id, 'ACTIVE')
    const url = `/v2.1/servers/${id}/os-instance-actions`
    let res = await h.request('GET', url, { token: alice.token })
    assert.equal(res.status, 200)
    const [reboot, create] = res.body.instanceActions
    assert.equal(reboot.action, 'reboot')
    assert.equal(create.action, 'create')
    assert.deepEqual(Object.keys(reboot).sort(), [
      'action',
      'instance_uuid',
      'message',
      'project_id',
      'request_id',
      'start_time',
      'user_id',
    ])
    assert.match(reboot.start_time as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/)
    res = await h.request('GET', `${url}/${reboot.request_id}`, { token: alice.token })
    assert.equal(res.body.instanceAction.events, undefined, 'members see no events before 2.51')
    res = await h.request('GET', `${url}/${reboot.request_id}`, {
      token: alice.token,
      microversion: '2.51',
    })
    assert.deepEqual(Object.keys(res.body.instanceAction.events[0]).sort(), [
      'event',
      'finish_time',
      'result',
      'start_time',
    ])
    res = await h.request('GET', `${url}/${reboot.request_id}`)
    const ev = res.body.instanceAction.events[0]
    assert.equal(ev.event, 'compute_reboot_instance')
    assert.equal(ev.result, 'Success')
    assert.ok('traceback' in ev)
    res = await h.request('GET', `${url}/${reboot.request_id}`, { microversion: '2.62' })
    const ev62 = res.body.instanceAction.events[0]
    assert.ok(['compute1', 'compute2'].includes(ev62.host as string))
    assert.equal((ev62.hostId as string).length, 56)
    res = await h.request('GET', `${url}/${reboot.request_id}`, {
      token: alice.token,
      microversion: '2.62',
    })
    assert.equal(res.body.instanceAction.events[0].host, undefined)
    assert.equal(res.body.instanceAction.events[0].hostId.length, 56)
    res = await h.request('GET', `${url}/req-nope`, { token: alice.token })
    assert.equal(res.status, 404)
    assert.equal(faultMessage(res), 'Action req-nope not found')
    // 2.58: paging, updated_at and strict query parameters.
    res = await h.request('GET', `${url}?limit=1`, { token: alice.token, microversion: '2.58' })
    assert.equal(res.body.instanceActions.length, 1)
    assert.ok(res.body.instanceActions[0].updated_at)
    assert.match(res.body.links[0].href as string, /marker=req-/)
    res = await h.request('GET', `${url}?marker=${reboot.request_id as string}`, {
      token: alice.token,
      microversion: '2.58',
    })
    assert.deepEqual(
      res.body.instanceActions.map((a: { action: string }) => a.action),
      ['create'],
    )
    res = await h.request('GET', `${url}?marker=nope`, { token: alice.token, microversion: '2.58' })
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), 'Marker nope could not be found.')
    res = await h.request('GET', `${url}?foo=1`, { token: alice.token, microversion: '2.58' })
    assert.equal(res.status, 400)
    res = await h.request('GET', `${url}?changes-since=2999-01-01T00:00:00Z`, {
      token: alice.token,
      microversion: '2.58',
    })
    assert.deepEqual(res.body.instanceActions, [])
    res = await h.request('GET', url, { token: bob.token })
    assert.equal(res.status, 404)
    // Deleted servers keep their actions, readable from 2.21.
    await h.request('DELETE', `/v2.1/servers/${id}`, { token: alice.token })
    await h.waitForServer(id, (_s, status) => status === 404)
    res = await h.request('GET', url, { token: alice.token })
    assert.equal(res.status, 404)
    res = await h.request('GET', url, { token: alice.token, microversion: '2.21' })
    assert.deepEqual(
      res.body.instanceActions.map((a: { action: string }) => a.action),
      ['delete', 'reboot', 'create'],
    )
  })

  it('answers password, ips, security groups and diagnostics', async () => {
    const id = await k.boot({ token: alice.token })
    const as = { token: alice.token }
    let res = await h.request('GET', `/v2.1/servers/${id}/os-server-password`, as)
    assert.deepEqual(res.body, { password: '' })
    await h.service.deps.db
      .insertInto('instance_system_metadata')
      .values({ instance_id: id, key: 'password', value: 'encrypted' })
      .execute()
    res = await h.request('GET', `/v2.1/servers/${id}/os-server-password`, as)
    assert.deepEqual(res.body, { password: 'encrypted' })
    res = await h.request('DELETE', `/v2.1/servers/${id}/os-server-password`, as)
    assert.equal(res.status, 204)
    res = await h.request('GET', `/v2.1/servers/${id}/os-server-password`, as)
    assert.deepEqual(res.body, { password: '' })
    res = await h.request('GET', `/v2.1/servers/${id}/ips`, as)
    assert.deepEqual(res.body, { addresses: {} })
    res = await h.request('GET', `/v2.1/servers/${id}/ips/private`, as)
    assert.equal(res.status, 404)
    assert.equal(faultMessage(res), 'Instance is not a member of specified network')
    res = await h.request('GET', `/v2.1/servers/${id}/os-security-groups`, as)
    assert.deepEqual(res.body, { security_groups: [] })
    res = await h.request('GET', `/v2.1/servers/${id}/diagnostics`, as)
    assert.equal(res.status, 403)
    res = await h.request('GET', `/v2.1/servers/${id}/diagnostics`)
    assert.equal(res.status, 200)
    assert.equal(res.body.memory, 512 * 1024)
    assert.ok('cpu0_time' in res.body)
    res = await h.request('GET', `/v2.1/servers/${id}/diagnostics`, { microversion: '2.48' })
    assert.deepEqual(Object.keys(res.body).sort(), [
      'config_drive',
      'cpu_details',
      'disk_details',
      'driver',
      'hypervisor',
      'hypervisor_os',
      'memory_details',
      'nic_details',
      'num_cpus',
      'num_disks',
      'num_nics',
      'state',
      'uptime',
    ])
    assert.equal(res.body.state, 'running')
    assert.equal(res.body.memory_details.maximum, 512)
    for (const path of ['os-server-password', 'ips', 'os-security-groups'])
      assert.equal(
        (await h.request('GET', `/v2.1/servers/${id}/${path}`, { token: bob.token })).status,
        404,
      )
  })

  it('takes external events (admin): 200 when all land, 207 otherwise', async () => {
    const id = await k.boot()
    const url = '/v2.1/os-server-external-events'
    const event = { server_uuid: id, name: 'network-changed' }
    let res = await h.request('POST', url, { body: { events: [event] }, token: alice.token })
    assert.equal(res.status, 403)
    res = await h.request('POST', url, { body: { events: [] } })
    assert.equal(res.status, 400)
    res = await h.request('POST', url, { body: { events: [event] } })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body, { events: [{ ...event, status: 'completed', code: 200 }] })
    const missing = { server_uuid: '00000000-0000-0000-0000-000000000000', name: 'network-changed' }
    res = await h.request('POST', url, { body: { events: [event, missing] } })
    assert.equal(res.status, 207)
    assert.equal(res.body.events[1].code, 404)
    assert.equal(res.body.events[1].status, 'failed')
    res = await h.request('POST', url, {
      body: { events: [{ server_uuid: id, name: 'power-update', tag: 'POWER_OFF' }] },
    })
    assert.equal(res.status, 400, 'power-update from 2.76')
    res = await h.request('POST', url, {
      microversion: '2.76',
      body: { events: [{ server_uuid: id, name: 'power-update' }] },
    })
    assert.equal(res.status, 207)
    assert.equal(res.body.events[0].code, 400)
    res = await h.request('POST', url, {
      microversion: '2.76',
      body: { events: [{ server_uuid: id, name: 'power-update', tag: 'POWER_OFF' }] },
    })
    assert.equal(res.status, 200)
    await k.settled(id, 'SHUTOFF')
  })

  it('shows server migrations (2.23, admin) and refuses force_complete/abort unless running', async () => {
    const id = await k.boot()
    const url = `/v2.1/servers/${id}/migrations`
    let res = await h.request('GET', url)
    assert.equal(res.status, 404, 'from 2.23')
    res = await h.request('GET', url, { microversion: '2.23', token: bob.token })
    assert.equal(res.status, 404)
    res = await h.request('GET', url, { microversion: '2.23' })
    assert.deepEqual(res.body, { migrations: [] })
    await k.act(id, {
      'os-migrateLive': { host: null, block_migration: false, disk_over_commit: false },
    })
    await k.settled(id, 'ACTIVE')
    const migration = await h.service.deps.db
      .selectFrom('migration')
      .selectAll()
      .where('instance_uuid', '=', id)
      .executeTakeFirstOrThrow()
    res = await h.request('GET', `${url}/${migration.id}`, { microversion: '2.23' })
    assert.equal(res.status, 404)
    assert.equal(
      faultMessage(res),
      `Live migration ${migration.id} for server ${id} is not in progress.`,
    )
    res = await h.request('POST', `${url}/${migration.id}/action`, {
      microversion: '2.22',
      body: { force_complete: null },
    })
    assert.equal(res.status, 409)
    assert.equal(
      faultMessage(res),
      `Cannot 'force_complete' instance ${id} while it is in task_state None`,
    )
    res = await h.request('DELETE', `${url}/${migration.id}`, { microversion: '2.24' })
    assert.equal(res.status, 409)
    res = await h.request('DELETE', `${url}/${migration.id}`, { microversion: '2.23' })
    assert.equal(res.status, 404, 'abort from 2.24')
  })
})
