import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'

type Json = Record<string, any>

describe('compute flavors', () => {
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

  it('lists the default flavors, brief and detailed, with links', async () => {
    const res = await h.request('GET', '/v2.1/flavors')
    assert.equal(res.status, 200)
    const ids = res.body.flavors.map((f: Json) => f.id)
    assert.deepEqual(ids, ['1', '2', '3', '4', '5'])
    const tiny = res.body.flavors[0]
    assert.deepEqual(Object.keys(tiny).sort(), ['id', 'links', 'name'])
    assert.equal(tiny.name, 'm1.tiny')
    assert.match(tiny.links[0].href, /\/v2\.1\/flavors\/1$/)
    assert.equal(tiny.links[0].rel, 'self')
    assert.equal(tiny.links[1].rel, 'bookmark')
    assert.doesNotMatch(tiny.links[1].href, /v2\.1/)
    assert.equal(res.body.flavors_links, undefined)

    const detail = await h.request('GET', '/v2.1/flavors/detail')
    const d = detail.body.flavors[0]
    assert.deepEqual(d, (await h.request('GET', '/v2.1/flavors/1')).body.flavor)
    assert.deepEqual(Object.keys(d).sort(), [
      'OS-FLV-DISABLED:disabled',
      'OS-FLV-EXT-DATA:ephemeral',
      'disk',
      'id',
      'links',
      'name',
      'os-flavor-access:is_public',
      'ram',
      'rxtx_factor',
      'swap',
      'vcpus',
    ])
    assert.equal(d.swap, '')
    assert.equal(d.rxtx_factor, 1)
    assert.equal(d.ram, 512)
    assert.equal(d['os-flavor-access:is_public'], true)
  })

  it('pages with limit and marker and filters by minRam/minDisk', async () => {
    const page = await h.request('GET', '/v2.1/flavors?limit=2')
    assert.deepEqual(
      page.body.flavors.map((f: Json) => f.id),
      ['1', '2'],
    )
    assert.match(page.body.flavors_links[0].href, /\/v2\.1\/flavors\?limit=2&marker=2$/)
    const next = await h.request('GET', '/v2.1/flavors/detail?limit=2&marker=2')
    assert.deepEqual(
      next.body.flavors.map((f: Json) => f.id),
      ['3', '4'],
    )
    assert.match(next.body.flavors_links[0].href, /\/flavors\/detail\?limit=2&marker=4$/)
    const zero = await h.request('GET', '/v2.1/flavors?limit=0')
    assert.deepEqual(zero.body, { flavors: [] })
    const ram = await h.request('GET', '/v2.1/flavors?minRam=2049')
    assert.deepEqual(
      ram.body.flavors.map((f: Json) => f.id),
      ['3', '4', '5'],
    )
    const disk = await h.request('GET', '/v2.1/flavors?minDisk=41')
    assert.deepEqual(
      disk.body.flavors.map((f: Json) => f.id),
      ['4', '5'],
    )
    const desc = await h.request('GET', '/v2.1/flavors?sort_key=memory_mb&sort_dir=desc&limit=2')
    assert.deepEqual(
      desc.body.flavors.map((f: Json) => f.id),
      ['5', '4'],
    )

    const badMarker = await h.request('GET', '/v2.1/flavors?marker=nope')
    assert.equal(badMarker.status, 400)
    assert.equal(badMarker.body.badRequest.message, 'marker [nope] not found')
    const badRam = await h.request('GET', '/v2.1/flavors?minRam=abc')
    assert.equal(badRam.body.badRequest.message, 'Invalid minRam filter [abc]')
    const badLimit = await h.request('GET', '/v2.1/flavors?limit=-1')
    assert.equal(badLimit.status, 400)
    assert.equal(
      badLimit.body.badRequest.message,
      "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'",
    )
    const badSort = await h.request('GET', '/v2.1/flavors?sort_key=foo')
    assert.equal(badSort.status, 400)
    const badPublic = await h.request('GET', '/v2.1/flavors?is_public=maybe')
    assert.equal(badPublic.body.badRequest.message, 'Invalid is_public filter [maybe]')
  })

  it('refuses unknown query parameters only from 2.75', async () => {
    assert.equal((await h.request('GET', '/v2.1/flavors?foo=1')).status, 200)
    const strict = await h.request('GET', '/v2.1/flavors?foo=1', { microversion: '2.75' })
    assert.equal(strict.status, 400)
    assert.equal(
      strict.body.badRequest.message,
      "Additional properties are not allowed ('foo' was unexpected)",
    )
  })

  it('creates flavors as admin: id forms, defaults, string numbers, 409 on duplicates', async () => {
    const res = await create({ name: 'int-id', id: 1001, ram: '1024', vcpus: 1, disk: 0 })
    assert.equal(res.status, 200)
    const f = res.body.flavor
    assert.equal(f.id, '1001')
    assert.equal(f.ram, 1024)
    assert.equal(f.swap, '')
    assert.equal(f['OS-FLV-EXT-DATA:ephemeral'], 0)
    assert.equal(f.rxtx_factor, 1)
    assert.equal(f['os-flavor-access:is_public'], true)
    assert.equal(f.description, undefined)

    const generated = await create({ name: 'null-id', id: null, ram: 64, vcpus: 1, disk: 1 })
    assert.match(generated.body.flavor.id, /^[0-9a-f-]{36}$/)
    const noId = await create({ name: 'no-id', ram: 64, vcpus: 1, disk: 1, swap: 512 })
    assert.match(noId.body.flavor.id, /^[0-9a-f-]{36}$/)
    assert.equal(noId.body.flavor.swap, 512)

    const dupName = await create({ name: 'int-id', ram: 64, vcpus: 1, disk: 1 })
    assert.equal(dupName.status, 409)
    assert.equal(dupName.body.conflictingRequest.message, 'Flavor with name int-id already exists.')
    const dupId = await create({ name: 'other', id: '1001', ram: 64, vcpus: 1, disk: 1 })
    assert.equal(dupId.status, 409)
    assert.equal(dupId.body.conflictingRequest.message, 'Flavor with ID 1001 already exists.')
  })

  it('refuses bad flavor bodies with Nova wording and changes nothing', async () => {
    const before = (await h.request('GET', '/v2.1/flavors/detail?is_public=none')).body.flavors
    const cases: [Json, string][] = [
      [
        { name: 'x', ram: 0, vcpus: 1, disk: 1 },
        'Invalid input for field/attribute ram. Value: 0. 0 is less than the minimum of 1',
      ],
      [
        { name: 'x', ram: '0', vcpus: 1, disk: 1 },
        'Invalid input for field/attribute ram. Value: 0. 0 is less than the minimum of 1',
      ],
      [
        { name: 'x', ram: 1, vcpus: 1 },
        "Invalid input for field/attribute flavor. Value: {'name': 'x', 'ram': 1, 'vcpus': 1}. 'disk' is a required property",
      ],
      [
        { name: '', ram: 1, vcpus: 1, disk: 1 },
        "Invalid input for field/attribute name. Value: . '' is too short",
      ],
      [
        { name: ' lead', ram: 1, vcpus: 1, disk: 1 },
        "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.",
      ],
      [
        { name: 'x', ram: 1, vcpus: 1, disk: 1, foo: 1 },
        "Invalid input for field/attribute flavor. Value: {'name': 'x', 'ram': 1, 'vcpus': 1, 'disk': 1, 'foo': 1}. Additional properties are not allowed ('foo' was unexpected)",
      ],
      [
        { name: 'x', ram: 1, vcpus: 1, disk: 1, rxtx_factor: 0 },
        'Invalid input for field/attribute rxtx_factor. Value: 0. 0 is less than or equal to the minimum of 0',
      ],
      [
        { name: 'x', id: ' bad', ram: 1, vcpus: 1, disk: 1 },
        "Invalid input for field/attribute id. Value:  bad. ' bad' does not match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'",
      ],
      [
        { name: 'x', ram: 1, vcpus: 1, disk: 1, description: 'd' },
        "Invalid input for field/attribute flavor. Value: {'name': 'x', 'ram': 1, 'vcpus': 1, 'disk': 1, 'description': 'd'}. Additional properties are not allowed ('description' was unexpected)",
      ],
    ]
    for (const [flavor, message] of cases) {
      const res = await create(flavor)
      assert.equal(res.status, 400, JSON.stringify(flavor))
      assert.equal(res.body.badRequest.message, message)
    }
    const after = (await h.request('GET', '/v2.1/flavors/detail?is_public=none')).body.flavors
    assert.deepEqual(after, before)
  })

  it('keeps flavor management to admins', async () => {
    const body = { flavor: { name: 'sneaky', ram: 1, vcpus: 1, disk: 1 } }
    const res = await h.request('POST', '/v2.1/flavors', { token: alice.token, body })
    assert.equal(res.status, 403)
    assert.equal(
      res.body.forbidden.message,
      "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.",
    )
    const del = await h.request('DELETE', '/v2.1/flavors/1', { token: alice.token })
    assert.equal(del.status, 403)
    const put = await h.request('PUT', '/v2.1/flavors/1', {
      token: alice.token,
      microversion: '2.55',
      body: { flavor: { description: 'x' } },
    })
    assert.equal(put.status, 403)
    assert.equal((await h.request('GET', '/v2.1/flavors/1')).status, 200)
  })

  it('shows description from 2.55, extra_specs from 2.61 and swap 0 from 2.75', async () => {
    const res = await create(
      { name: 'described', ram: 64, vcpus: 1, disk: 1, description: 'tiny one' },
      '2.55',
    )
    assert.equal(res.status, 200)
    const id = res.body.flavor.id
    assert.equal(res.body.flavor.description, 'tiny one')
    assert.equal(res.body.flavor.extra_specs, undefined)
    const brief = await h.request('GET', '/v2.1/flavors', { microversion: '2.55' })
    assert.deepEqual(Object.keys(brief.body.flavors[0]).sort(), [
      'description',
      'id',
      'links',
      'name',
    ])
    // Flavor ids sort as strings: a generated uuid may come before '1'.
    const tiny = brief.body.flavors.find((f: { id: string }) => f.id === '1')
    assert.equal(tiny.description, null)

    const put = await h.request('PUT', `/v2.1/flavors/${id}`, {
      microversion: '2.55',
      body: { flavor: { description: 'new' } },
    })
    assert.equal(put.status, 200)
    assert.equal(put.body.flavor.description, 'new')
    const old = await h.request('PUT', `/v2.1/flavors/${id}`, {
      microversion: '2.54',
      body: { flavor: { description: 'old' } },
    })
    assert.equal(old.status, 404)
    const missing = await h.request('PUT', '/v2.1/flavors/nope', {
      microversion: '2.55',
      body: { flavor: { description: 'x' } },
    })
    assert.equal(missing.status, 404)
    assert.equal(missing.body.itemNotFound.message, 'Flavor nope could not be found.')
    const extra = await h.request('PUT', `/v2.1/flavors/${id}`, {
      microversion: '2.55',
      body: { flavor: { description: 'x', name: 'y' } },
    })
    assert.equal(extra.status, 400)

    const created261 = await create({ name: 'with-specs', ram: 64, vcpus: 1, disk: 1 }, '2.61')
    assert.deepEqual(created261.body.flavor.extra_specs, {})
    const specs = await h.request('POST', `/v2.1/flavors/${id}/os-extra_specs`, {
      body: { extra_specs: { 'hw:cpu_policy': 'shared' } },
    })
    assert.equal(specs.status, 200)
    const show261 = await h.request('GET', `/v2.1/flavors/${id}`, { microversion: '2.61' })
    assert.deepEqual(show261.body.flavor.extra_specs, { 'hw:cpu_policy': 'shared' })
    const detail261 = await h.request('GET', '/v2.1/flavors/detail', {
      microversion: '2.61',
      token: alice.token,
    })
    const tiny261 = detail261.body.flavors.find((f: Json) => f.id === '1')
    assert.deepEqual(tiny261.extra_specs, {})

    const show275 = await h.request('GET', '/v2.1/flavors/1', { microversion: '2.75' })
    assert.equal(show275.body.flavor.swap, 0)
  })

  it('deletes flavors (202, then 404)', async () => {
    const res = await create({ name: 'doomed', id: 'doomed', ram: 64, vcpus: 1, disk: 1 })
    assert.equal(res.status, 200)
    const del = await h.request('DELETE', '/v2.1/flavors/doomed')
    assert.equal(del.status, 202)
    assert.equal(del.text, '')
    const gone = await h.request('GET', '/v2.1/flavors/doomed')
    assert.equal(gone.status, 404)
    assert.equal(gone.body.itemNotFound.message, 'Flavor doomed could not be found.')
    assert.equal((await h.request('DELETE', '/v2.1/flavors/doomed')).status, 404)
  })
})
