import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { findFlavorForBoot } from '../../src/compute/core/flavors.js'

type Json = Record<string, any>

describe('compute flavor access, extra specs and boot flavors', () => {
  let h: ComputeHarness
  let alice: { userId: string; projectId: string; token: string }
  before(async () => {
    h = await startComputeHarness()
    alice = await h.member('alice')
  })
  after(async () => h.close())

  const create = (flavor: Json, microversion?: string) =>
    h.request('POST', '/v2.1/flavors', {
      body: { flavor },
      ...(microversion ? { microversion } : {}),
    })

  it('hides private flavors unless shared, and manages the access list', async () => {
    const res = await create({
      name: 'private',
      id: 'priv',
      ram: 64,
      vcpus: 1,
      disk: 1,
      'os-flavor-access:is_public': false,
    })
    assert.equal(res.body.flavor['os-flavor-access:is_public'], false)
    const ids = async (token?: string, query = '') =>
      (await h.request('GET', `/v2.1/flavors${query}`, token ? { token } : {})).body.flavors.map(
        (f: Json) => f.id,
      )
    assert.ok(!(await ids()).includes('priv'))
    assert.ok(!(await ids(alice.token)).includes('priv'))
    assert.ok((await ids(undefined, '?is_public=none')).includes('priv'))
    for (const no of ['f', 'false', 'no', '0']) {
      const privateOnly = await ids(undefined, `?is_public=${no}`)
      assert.ok(privateOnly.includes('priv') && !privateOnly.includes('1'), no)
    }
    for (const yes of ['t', 'true', 'yes', '1']) {
      const publicOnly = await ids(undefined, `?is_public=${yes}`)
      assert.ok(!publicOnly.includes('priv') && publicOnly.includes('1'), yes)
    }
    // A member's is_public is ignored: always public plus shared.
    assert.ok(!(await ids(alice.token, '?is_public=false')).includes('priv'))
    assert.equal((await h.request('GET', '/v2.1/flavors/priv', { token: alice.token })).status, 404)

    const empty = await h.request('GET', '/v2.1/flavors/priv/os-flavor-access')
    assert.deepEqual(empty.body, { flavor_access: [] })
    const action = (body: unknown, token?: string, microversion?: string) =>
      h.request('POST', '/v2.1/flavors/priv/action', {
        body,
        ...(token ? { token } : {}),
        ...(microversion ? { microversion } : {}),
      })
    const added = await action({ addTenantAccess: { tenant: alice.projectId } })
    assert.equal(added.status, 200)
    assert.deepEqual(added.body, {
      flavor_access: [{ flavor_id: 'priv', tenant_id: alice.projectId }],
    })
    assert.ok((await ids(alice.token)).includes('priv'))
    const boot = await findFlavorForBoot(
      h.service.deps,
      {
        projectId: alice.projectId,
        userId: alice.userId,
        roles: ['member'],
        isAdmin: false,
        requestId: 'r',
      },
      'http://x/flavors/priv',
    )
    assert.equal(boot.row.id, 'priv')

    const dup = await action({ addTenantAccess: { tenant: alice.projectId } })
    assert.equal(dup.status, 409)
    assert.equal(
      dup.body.conflictingRequest.message,
      `Flavor access already exists for flavor priv and project ${alice.projectId} combination.`,
    )
    const bogus = await action({ addTenantAccess: { tenant: 'no-such-project' } })
    assert.equal(bogus.status, 400)
    assert.equal(
      bogus.body.badRequest.message,
      'Project ID no-such-project is not a valid project.',
    )
    const asMember = await action({ addTenantAccess: { tenant: alice.projectId } }, alice.token)
    assert.equal(asMember.status, 403)
    assert.equal(
      (await action({ removeTenantAccess: { tenant: alice.projectId } }, alice.token)).status,
      403,
    )
    assert.equal(
      (await action({ foo: {} })).body.badRequest.message,
      'There is no such action: foo',
    )
    assert.equal((await action({ a: 1, b: 2 })).body.badRequest.message, 'Malformed request body')
    assert.equal((await action({ addTenantAccess: {} })).status, 400)

    const publicAdd = await h.request('POST', '/v2.1/flavors/1/action', {
      body: { addTenantAccess: { tenant: alice.projectId } },
      microversion: '2.7',
    })
    assert.equal(publicAdd.status, 409)
    assert.equal(
      publicAdd.body.conflictingRequest.message,
      'Can not add access to a public flavor.',
    )
    const publicList = await h.request('GET', '/v2.1/flavors/1/os-flavor-access')
    assert.equal(publicList.status, 404)
    assert.equal(
      publicList.body.itemNotFound.message,
      'Access list not available for public flavors.',
    )

    const removed = await action({ removeTenantAccess: { tenant: alice.projectId } })
    assert.deepEqual(removed.body, { flavor_access: [] })
    const again = await action({ removeTenantAccess: { tenant: alice.projectId } })
    assert.equal(again.status, 404)
    assert.equal(
      again.body.itemNotFound.message,
      `Flavor access not found for priv / ${alice.projectId} combination.`,
    )
    assert.ok(!(await ids(alice.token)).includes('priv'))
    await assert.rejects(
      findFlavorForBoot(
        h.service.deps,
        {
          projectId: alice.projectId,
          userId: alice.userId,
          roles: ['member'],
          isAdmin: false,
          requestId: 'r',
        },
        'priv',
      ),
      /Flavor priv could not be found\./,
    )
  })

  it('manages extra specs (admin writes, anyone reads)', async () => {
    await create({ name: 'specs', id: 'specs', ram: 64, vcpus: 1, disk: 1 })
    const url = '/v2.1/flavors/specs/os-extra_specs'
    const set = await h.request('POST', url, {
      body: { extra_specs: { 'hw:numa_nodes': '1', 'hw:cpu_policy': 'shared', count: 2 } },
    })
    assert.equal(set.status, 200)
    assert.deepEqual(set.body, {
      extra_specs: { 'hw:numa_nodes': '1', 'hw:cpu_policy': 'shared', count: 2 },
    })
    const list = await h.request('GET', url, { token: alice.token })
    assert.deepEqual(list.body, {
      extra_specs: { count: '2', 'hw:cpu_policy': 'shared', 'hw:numa_nodes': '1' },
    })
    const one = await h.request('GET', `${url}/hw:numa_nodes`, { token: alice.token })
    assert.deepEqual(one.body, { 'hw:numa_nodes': '1' })
    const put = await h.request('PUT', `${url}/hw:numa_nodes`, { body: { 'hw:numa_nodes': '2' } })
    assert.deepEqual(put.body, { 'hw:numa_nodes': '2' })
    const mismatch = await h.request('PUT', `${url}/hw:numa_nodes`, { body: { other: '2' } })
    assert.equal(mismatch.body.badRequest.message, 'Request body and URI mismatch')
    const two = await h.request('PUT', `${url}/hw:numa_nodes`, {
      body: { 'hw:numa_nodes': '2', b: '1' },
    })
    assert.equal(two.status, 400)
    const badKey = await h.request('POST', url, { body: { extra_specs: { 'bad/key': '1' } } })
    assert.equal(badKey.status, 400)
    for (const [method, path, body] of [
      ['POST', url, { extra_specs: { a: '1' } }],
      ['PUT', `${url}/count`, { count: '3' }],
      ['DELETE', `${url}/count`, undefined],
    ] as const) {
      const res = await h.request(method, path, { token: alice.token, ...(body ? { body } : {}) })
      assert.equal(res.status, 403, `${method} ${path}`)
    }
    const del = await h.request('DELETE', `${url}/count`)
    assert.equal(del.status, 200)
    assert.equal(del.text, '')
    const missing = await h.request('GET', `${url}/hw:cpu_thread_policy`)
    assert.equal(missing.status, 404)
    assert.equal(
      missing.body.itemNotFound.message,
      'Flavor specs has no extra specs with key hw:cpu_thread_policy.',
    )
    assert.equal((await h.request('DELETE', `${url}/count`)).status, 404)
    assert.equal((await h.request('GET', '/v2.1/flavors/nope/os-extra_specs')).status, 404)
    const left = await h.request('GET', url)
    assert.deepEqual(left.body, {
      extra_specs: { 'hw:cpu_policy': 'shared', 'hw:numa_nodes': '2' },
    })
  })

  it('resolves boot flavors by id, number or URL and refuses disabled or unknown ones', async () => {
    const admin = { projectId: 'p', userId: 'u', roles: ['admin'], isAdmin: true, requestId: 'r' }
    assert.equal((await findFlavorForBoot(h.service.deps, admin, 2)).row.name, 'm1.small')
    assert.equal(
      (await findFlavorForBoot(h.service.deps, admin, 'http://h:8774/v2.1/flavors/3')).row.id,
      '3',
    )
    await assert.rejects(
      findFlavorForBoot(h.service.deps, admin, '999'),
      /Flavor 999 could not be found\./,
    )
    await h.service.deps.db
      .updateTable('flavor')
      .set({ disabled: 1 })
      .where('id', '=', '5')
      .execute()
    await assert.rejects(
      findFlavorForBoot(h.service.deps, admin, '5'),
      /Flavor 5 could not be found\./,
    )
    const memberList = await h.request('GET', '/v2.1/flavors', { token: alice.token })
    assert.ok(!memberList.body.flavors.some((f: Json) => f.id === '5'))
    await h.service.deps.db
      .updateTable('flavor')
      .set({ disabled: 0 })
      .where('id', '=', '5')
      .execute()
  })
})
