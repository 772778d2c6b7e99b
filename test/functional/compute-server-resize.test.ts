import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ActionKit, actionKit, faultMessage } from '../support/compute-actions.js'
import { noteFleetChange } from '../../src/compute/core/fleet-generation.js'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { eventually } from '../support/poll.js'

describe('compute server moves and shelving', () => {
  let h: ComputeHarness
  let k: ActionKit
  let imageId: string
  let alice: { userId: string; projectId: string; token: string }
  before(async () => {
    h = await startComputeHarness()
    imageId = await h.createImage()
    k = await actionKit(h, imageId)
    alice = await h.member('alice')
  })
  after(async () => h.close())

  const db = () => h.service.deps.db
  const allocations = (consumer: string) =>
    db().selectFrom('allocation').selectAll().where('instance_id', '=', consumer).execute()
  const migrationsOf = (id: string) =>
    db().selectFrom('migration').selectAll().where('instance_uuid', '=', id).orderBy('id').execute()
  const firstMigration = async (id: string) => {
    const [m] = await migrationsOf(id)
    assert.ok(m, 'a migration record')
    return m
  }
  const guestsOn = async (host: string) => {
    const agent = h.service.agents.find((a) => a.host === host)
    assert.ok(agent)
    return (await agent.driver.listGuests()).map((g) => g.serverId)
  }
  const show = async (id: string, microversion?: string) =>
    (await h.request('GET', `/v2.1/servers/${id}`, microversion ? { microversion } : {})).body
      .server as Record<string, unknown>

  it('resizes to VERIFY_RESIZE and confirms: new flavor, source freed', async () => {
    const id = await k.boot()
    const source = (await show(id))['OS-EXT-SRV-ATTR:host'] as string
    let res = await k.act(id, { resize: { flavorRef: '2' } })
    assert.equal(res.status, 202, res.text)
    assert.equal(res.text, '')
    let s = await k.settled(id, 'VERIFY_RESIZE')
    assert.equal((s.flavor as { id: string }).id, '2')
    const m = await firstMigration(id)
    assert.equal(m.status, 'finished')
    assert.equal(m.migration_type, 'resize')
    assert.equal(m.source_compute, source)
    assert.equal((await allocations(m.uuid)).length, 1, 'source held by the migration')
    assert.equal((await allocations(id))[0]?.memory_mb, 2048)
    res = await k.act(id, { resize: { flavorRef: '3' } })
    assert.equal(res.status, 409)
    res = await k.act(id, { confirmResize: null })
    assert.equal(res.status, 204, res.text)
    s = await k.settled(id, 'ACTIVE')
    assert.equal((s.flavor as { id: string }).id, '2')
    assert.equal((await firstMigration(id)).status, 'confirmed')
    assert.deepEqual(await allocations(m.uuid), [])
    const dest = s['OS-EXT-SRV-ATTR:host'] as string
    if (dest !== source) assert.ok(!(await guestsOn(source)).includes(id), 'source guest gone')
    assert.ok((await guestsOn(dest)).includes(id))
    res = await k.act(id, { confirmResize: null })
    assert.equal(res.status, 409)
    const actions = await h.request('GET', `/v2.1/servers/${id}/os-instance-actions`)
    assert.deepEqual(actions.body.instanceActions.map((a: { action: string }) => a.action).sort(), [
      'confirmResize',
      'create',
      'resize',
    ])
    const listed = await h.request('GET', `/v2.1/os-migrations?instance_uuid=${id}`)
    assert.equal(listed.status, 200, listed.text)
    assert.equal(listed.body.migrations.length, 1)
  })

  it('reverts a resize of a stopped server back to its old flavor, host and state', async () => {
    const id = await k.boot()
    await k.act(id, { 'os-stop': null })
    await k.settled(id, 'SHUTOFF')
    const before = await show(id)
    assert.equal((await k.act(id, { resize: { flavorRef: '2' } })).status, 202)
    await k.settled(id, 'VERIFY_RESIZE')
    let res = await k.act(id, { revertResize: null })
    assert.equal(res.status, 202, res.text)
    const s = await k.settled(id, 'SHUTOFF')
    assert.equal((s.flavor as { id: string }).id, '1')
    assert.equal(s['OS-EXT-SRV-ATTR:host'], before['OS-EXT-SRV-ATTR:host'])
    const m = await firstMigration(id)
    assert.equal(m.status, 'reverted')
    assert.deepEqual(await allocations(m.uuid), [])
    const held = await allocations(id)
    assert.equal(held.length, 1)
    assert.equal(held[0]?.memory_mb, 512)
    res = await k.act(id, { revertResize: null })
    assert.equal(res.status, 409)
    assert.equal(
      faultMessage(res),
      `Cannot 'revertResize' instance ${id} while it is in vm_state stopped`,
    )
  })

  it('refuses bad resizes with Nova messages and changes nothing', async () => {
    const id = await k.boot({ token: alice.token })
    const cases: [unknown, number, string][] = [
      [{ resize: { flavorRef: '1' } }, 400, 'When resizing, instances must change flavor!'],
      [{ resize: { flavorRef: '999' } }, 400, 'Flavor 999 could not be found.'],
      [{ resize: { flavorRef: '' } }, 400, ''],
      [{ resize: {} }, 400, ''],
      [{ resize: { flavorRef: '2', extra: 1 } }, 400, ''],
    ]
    for (const [body, status, message] of cases) {
      const res = await k.act(id, body, { token: alice.token })
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.text}`)
      if (message !== '') assert.equal(faultMessage(res), message)
    }
    await h.request('PUT', `/v2.1/os-quota-sets/${alice.projectId}`, {
      body: { quota_set: { ram: 1024 } },
    })
    const over = await k.act(id, { resize: { flavorRef: '2' } }, { token: alice.token })
    assert.equal(over.status, 403, over.text)
    assert.match(
      faultMessage(over),
      /^Quota exceeded for ram: Requested 1536, but already used 512 of 1024 ram$/,
    )
    await h.request('DELETE', `/v2.1/os-quota-sets/${alice.projectId}`)
    const res = await k.act(id, { confirmResize: null }, { token: alice.token })
    assert.equal(res.status, 409)
    assert.deepEqual(await migrationsOf(id), [])
    assert.equal((await show(id)).status, 'ACTIVE')
    const migrate = await k.act(id, { migrate: null }, { token: alice.token })
    assert.equal(migrate.status, 403)
  })

  it('cold migrates (admin) to the other host, to a named host, never to its own', async () => {
    const id = await k.boot()
    const source = (await show(id))['OS-EXT-SRV-ATTR:host'] as string
    const other = source === 'compute1' ? 'compute2' : 'compute1'
    let res = await k.act(id, { migrate: { host: source } }, { microversion: '2.56' })
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), 'Cannot migrate to the host where the server exists.')
    res = await k.act(id, { migrate: { host: 'nowhere' } }, { microversion: '2.56' })
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), 'Compute host nowhere could not be found.')
    res = await k.act(id, { migrate: null })
    assert.equal(res.status, 202, res.text)
    let s = await k.settled(id, 'VERIFY_RESIZE')
    assert.equal(s['OS-EXT-SRV-ATTR:host'], other)
    assert.deepEqual(await guestsOn(source).then((g) => g.includes(id)), true, 'kept until confirm')
    await k.act(id, { confirmResize: null })
    s = await k.settled(id, 'ACTIVE')
    assert.equal(s['OS-EXT-SRV-ATTR:host'], other)
    assert.ok(!(await guestsOn(source)).includes(id))
    res = await k.act(id, { migrate: { host: source } }, { microversion: '2.56' })
    assert.equal(res.status, 202, res.text)
    s = await k.settled(id, 'VERIFY_RESIZE')
    assert.equal(s['OS-EXT-SRV-ATTR:host'], source)
    await k.act(id, { revertResize: null })
    s = await k.settled(id, 'ACTIVE')
    assert.equal(s['OS-EXT-SRV-ATTR:host'], other)
    assert.ok(!(await guestsOn(source)).includes(id), 'reverted: the destination guest is gone')
    const types = (await migrationsOf(id)).map((m) => `${m.migration_type}:${m.status}`)
    assert.deepEqual(types, ['migration:confirmed', 'migration:reverted'])
  })

  it('fails a move with no valid host and leaves nothing behind', async () => {
    const id = await k.boot()
    const source = (await show(id))['OS-EXT-SRV-ATTR:host'] as string
    const other = source === 'compute1' ? 'compute2' : 'compute1'
    await db()
      .updateTable('compute_service')
      .set({ disabled: 1 })
      .where('host', '=', other)
      .execute()
    await noteFleetChange(db())
    try {
      const res = await k.act(id, { migrate: null })
      assert.equal(res.status, 202)
      await h.waitForServer(id, (s) => s?.['OS-EXT-STS:task_state'] === null)
      const s = await show(id)
      assert.equal(s.status, 'ACTIVE')
      assert.equal(s['OS-EXT-SRV-ATTR:host'], source)
      const m = await firstMigration(id)
      assert.equal(m.status, 'error')
      assert.deepEqual(await allocations(m.uuid), [])
      assert.equal((await allocations(id)).length, 1)
      const actions = await h.request('GET', `/v2.1/servers/${id}/os-instance-actions`)
      const migrate = actions.body.instanceActions.find(
        (a: { action: string }) => a.action === 'migrate',
      )
      assert.equal(migrate.message, 'Error')
    } finally {
      await db()
        .updateTable('compute_service')
        .set({ disabled: 0 })
        .where('host', '=', other)
        .execute()
      await noteFleetChange(db())
    }
  })

  it('live migrates in every microversion band, scheduled or to a named host', async () => {
    const id = await k.boot()
    const first = (await show(id))['OS-EXT-SRV-ATTR:host'] as string
    const other = first === 'compute1' ? 'compute2' : 'compute1'
    let res = await k.act(id, { 'os-migrateLive': { host: null, block_migration: false } })
    assert.equal(res.status, 400, 'disk_over_commit required below 2.25')
    res = await k.act(id, {
      'os-migrateLive': { host: null, block_migration: false, disk_over_commit: false },
    })
    assert.equal(res.status, 202, res.text)
    let s = await k.settled(id, 'ACTIVE')
    assert.equal(s['OS-EXT-SRV-ATTR:host'], other)
    assert.ok((await guestsOn(other)).includes(id))
    assert.ok(!(await guestsOn(first)).includes(id))
    res = await k.act(
      id,
      { 'os-migrateLive': { host: null, block_migration: 'auto', force: true } },
      { microversion: '2.30' },
    )
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), "Can't force to a non-provided destination")
    res = await k.act(
      id,
      { 'os-migrateLive': { host: first, block_migration: 'auto', force: false } },
      { microversion: '2.30' },
    )
    assert.equal(res.status, 202, res.text)
    s = await k.settled(id, 'ACTIVE')
    assert.equal(s['OS-EXT-SRV-ATTR:host'], first)
    res = await k.act(
      id,
      { 'os-migrateLive': { host: 'nowhere', block_migration: 'auto' } },
      { microversion: '2.68' },
    )
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), 'Compute host nowhere could not be found.')
    res = await k.act(
      id,
      { 'os-migrateLive': { host: other, block_migration: 'auto', force: true } },
      { microversion: '2.68' },
    )
    assert.equal(res.status, 400, 'force is gone at 2.68')
    await k.act(id, { pause: null })
    await k.settled(id, 'PAUSED')
    res = await k.act(
      id,
      { 'os-migrateLive': { host: null, block_migration: 'auto' } },
      { microversion: '2.25' },
    )
    assert.equal(res.status, 202)
    s = await k.settled(id, 'PAUSED')
    assert.equal(s['OS-EXT-SRV-ATTR:host'], other)
    const migrations = await migrationsOf(id)
    assert.deepEqual(
      migrations.map((m) => `${m.migration_type}:${m.status}`),
      ['live-migration:completed', 'live-migration:completed', 'live-migration:completed'],
    )
    for (const m of migrations) assert.deepEqual(await allocations(m.uuid), [])
    const list = await h.request('GET', `/v2.1/servers/${id}/migrations`, { microversion: '2.23' })
    assert.deepEqual(list.body, { migrations: [] })
  })

  it('refuses a live migration to the own host of the server (400 before 2.34, failed after)', async () => {
    const id = await k.boot()
    const host = (await show(id))['OS-EXT-SRV-ATTR:host'] as string
    const body = { 'os-migrateLive': { host, block_migration: 'auto' } }
    let res = await k.act(id, body, { microversion: '2.25' })
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), `Unable to migrate instance (${id}) to current host (${host}).`)
    res = await k.act(
      id,
      { 'os-migrateLive': { host, block_migration: 'auto', force: true } },
      {
        microversion: '2.34',
      },
    )
    assert.equal(res.status, 202, res.text)
    const s = await k.settled(id, 'ACTIVE')
    assert.equal(s['OS-EXT-SRV-ATTR:host'], host)
    const m = await firstMigration(id)
    assert.equal(m.status, 'error')
    assert.ok((await guestsOn(host)).includes(id), 'the guest was not touched')
    assert.equal((await allocations(id)).length, 1)
  })

  it('deleting a server waiting in VERIFY_RESIZE frees both sides', async () => {
    const id = await k.boot()
    const source = (await show(id))['OS-EXT-SRV-ATTR:host'] as string
    await k.act(id, { migrate: null })
    const s = await k.settled(id, 'VERIFY_RESIZE')
    const dest = s['OS-EXT-SRV-ATTR:host'] as string
    const m = await firstMigration(id)
    // The .end notifications may follow the state change by a moment, as in Nova.
    const wanted = [
      'instance.resize_prep.start',
      'instance.resize.end',
      'instance.resize_finish.end',
    ]
    await eventually(
      async () =>
        k.notifications
          .filter((n) => (n.payload as { uuid?: string }).uuid === id)
          .map((n) => n.event_type),
      (names) => wanted.every((e) => names.includes(e)),
      `notifications ${wanted.join()}`,
    )
    assert.equal((await h.request('DELETE', `/v2.1/servers/${id}`)).status, 204)
    await h.waitForServer(id, (_v, status) => status === 404)
    await h.service.deps.bus.idle()
    assert.deepEqual(await allocations(id), [])
    assert.deepEqual(await allocations(m.uuid), [])
    assert.ok(!(await guestsOn(source)).includes(id))
    assert.ok(!(await guestsOn(dest)).includes(id))
    assert.equal((await firstMigration(id)).status, 'confirmed')
  })

  it('evacuates only when the host is down, then the restarted agent cleans up', async () => {
    const id = await k.boot()
    const source = (await show(id))['OS-EXT-SRV-ATTR:host'] as string
    const other = source === 'compute1' ? 'compute2' : 'compute1'
    let res = await k.act(id, { evacuate: { onSharedStorage: false } })
    assert.equal(res.status, 400, res.text)
    assert.equal(faultMessage(res), `Compute service of ${source} is still in use.`)
    res = await k.act(id, { evacuate: { host: 'nowhere' } }, { microversion: '2.14' })
    assert.equal(res.status, 404)
    assert.equal(faultMessage(res), 'Compute host nowhere not found.')
    res = await k.act(id, { evacuate: { host: source } }, { microversion: '2.14' })
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), "The target host can't be the same one.")
    const svc = () => db().updateTable('compute_service').where('host', '=', source)
    await svc().set({ forced_down: 1 }).execute()
    await noteFleetChange(db())
    try {
      res = await k.act(id, { evacuate: { onSharedStorage: false } })
      assert.equal(res.status, 200, res.text)
      assert.equal(res.body.adminPass.length, 12)
      const s = await k.settled(id, 'ACTIVE')
      assert.equal(s['OS-EXT-SRV-ATTR:host'], other)
      const m = await firstMigration(id)
      assert.equal(m.migration_type, 'evacuation')
      assert.equal(m.status, 'done')
      assert.equal((await allocations(m.uuid)).length, 1, 'source claim kept until cleanup')
    } finally {
      await svc().set({ forced_down: 0 }).execute()
      await noteFleetChange(db())
    }
    const agent = h.service.agents.find((a) => a.host === source)
    assert.ok(agent)
    await agent.stop()
    await agent.start()
    const m = await firstMigration(id)
    assert.equal(m.status, 'completed')
    assert.deepEqual(await allocations(m.uuid), [])
    assert.ok(!(await guestsOn(source)).includes(id))
    res = await k.act(id, { evacuate: {} }, { microversion: '2.14' })
    assert.equal(res.status, 400)
  })

  it('shelves to SHELVED_OFFLOADED (image, claim freed) and unshelves elsewhere', async () => {
    const id = await k.boot({ name: 'box' })
    let res = await k.act(id, { shelve: null })
    assert.equal(res.status, 202, res.text)
    let s = await k.settled(id, 'SHELVED_OFFLOADED')
    assert.equal(s['OS-EXT-SRV-ATTR:host'], null)
    assert.equal(s['OS-EXT-STS:power_state'], 4)
    assert.deepEqual(await allocations(id), [])
    const images = await h.image.request('GET', '/v2/images?name=box-shelved', {
      token: h.adminToken,
    })
    assert.equal(images.body.images.length, 1)
    const shelvedImage = images.body.images[0].id as string
    res = await k.act(id, { shelveOffload: null })
    assert.equal(res.status, 409)
    res = await k.act(id, { unshelve: { availability_zone: 'mars' } }, { microversion: '2.77' })
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), 'The requested availability zone is not available')
    res = await k.act(id, { unshelve: {} }, { microversion: '2.77' })
    assert.equal(res.status, 400)
    res = await k.act(id, { unshelve: { availability_zone: 'nova' } }, { microversion: '2.77' })
    assert.equal(res.status, 202, res.text)
    s = await k.settled(id, 'ACTIVE')
    assert.ok(s['OS-EXT-SRV-ATTR:host'])
    assert.equal((await allocations(id)).length, 1)
    const gone = await h.image.request('GET', `/v2/images/${shelvedImage}`, { token: h.adminToken })
    assert.equal(gone.status, 404, 'the shelved image is deleted')
    const actions = await h.request('GET', `/v2.1/servers/${id}/os-instance-actions`)
    assert.deepEqual(actions.body.instanceActions.map((a: { action: string }) => a.action).sort(), [
      'create',
      'shelve',
      'unshelve',
    ])
    res = await k.act(id, { unshelve: null })
    assert.equal(res.status, 409)
    // Deleting a shelved server deletes its image too.
    await k.act(id, { shelve: null })
    await k.settled(id, 'SHELVED_OFFLOADED')
    const again = await h.image.request('GET', '/v2/images?name=box-shelved', {
      token: h.adminToken,
    })
    assert.equal(again.body.images.length, 1)
    await h.request('DELETE', `/v2.1/servers/${id}`)
    await h.waitForServer(id, (_s, status) => status === 404)
    const none = await h.image.request('GET', '/v2/images?name=box-shelved', {
      token: h.adminToken,
    })
    assert.equal(none.body.images.length, 0)
  })

  it('keeps a shelved server on its host with shelved_offload_time -1', async () => {
    const h2 = await startComputeHarness({ compute: { shelved_offload_time: '-1' } })
    try {
      const img = await h2.createImage()
      const k2 = await actionKit(h2, img)
      const id = await k2.boot()
      assert.equal((await k2.act(id, { shelve: null })).status, 202)
      let s = await k2.settled(id, 'SHELVED')
      assert.ok(s['OS-EXT-SRV-ATTR:host'])
      let res = await k2.act(
        id,
        { unshelve: { availability_zone: 'nova' } },
        { microversion: '2.77' },
      )
      assert.equal(res.status, 409)
      res = await k2.act(id, { unshelve: null })
      assert.equal(res.status, 202)
      s = await k2.settled(id, 'ACTIVE')
      await k2.act(id, { shelve: null })
      await k2.settled(id, 'SHELVED')
      res = await k2.act(id, { shelveOffload: null })
      assert.equal(res.status, 202)
      s = await k2.settled(id, 'SHELVED_OFFLOADED')
      assert.equal(s['OS-EXT-SRV-ATTR:host'], null)
    } finally {
      await h2.close()
    }
  })
})
