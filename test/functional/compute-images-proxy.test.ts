import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ActionKit, actionKit, faultMessage } from '../support/compute-actions.js'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { eventually } from '../support/poll.js'

type User = { userId: string; projectId: string; token: string }

describe('compute image proxy (/images) and image metadata', () => {
  let h: ComputeHarness
  let k: ActionKit
  let publicId: string
  let alice: User
  let bob: User
  let aliceImage: string

  /** A private image of `user` with 1 KiB of data (as Tempest creates them). */
  async function privateImage(user: User, extra: Record<string, unknown> = {}): Promise<string> {
    const created = await h.image.request('POST', '/v2/images', {
      token: user.token,
      body: { name: 'mine', disk_format: 'raw', container_format: 'bare', ...extra },
    })
    assert.equal(created.status, 201, created.text)
    const id = created.body.id as string
    const put = await h.image.request('PUT', `/v2/images/${id}/file`, {
      token: user.token,
      payload: Buffer.alloc(1024, 42),
      headers: { 'content-type': 'application/octet-stream' },
    })
    assert.equal(put.status, 204, put.text)
    return id
  }

  /** Waits for the agent to record the end of the snapshot (nothing runs after the test). */
  async function snapshotFinished(server: string): Promise<void> {
    const url = `/v2.1/servers/${server}/os-instance-actions`
    await eventually(
      async () => {
        const actions = (await h.request('GET', url)).body.instanceActions as {
          action: string
          request_id: string
        }[]
        const snap = actions.find((a) => a.action === 'createImage')
        if (!snap) return []
        const shown = await h.request('GET', `${url}/${snap.request_id}`)
        return shown.body.instanceAction.events as { finish_time: string | null }[]
      },
      (events) => events.length > 0 && events.every((e) => e.finish_time !== null),
      'the snapshot finished',
    )
  }

  const ids = (body: { images: { id: string }[] }) => body.images.map((i) => i.id)

  before(async () => {
    h = await startComputeHarness()
    publicId = await h.createImage({
      name: 'cirros',
      min_ram: 64,
      min_disk: 1,
      os_distro: 'cirros',
    })
    k = await actionKit(h, publicId)
    alice = await h.member('alice')
    bob = await h.member('bob')
    aliceImage = await privateImage(alice, { name: 'alice-img', auto_disk_config: 'True' })
  })
  after(async () => h.close())

  it('shows an image the Nova way: status, progress, metadata, three links', async () => {
    const res = await h.request('GET', `/v2.1/images/${publicId}`)
    assert.equal(res.status, 200, res.text)
    const img = res.body.image
    assert.deepEqual(Object.keys(img).sort(), [
      'OS-EXT-IMG-SIZE:size',
      'created',
      'id',
      'links',
      'metadata',
      'minDisk',
      'minRam',
      'name',
      'progress',
      'status',
      'updated',
    ])
    assert.equal(img.status, 'ACTIVE')
    assert.equal(img.progress, 100)
    assert.equal(img.minRam, 64)
    assert.equal(img.minDisk, 1)
    assert.equal(img['OS-EXT-IMG-SIZE:size'], 4096)
    assert.deepEqual(img.metadata, { os_distro: 'cirros' }, 'only the extra properties')
    assert.match(img.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.match(img.updated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.deepEqual(
      img.links.map((l: { rel: string }) => l.rel),
      ['self', 'bookmark', 'alternate'],
    )
    assert.match(img.links[0].href, new RegExp(`/v2\\.1/images/${publicId}$`))
    assert.doesNotMatch(img.links[1].href, /v2\.1/)
    assert.equal(img.links[2].type, 'application/vnd.openstack.image')
    assert.match(img.links[2].href, new RegExp(`^http://[^/]+:9292/images/${publicId}$`))

    const mine = await h.request('GET', `/v2.1/${alice.projectId}/images/${aliceImage}`, {
      token: alice.token,
    })
    assert.equal(mine.status, 200, mine.text)
    assert.equal(mine.body.image['OS-DCF:diskConfig'], 'AUTO')
    assert.match(mine.body.image.links[0].href, new RegExp(`/v2\\.1/${alice.projectId}/images/`))

    const queued = await h.image.request('POST', '/v2/images', {
      token: alice.token,
      body: { name: 'empty' },
    })
    const q = await h.request('GET', `/v2.1/images/${queued.body.id as string}`, {
      token: alice.token,
    })
    assert.equal(q.body.image.status, 'SAVING')
    assert.equal(q.body.image.progress, 25)
    assert.equal(q.body.image['OS-EXT-IMG-SIZE:size'], 0, 'a missing size reads as 0')
    assert.equal(q.body.image.name, 'empty')
  })

  it("lists what Glance shows the caller, with Nova's filters", async () => {
    let res = await h.request('GET', '/v2.1/images', { token: bob.token })
    assert.equal(res.status, 200, res.text)
    assert.ok(ids(res.body).includes(publicId))
    assert.ok(!ids(res.body).includes(aliceImage), "another project's private image is hidden")
    assert.deepEqual(Object.keys(res.body.images[0]).sort(), ['id', 'links', 'name'])
    assert.equal(res.body.images_links, undefined)
    res = await h.request('GET', `/v2.1/images/${aliceImage}`, { token: bob.token })
    assert.equal(res.status, 404)
    assert.equal(faultMessage(res), 'Image not found.')
    res = await h.request('GET', '/v2.1/images/detail')
    assert.ok(ids(res.body).includes(aliceImage), 'the admin sees every image')
    assert.ok(res.body.images.every((i: Record<string, unknown>) => 'metadata' in i))

    const list = async (query: string, token = alice.token) =>
      ids((await h.request('GET', `/v2.1/images/detail?${query}`, { token })).body)
    assert.deepEqual(await list('name=alice-img'), [aliceImage])
    assert.ok((await list('status=ACTIVE')).includes(aliceImage))
    assert.ok(!(await list('status=SAVING')).includes(aliceImage))
    assert.deepEqual(await list('minRam=64'), [publicId])
    assert.deepEqual(await list('minDisk=1&minRam=64'), [publicId])
    assert.ok((await list('changes-since=2000-01-01T00:00:00Z')).includes(aliceImage))
    assert.deepEqual(await list('changes-since=2999-01-01T00:00:00Z'), [])
    // Nova strips `property-` with str.lstrip: os_distro loses its `o` and matches nothing.
    assert.deepEqual(await list('property-os_distro=cirros'), [])
    res = await h.request('GET', '/v2.1/images?changes-since=yesterday')
    assert.equal(res.status, 400)
  })

  it('pages with limit and marker, and images_links when a page is full', async () => {
    let res = await h.request('GET', '/v2.1/images?limit=1')
    assert.equal(res.body.images.length, 1)
    const next = res.body.images_links[0]
    assert.equal(next.rel, 'next')
    const first = res.body.images[0].id as string
    assert.match(next.href, new RegExp(`/v2\\.1/images\\?limit=1&marker=${first}$`))
    res = await h.request('GET', `/v2.1/images/detail?limit=1&marker=${first}`)
    assert.equal(res.body.images.length, 1)
    assert.notEqual(res.body.images[0].id, first)
    assert.match(res.body.images_links[0].href, /\/v2\.1\/images\/detail\?limit=1&marker=/)
    const all = await h.request('GET', '/v2.1/images?limit=0')
    assert.ok(all.body.images.length > 2, 'limit 0 means no limit')
    assert.equal(all.body.images_links, undefined)
    for (const bad of ['limit=-1', 'limit=x', 'page_size=x', 'offset=-2']) {
      res = await h.request('GET', `/v2.1/images?${bad}`)
      assert.equal(res.status, 400, bad)
    }
    assert.equal(faultMessage(res), 'Invalid input received: offset must be >= 0')
    res = await h.request('GET', '/v2.1/images?marker=00000000-0000-0000-0000-000000000000')
    assert.equal(res.status, 400)
  })

  it('exists only up to 2.35 (metadata up to 2.38)', async () => {
    for (const path of ['/v2.1/images', '/v2.1/images/detail', `/v2.1/images/${publicId}`]) {
      assert.equal((await h.request('GET', path, { microversion: '2.35' })).status, 200)
      const res = await h.request('GET', path, { microversion: '2.36' })
      assert.equal(res.status, 404, path)
      assert.equal(faultMessage(res), 'The resource could not be found.')
    }
    let res = await h.request('DELETE', `/v2.1/images/${publicId}`, { microversion: '2.36' })
    assert.equal(res.status, 404)
    const meta = `/v2.1/images/${publicId}/metadata`
    assert.equal((await h.request('GET', meta, { microversion: '2.38' })).status, 200)
    res = await h.request('GET', meta, { microversion: '2.39' })
    assert.equal(res.status, 404)
    res = await h.request('PUT', meta, { microversion: '2.39', body: { metadata: {} } })
    assert.equal(res.status, 404)
  })

  it('deletes with Glance rights: 204, then 404; 403 for a foreign image', async () => {
    let res = await h.request('DELETE', `/v2.1/images/${publicId}`, { token: bob.token })
    assert.equal(res.status, 403)
    assert.equal(faultMessage(res), 'You are not allowed to delete the image.')
    res = await h.request('DELETE', `/v2.1/images/${aliceImage}`, { token: bob.token })
    assert.equal(res.status, 404)
    for (const bad of ['11111111-2222-3333-4444-555555555555', 'x'.repeat(37), '-1']) {
      res = await h.request('DELETE', `/v2.1/images/${bad}`)
      assert.equal(res.status, 404, bad)
      assert.equal(faultMessage(res), 'Image not found.')
    }
    res = await h.request('DELETE', '/v2.1/images/')
    assert.equal(res.status, 404, 'a blank id')
    const doomed = await privateImage(bob)
    res = await h.request('DELETE', `/v2.1/images/${doomed}`, { token: bob.token })
    assert.equal(res.status, 204, res.text)
    assert.equal(res.text, '')
    res = await h.request('GET', `/v2.1/images/${doomed}`, { token: bob.token })
    assert.equal(res.status, 404)
  })

  it('reads and writes image metadata (Glance properties)', async () => {
    const id = await privateImage(alice, { hw_a: 'x' })
    const url = `/v2.1/images/${id}/metadata`
    const as = { token: alice.token }
    let res = await h.request('GET', url, as)
    assert.deepEqual(res.body, { metadata: { hw_a: 'x' } })
    res = await h.request('PUT', url, {
      ...as,
      body: { metadata: { os_version: 'v1', os_distro: 'v2' } },
    })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body, { metadata: { os_version: 'v1', os_distro: 'v2' } })
    res = await h.request('GET', url, as)
    assert.deepEqual(
      res.body.metadata,
      { os_version: 'v1', os_distro: 'v2' },
      'replaced, hw_a purged',
    )
    res = await h.request('POST', url, {
      ...as,
      body: { metadata: { os_version: 'alt', arch: 'x' } },
    })
    assert.deepEqual(res.body.metadata, { os_version: 'alt', os_distro: 'v2', arch: 'x' })
    res = await h.request('GET', `${url}/os_distro`, as)
    assert.deepEqual(res.body, { meta: { os_distro: 'v2' } })
    res = await h.request('GET', `${url}/nope`, as)
    assert.equal(res.status, 404)
    res = await h.request('PUT', `${url}/arch`, { ...as, body: { meta: { arch: 'y' } } })
    assert.deepEqual(res.body, { meta: { arch: 'y' } })
    res = await h.request('DELETE', `${url}/os_version`, as)
    assert.equal(res.status, 204)
    res = await h.request('DELETE', `${url}/os_version`, as)
    assert.equal(res.status, 404)
    assert.equal(faultMessage(res), 'Invalid metadata key')
    const glance = await h.image.request('GET', `/v2/images/${id}`, as)
    assert.equal(glance.body.os_distro, 'v2')
    assert.equal(glance.body.arch, 'y')
    assert.equal(glance.body.os_version, undefined)
    assert.equal(glance.body.name, 'mine')

    // Refusals change nothing.
    const bad: [string, string, unknown][] = [
      ['PUT', `${url}/arch`, { meta: { other: 'y' } }],
      ['PUT', `${url}/arch`, { meta: { arch: 'y', b: 'c' } }],
      ['POST', url, { metadata: { '': 'x' } }],
      ['POST', url, { metadata: { k: 'v'.repeat(256) } }],
      ['PUT', url, { meta: {} }],
    ]
    for (const [method, path, body] of bad) {
      res = await h.request(method, path, { ...as, body })
      assert.equal(res.status, 400, `${method} ${JSON.stringify(body)}`)
    }
    res = await h.request('PUT', `${url}/arch`, { ...as, body: { meta: { other: 'y' } } })
    assert.equal(faultMessage(res), 'Request body and URI mismatch')
    res = await h.request('GET', url, as)
    assert.deepEqual(res.body.metadata, { os_distro: 'v2', arch: 'y' })

    // Someone who sees the image but does not own it.
    res = await h.request('POST', `/v2.1/images/${publicId}/metadata`, {
      token: bob.token,
      body: { metadata: { a: 'b' } },
    })
    assert.equal(res.status, 403)
    assert.equal(faultMessage(res), `Not authorized for image ${publicId}.`)
    for (const [method, path, body] of [
      ['GET', '/metadata', undefined],
      ['POST', '/metadata', { metadata: { a: 'b' } }],
      ['PUT', '/metadata', { metadata: { a: 'b' } }],
      ['GET', '/metadata/a', undefined],
      ['PUT', '/metadata/a', { meta: { a: 'b' } }],
      ['DELETE', '/metadata/a', undefined],
    ] as const) {
      res = await h.request(method, `/v2.1/images/${id}${path}`, { token: bob.token, body })
      assert.equal(res.status, 404, `${method} ${path}`)
      assert.equal(faultMessage(res), 'Image not found.')
    }
  })

  it('counts metadata against the metadata_items quota', async () => {
    const id = await privateImage(alice, { a: '1' })
    let res = await h.request('PUT', `/v2.1/os-quota-sets/${alice.projectId}`, {
      body: { quota_set: { metadata_items: 2 } },
    })
    assert.equal(res.status, 200, res.text)
    const url = `/v2.1/images/${id}/metadata`
    const as = { token: alice.token }
    res = await h.request('POST', url, { ...as, body: { metadata: { b: '2', c: '3' } } })
    assert.equal(res.status, 403)
    assert.equal(faultMessage(res), 'Image metadata limit exceeded')
    res = await h.request('PUT', `${url}/b`, { ...as, body: { meta: { b: '2' } } })
    assert.equal(res.status, 200, 'two items fit')
    res = await h.request('PUT', `${url}/c`, { ...as, body: { meta: { c: '3' } } })
    assert.equal(res.status, 403)
    res = await h.request('PUT', url, { ...as, body: { metadata: { x: '1', y: '2', z: '3' } } })
    assert.equal(res.status, 403)
    res = await h.request('GET', url, as)
    assert.deepEqual(res.body.metadata, { a: '1', b: '2' })
  })

  it('shows snapshots with their server and finds them by server and type', async () => {
    const server = await k.boot({ token: alice.token })
    const res = await k.act(
      server,
      { createImage: { name: 'snap' } },
      {
        token: alice.token,
        microversion: '2.45',
      },
    )
    assert.equal(res.status, 202, res.text)
    const snap = res.body.image_id as string
    await k.settled(server, 'ACTIVE')
    await snapshotFinished(server)
    const shown = await h.request('GET', `/v2.1/images/${snap}`, { token: alice.token })
    const img = shown.body.image
    assert.equal(img.status, 'ACTIVE')
    assert.equal(img.metadata.image_type, 'snapshot')
    assert.equal(img.server.id, server)
    assert.deepEqual(
      img.server.links.map((l: { rel: string }) => l.rel),
      ['self', 'bookmark'],
    )
    const list = async (query: string) =>
      ids((await h.request('GET', `/v2.1/images?${query}`, { token: alice.token })).body)
    assert.deepEqual(await list(`server=${server}`), [snap])
    assert.deepEqual(await list(`server=${encodeURIComponent(img.server.links[0].href)}`), [snap])
    assert.deepEqual(await list('type=snapshot'), [snap])
    assert.deepEqual(await list('property-image_type=snapshot'), [snap])
    assert.deepEqual(await list('type=backup'), [])
  })
})
