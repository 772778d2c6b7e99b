import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { Caller } from '../../src/compute/core/deps.js'
import { addServerToGroup } from '../../src/compute/core/server-groups.js'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { insertInstance } from '../support/compute-rows.js'

interface Member {
  userId: string
  projectId: string
  token: string
}

describe('compute server groups', () => {
  let h: ComputeHarness
  let alice: Member
  let bob: Member
  before(async () => {
    h = await startComputeHarness()
    alice = await h.member('sg-alice')
    bob = await h.member('sg-bob')
  })
  after(async () => h.close())

  const create = (body: unknown, opts: { token?: string; microversion?: string } = {}) =>
    h.request('POST', '/v2.1/os-server-groups', { body, ...opts })
  const show = (id: string, opts: { token?: string; microversion?: string } = {}) =>
    h.request('GET', `/v2.1/os-server-groups/${id}`, opts)

  it('creates, shows and lists the same dict at 2.1, 2.13 and 2.64', async () => {
    const v21 = await create(
      { server_group: { name: 'g21', policies: ['anti-affinity'] } },
      { token: alice.token },
    )
    assert.equal(v21.status, 200)
    const g = v21.body.server_group
    assert.deepEqual(Object.keys(g).sort(), ['id', 'members', 'metadata', 'name', 'policies'])
    assert.deepEqual(g.policies, ['anti-affinity'])
    assert.deepEqual(g.members, [])
    assert.deepEqual(g.metadata, {})
    assert.deepEqual((await show(g.id, { token: alice.token })).body.server_group, g)
    const listed = (await h.request('GET', '/v2.1/os-server-groups', { token: alice.token })).body
      .server_groups as { id: string }[]
    assert.deepEqual(
      listed.find((x) => x.id === g.id),
      g,
    )
    const v213 = await show(g.id, { token: alice.token, microversion: '2.13' })
    assert.equal(v213.body.server_group.project_id, alice.projectId)
    assert.equal(v213.body.server_group.user_id, alice.userId)
    const v264 = await create(
      {
        server_group: {
          name: 'g264',
          policy: 'anti-affinity',
          rules: { max_server_per_host: '3' },
        },
      },
      { token: alice.token, microversion: '2.64' },
    )
    assert.equal(v264.status, 200)
    assert.deepEqual(Object.keys(v264.body.server_group).sort(), [
      'id',
      'members',
      'name',
      'policy',
      'project_id',
      'rules',
      'user_id',
    ])
    assert.deepEqual(v264.body.server_group.rules, { max_server_per_host: 3 })
    const old = await show(v264.body.server_group.id, { token: alice.token })
    assert.deepEqual(old.body.server_group.policies, ['anti-affinity'])
    const noRules = await create(
      { server_group: { name: 'g264b', policy: 'soft-affinity' } },
      { token: alice.token, microversion: '2.64' },
    )
    assert.deepEqual(noRules.body.server_group.rules, {})
  })

  it('refuses bad input, changing nothing', async () => {
    const before = (await h.request('GET', '/v2.1/os-server-groups', { token: bob.token })).body
      .server_groups.length as number
    const cases: [unknown, string | undefined][] = [
      [{ server_group: { name: 'x', policies: ['soft-affinity'] } }, undefined],
      [{ server_group: { name: 'x', policies: ['affinity', 'anti-affinity'] } }, '2.15'],
      [{ server_group: { name: 'x', policies: [] } }, undefined],
      [{ server_group: { name: 'x' } }, undefined],
      [{ server_group: { name: '', policies: ['affinity'] } }, undefined],
      [{ server_group: { name: ' x', policies: ['affinity'] } }, undefined],
      [{ server_group: { name: 'x', policies: ['affinity'], extra: 1 } }, undefined],
      [{ server_group: { name: 'x', policies: ['affinity'] } }, '2.64'],
      [
        { server_group: { name: 'x', policy: 'affinity', rules: { max_server_per_host: 2 } } },
        '2.64',
      ],
      [
        { server_group: { name: 'x', policy: 'anti-affinity', rules: { max_server_per_host: 0 } } },
        '2.64',
      ],
      [{ server_group: { name: 'x', policy: 'anti-affinity', rules: { other: 1 } } }, '2.64'],
    ]
    for (const [body, microversion] of cases) {
      const res = await create(body, {
        token: bob.token,
        ...(microversion ? { microversion } : {}),
      })
      assert.equal(res.status, 400, `${JSON.stringify(body)} at ${microversion ?? '2.1'}`)
    }
    const rules = await create(
      { server_group: { name: 'x', policy: 'affinity', rules: { max_server_per_host: 2 } } },
      { token: bob.token, microversion: '2.64' },
    )
    assert.equal(rules.body.badRequest.message, 'Only anti-affinity policy supports rules.')
    assert.equal(
      (await h.request('GET', '/v2.1/os-server-groups', { token: bob.token })).body.server_groups
        .length,
      before,
    )
    const soft = await create(
      { server_group: { name: 'soft', policies: ['soft-affinity'] } },
      {
        token: bob.token,
        microversion: '2.15',
      },
    )
    assert.equal(soft.status, 200)
  })

  it('keeps projects apart: 403 across projects, all_projects for admins', async () => {
    const g = (
      await create(
        { server_group: { name: 'private', policies: ['affinity'] } },
        { token: alice.token },
      )
    ).body.server_group
    assert.equal((await show(g.id, { token: bob.token })).status, 403)
    const del = await h.request('DELETE', `/v2.1/os-server-groups/${String(g.id)}`, {
      token: bob.token,
    })
    assert.equal(del.status, 403)
    assert.equal((await show(g.id)).status, 200, 'admins see every group')
    const bobs = (
      await h.request('GET', '/v2.1/os-server-groups?all_projects=True', { token: bob.token })
    ).body.server_groups as { id: string }[]
    assert.ok(!bobs.some((x) => x.id === g.id), 'members asking for all projects get their own')
    const admins = (await h.request('GET', '/v2.1/os-server-groups')).body.server_groups
    assert.deepEqual(admins, [], "the admin's own project has none")
    const all = (await h.request('GET', '/v2.1/os-server-groups?all_projects')).body
      .server_groups as { id: string }[]
    assert.ok(all.some((x) => x.id === g.id))
    const limited = await h.request('GET', '/v2.1/os-server-groups?all_projects=1&limit=2&offset=1')
    assert.equal(limited.body.server_groups.length, 2)
    assert.equal(limited.body.server_groups[0].id, all[1]?.id)
    assert.equal((await h.request('GET', '/v2.1/os-server-groups?limit=-1')).status, 400)
    assert.equal((await h.request('GET', '/v2.1/os-server-groups?foo=1')).status, 200)
    assert.equal(
      (await h.request('GET', '/v2.1/os-server-groups?foo=1', { microversion: '2.75' })).status,
      400,
    )
  })

  it('lists members that are not deleted, and deletes groups', async () => {
    const g = (
      await create(
        { server_group: { name: 'members', policies: ['affinity'] } },
        { token: alice.token },
      )
    ).body.server_group
    const live = await insertInstance(h.service.deps, {
      project_id: alice.projectId,
      user_id: alice.userId,
    })
    const gone = await insertInstance(h.service.deps, {
      project_id: alice.projectId,
      user_id: alice.userId,
      deleted_at: new Date().toISOString(),
    })
    for (const id of [live, gone])
      await h.service.deps.db
        .insertInto('server_group_member')
        .values({ group_id: g.id, instance_id: id })
        .execute()
    assert.deepEqual((await show(g.id, { token: alice.token })).body.server_group.members, [live])
    const del = await h.request('DELETE', `/v2.1/os-server-groups/${String(g.id)}`, {
      token: alice.token,
    })
    assert.equal(del.status, 204)
    assert.equal(del.text, '')
    const missing = await show(g.id, { token: alice.token })
    assert.equal(missing.status, 404)
    assert.equal(
      missing.body.itemNotFound.message,
      `Instance group ${String(g.id)} could not be found.`,
    )
    assert.equal((await h.request('DELETE', `/v2.1/os-server-groups/${String(g.id)}`)).status, 404)
  })

  it('enforces the server_groups quota per project', async () => {
    const carol = await h.member('sg-carol')
    await h.service.deps.db
      .insertInto('quota')
      .values({
        project_id: carol.projectId,
        user_id: '',
        resource: 'server_groups',
        hard_limit: 2,
      })
      .execute()
    for (let i = 0; i < 2; i++)
      assert.equal(
        (
          await create(
            { server_group: { name: `q${String(i)}`, policies: ['affinity'] } },
            { token: carol.token },
          )
        ).status,
        200,
      )
    const over = await create(
      { server_group: { name: 'q3', policies: ['affinity'] } },
      { token: carol.token },
    )
    assert.equal(over.status, 403)
    assert.equal(over.body.forbidden.message, 'Quota exceeded, too many server groups.')
  })

  it('addServerToGroup: unknown group 400, member quota 403', async () => {
    const dave = await h.member('sg-dave')
    const caller: Caller = {
      projectId: dave.projectId,
      userId: dave.userId,
      roles: ['member'],
      isAdmin: false,
      requestId: 'req-test',
    }
    await h.service.deps.db
      .insertInto('quota')
      .values({
        project_id: dave.projectId,
        user_id: '',
        resource: 'server_group_members',
        hard_limit: 2,
      })
      .execute()
    const g = (
      await create(
        { server_group: { name: 'quota', policies: ['anti-affinity'] } },
        { token: dave.token },
      )
    ).body.server_group
    const { db, quotaDefaults } = h.service.deps
    const unknown = randomUUID()
    await assert.rejects(
      db
        .transaction()
        .execute((trx) => addServerToGroup(trx, { quotaDefaults }, unknown, randomUUID(), caller)),
      (err: Error) => err.message === `Instance group ${unknown} could not be found.`,
    )
    for (let i = 0; i < 2; i++) {
      const id = await insertInstance(h.service.deps, {
        project_id: dave.projectId,
        user_id: dave.userId,
      })
      await db
        .transaction()
        .execute((trx) => addServerToGroup(trx, { quotaDefaults }, g.id, id, caller))
    }
    const third = await insertInstance(h.service.deps, {
      project_id: dave.projectId,
      user_id: dave.userId,
    })
    await assert.rejects(
      db
        .transaction()
        .execute((trx) => addServerToGroup(trx, { quotaDefaults }, g.id, third, caller)),
      (err: Error) => err.message === 'Quota exceeded, too many servers in group',
    )
    assert.equal((await show(g.id, { token: dave.token })).body.server_group.members.length, 2)
  })

  it('places anti-affinity members on different hosts', async () => {
    const image = await h.createImage()
    const g = (await create({ server_group: { name: 'spread', policies: ['anti-affinity'] } })).body
      .server_group
    const hosts: unknown[] = []
    for (let i = 0; i < 2; i++) {
      const res = await h.request('POST', '/v2.1/servers', {
        body: {
          server: { name: `aa${String(i)}`, imageRef: image, flavorRef: '1' },
          'os:scheduler_hints': { group: g.id },
        },
      })
      assert.equal(res.status, 202)
      const server = await h.waitForServer(res.body.server.id, (s) => s?.status !== 'BUILD')
      assert.equal(server?.status, 'ACTIVE')
      hosts.push(server['OS-EXT-SRV-ATTR:host'])
    }
    assert.deepEqual([...hosts].sort(), ['compute1', 'compute2'])
    assert.equal((await show(g.id)).body.server_group.members.length, 2)
  })
})
