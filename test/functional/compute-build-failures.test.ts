/**
 * Builds that go wrong: no host fits (ERROR with Nova's fault, nothing claimed), a hypervisor
 * that fails the spawn (rescheduled to another host, or ERROR once hosts run out), and a
 * server deleted while it builds (gone, with no guest, claim or quota left behind).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { eventually } from '../support/poll.js'

describe('compute build failures', () => {
  let h: ComputeHarness
  let image: string
  before(async () => {
    h = await startComputeHarness()
    image = await h.createImage()
  })
  after(async () => h.close())

  const boot = (extra: Record<string, unknown>) =>
    h.request('POST', '/v2.1/servers', {
      body: { server: { name: 'f', imageRef: image, flavorRef: '1', ...extra } },
    })
  const allocations = async (id: string) =>
    h.service.deps.db.selectFrom('allocation').selectAll().where('instance_id', '=', id).execute()
  const used = async () => {
    const res = await h.request('GET', '/v2.1/limits')
    return res.body.limits.absolute.totalInstancesUsed as number
  }
  const guests = async () =>
    (await Promise.all(h.service.agents.map((a) => a.driver.listGuests()))).flat()
  const deleteAndWait = async (id: string) => {
    assert.equal((await h.request('DELETE', `/v2.1/servers/${id}`)).status, 204)
    await h.waitForServer(id, (_s, status) => status === 404)
  }

  it('no valid host: ERROR with the fault, no claim, quota freed on delete', async () => {
    const flavor = await h.request('POST', '/v2.1/flavors', {
      body: { flavor: { name: 'huge', ram: 1024, vcpus: 512, disk: 1 } },
    })
    assert.equal(flavor.status, 200)
    // Within quota (cores unlimited by the default class), beyond every host (16 vCPUs x 4).
    await h.service.deps.db
      .insertInto('quota_class')
      .values({ class_name: 'default', resource: 'cores', hard_limit: -1 })
      .execute()
    const before = await used()
    const res = await boot({ flavorRef: flavor.body.flavor.id })
    assert.equal(res.status, 202)
    const id = res.body.server.id as string
    const server = await h.waitForServer(id, (s) => s?.status === 'ERROR')
    assert.deepEqual(server?.fault, {
      code: 500,
      created: (server?.fault as { created: string }).created,
      message: 'No valid host was found. There are not enough hosts available.',
    })
    assert.equal(server['OS-EXT-SRV-ATTR:host'], null)
    assert.deepEqual(await allocations(id), [])
    // Nova counts a server in ERROR until it is deleted.
    assert.equal(await used(), before + 1)
    const action = await h.request(
      'GET',
      `/v2.1/servers/${id}/os-instance-actions/${res.headers['x-openstack-request-id'] as string}`,
    )
    assert.equal(action.body.instanceAction.action, 'create')
    assert.ok(
      action.body.instanceAction.events.some(
        (e: { event: string; result: string }) =>
          e.event === 'conductor_schedule_and_build_instances' && e.result === 'Error',
      ),
    )
    await deleteAndWait(id)
    assert.equal(await used(), before)
  })

  it('a spawn failure on one host is rescheduled to the other', async () => {
    // Load compute2 so the RAM weigher prefers compute1, where the image fails to spawn.
    const filler = await boot({ availability_zone: 'nova:compute2', flavorRef: '3' })
    const fillerId = filler.body.server.id as string
    await h.waitForServer(fillerId, (s) => s?.status === 'ACTIVE')
    const failing = await h.createImage({ fake_fail_spawn_on: 'compute1' })
    const res = await boot({ imageRef: failing })
    const id = res.body.server.id as string
    const server = await h.waitForServer(id, (s) => s?.status === 'ACTIVE' || s?.status === 'ERROR')
    assert.equal(server?.status, 'ACTIVE')
    assert.equal(server['OS-EXT-SRV-ATTR:host'], 'compute2')
    // As in Nova, the build event finishes just after the server goes ACTIVE.
    const builds = await eventually(
      async () => {
        const events = await h.request(
          'GET',
          `/v2.1/servers/${id}/os-instance-actions/${res.headers['x-openstack-request-id'] as string}`,
        )
        return (events.body.instanceAction.events as { event: string; result: string | null }[])
          .filter((e) => e.event === 'compute__do_build_and_run_instance')
          .map((e) => e.result)
      },
      (results) => results.every((r) => r !== null),
      'build events finished',
    )
    assert.deepEqual(builds.sort(), ['Error', 'Success'])
    const claims = await allocations(id)
    assert.equal(claims.length, 1, 'only the host it runs on holds a claim')
    await deleteAndWait(id)
    await deleteAndWait(fillerId)
  })

  it('ERROR with the driver message once every host failed', async () => {
    const failing = await h.createImage({ fake_fail_spawn_on: 'compute1' })
    const res = await boot({ imageRef: failing, availability_zone: 'nova:compute1' })
    const id = res.body.server.id as string
    const server = await h.waitForServer(id, (s) => s?.status === 'ERROR')
    assert.match(
      (server?.fault as { message: string }).message,
      /Fake spawn failure on compute1|No valid host was found/,
    )
    assert.deepEqual(await allocations(id), [])
    assert.deepEqual(
      (await guests()).filter((g) => g.serverId === id),
      [],
    )
    await deleteAndWait(id)
  })

  it('deleting during BUILD leaves no guest, claim or quota behind', async () => {
    const before = await used()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const res = await boot({})
      ids.push(res.body.server.id as string)
      // Delete at once, while the conductor and agents are still at work.
      assert.equal(
        (await h.request('DELETE', `/v2.1/servers/${res.body.server.id as string}`)).status,
        204,
      )
    }
    for (const id of ids) await h.waitForServer(id, (_s, status) => status === 404)
    // Let any build still in flight notice it lost.
    await new Promise((r) => setTimeout(r, 100))
    for (const id of ids) assert.deepEqual(await allocations(id), [])
    const left = (await guests()).filter((g) => ids.includes(g.serverId))
    assert.deepEqual(left, [])
    assert.equal(await used(), before)
  })
})
