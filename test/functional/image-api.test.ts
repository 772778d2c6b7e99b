import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { type ImageHarness, startImageHarness } from '../support/image-harness.js'
import { eventually } from '../support/poll.js'

const octet = { 'content-type': 'application/octet-stream' }
const patchType = (v: '2.0' | '2.1') => ({
  'content-type': `application/openstack-images-v${v}-json-patch`,
})

describe('image: Glance v2 images API', () => {
  let h: ImageHarness
  let admin: string
  let alice: { projectId: string; token: string }
  let bob: { projectId: string; token: string }
  before(async () => {
    h = await startImageHarness()
    admin = h.identity.adminToken
    alice = await h.member('alice')
    bob = await h.member('bob')
  })
  after(() => h.close())

  const create = async (token: string, body: Record<string, unknown> = {}) => {
    const res = await h.request('POST', '/v2/images', {
      token,
      body: { name: 'img', disk_format: 'raw', container_format: 'bare', ...body },
    })
    assert.equal(res.status, 201, res.text)
    return res
  }

  it('creates a queued image with Glance’s fields, headers and defaults', async () => {
    const res = await create(alice.token, { hw_disk_bus: 'virtio', tags: ['a'] })
    const img = res.body
    assert.equal(res.headers.location, `http://localhost:80/v2/images/${img.id}`)
    assert.equal(res.headers['openstack-image-import-methods'], 'glance-direct')
    assert.equal(img.status, 'queued')
    assert.equal(img.visibility, 'shared')
    assert.equal(img.owner, alice.projectId)
    assert.equal(img.size, null)
    assert.equal(img.checksum, null)
    assert.equal(img.hw_disk_bus, 'virtio')
    assert.deepEqual(img.tags, ['a'])
    assert.match(img.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.equal(img.self, `/v2/images/${img.id}`)
    const shown = await h.request('GET', `/v2/images/${img.id}`, { token: alice.token })
    assert.deepEqual(shown.body, img)
  })

  it('refuses bad input as Glance does', async () => {
    const bad = async (body: unknown, status: number) => {
      const res = await h.request('POST', '/v2/images', { token: alice.token, body })
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.text}`)
      return res
    }
    const r = await bad({ disk_format: 'wrong' }, 400)
    assert.equal(r.body.code, '400 Bad Request')
    await bad({ container_format: 'wrong' }, 400)
    await bad({ min_ram: -1 }, 400)
    await bad({ custom: 5 }, 400)
    await bad({ status: 'active' }, 403)
    await bad({ self: '/x' }, 403)
    await bad({ location: 'x' }, 403)
    await bad({ os_glance_x: 'x' }, 403)
    await bad({ visibility: 'public' }, 403)
    await bad({ owner: bob.projectId }, 403)
    const dup = await create(alice.token)
    await bad({ id: dup.body.id }, 409)
  })

  it('uploads, hashes and streams data back, whole and by range', async () => {
    const img = (await create(alice.token)).body
    const empty = await h.request('GET', `/v2/images/${img.id}/file`, { token: alice.token })
    assert.equal(empty.status, 204)
    assert.equal(empty.text, '')
    const data = randomBytes(100_000)
    const up = await h.request('PUT', `/v2/images/${img.id}/file`, {
      token: alice.token,
      payload: data,
      headers: octet,
    })
    assert.equal(up.status, 204, up.text)
    const shown = (await h.request('GET', `/v2/images/${img.id}`, { token: alice.token })).body
    assert.equal(shown.status, 'active')
    assert.equal(shown.size, data.length)
    assert.equal(shown.virtual_size, data.length)
    assert.equal(shown.checksum, createHash('md5').update(data).digest('hex'))
    assert.equal(shown.os_hash_algo, 'sha512')
    assert.equal(shown.os_hash_value, createHash('sha512').update(data).digest('hex'))
    const down = await h.request('GET', `/v2/images/${img.id}/file`, { token: alice.token })
    assert.equal(down.status, 200)
    assert.equal(down.headers['content-md5'], shown.checksum)
    assert.ok(down.raw?.equals(data))
    const part = await h.request('GET', `/v2/images/${img.id}/file`, {
      token: alice.token,
      headers: { range: 'bytes=10-19' },
    })
    assert.equal(part.status, 206)
    assert.equal(part.headers['content-range'], `bytes 10-19/${data.length}`)
    assert.ok(part.raw?.equals(data.subarray(10, 20)))
    assert.equal(
      (
        await h.request('GET', `/v2/images/${img.id}/file`, {
          token: alice.token,
          headers: { range: 'bytes=999999-' },
        })
      ).status,
      416,
    )
    const again = await h.request('PUT', `/v2/images/${img.id}/file`, {
      token: alice.token,
      payload: data,
      headers: octet,
    })
    assert.equal(again.status, 409)
    assert.equal(
      (
        await h.request('PUT', `/v2/images/${img.id}/file`, {
          token: alice.token,
          payload: data,
          headers: { 'content-type': 'text/plain' },
        })
      ).status,
      415,
    )
  })

  it('refuses data that is not its disk_format, or that qemu would follow elsewhere', async () => {
    const img = (await create(alice.token, { disk_format: 'raw' })).body
    const qcow2 = Buffer.alloc(1024)
    qcow2.write('QFI\xfb', 0, 'latin1')
    qcow2.writeUInt32BE(3, 4)
    qcow2.writeBigUInt64BE(1024n * 1024n, 24)
    qcow2.writeUInt32BE(104, 100)
    const res = await h.request('PUT', `/v2/images/${img.id}/file`, {
      token: alice.token,
      payload: qcow2,
      headers: octet,
    })
    assert.equal(res.status, 400)
    assert.match(res.text, /qcow2/)
    const after = (await h.request('GET', `/v2/images/${img.id}`, { token: alice.token })).body
    assert.equal(after.status, 'queued', 'a refused upload can be retried')
    assert.equal(after.size, null)
  })

  it('patches with both JSON-patch dialects', async () => {
    const img = (await create(alice.token)).body
    const url = `/v2/images/${img.id}`
    const r1 = await h.request('PATCH', url, {
      token: alice.token,
      headers: patchType('2.0'),
      body: [
        { replace: '/name', value: 'renamed' },
        { add: '/os_distro', value: 'debian' },
      ],
    })
    assert.equal(r1.status, 200, r1.text)
    assert.equal(r1.body.name, 'renamed')
    assert.equal(r1.body.os_distro, 'debian')
    assert.equal(
      (
        await h.request('PATCH', url, {
          token: alice.token,
          headers: patchType('2.0'),
          body: [{ add: '/os_distro', value: 'x' }],
        })
      ).status,
      409,
    )
    const r2 = await h.request('PATCH', url, {
      token: alice.token,
      headers: patchType('2.1'),
      body: [
        { op: 'add', path: '/os_distro', value: 'ubuntu' },
        { op: 'remove', path: '/hw_nothing' },
      ],
    })
    assert.equal(r2.status, 409)
    const r3 = await h.request('PATCH', url, {
      token: alice.token,
      headers: patchType('2.1'),
      body: [{ op: 'remove', path: '/os_distro' }],
    })
    assert.equal(r3.status, 200)
    assert.equal(r3.body.os_distro, undefined)
    assert.equal(
      (
        await h.request('PATCH', url, {
          token: alice.token,
          headers: { 'content-type': 'application/json' },
          body: [],
        })
      ).status,
      415,
    )
    assert.equal(
      (
        await h.request('PATCH', url, {
          token: alice.token,
          headers: patchType('2.1'),
          body: [{ op: 'replace', path: '/size', value: 1 }],
        })
      ).status,
      403,
    )
    assert.equal(
      (
        await h.request('PATCH', url, {
          token: alice.token,
          headers: patchType('2.1'),
          body: [{ op: 'replace', path: '/visibility', value: 'public' }],
        })
      ).status,
      403,
    )
    assert.equal(
      (
        await h.request('PATCH', url, {
          token: bob.token,
          headers: patchType('2.1'),
          body: [{ op: 'replace', path: '/name', value: 'x' }],
        })
      ).status,
      404,
    )
    assert.equal(
      (
        await h.request('PATCH', url, {
          token: admin,
          headers: patchType('2.1'),
          body: [{ op: 'replace', path: '/visibility', value: 'public' }],
        })
      ).status,
      200,
    )
    assert.equal(
      (
        await h.request('PATCH', url, {
          token: bob.token,
          headers: patchType('2.1'),
          body: [{ op: 'replace', path: '/name', value: 'x' }],
        })
      ).status,
      403,
    )
  })

  it('shares images with members who accept or reject them', async () => {
    const img = (await create(alice.token)).body
    const url = `/v2/images/${img.id}/members`
    const added = await h.request('POST', url, {
      token: alice.token,
      body: { member: bob.projectId },
    })
    assert.equal(added.status, 200)
    assert.equal(added.body.status, 'pending')
    assert.equal(
      (await h.request('POST', url, { token: alice.token, body: { member: bob.projectId } }))
        .status,
      409,
    )
    const bobList = async () =>
      (await h.request('GET', '/v2/images', { token: bob.token })).body.images.map(
        (i: { id: string }) => i.id,
      )
    assert.ok(!(await bobList()).includes(img.id))
    assert.equal((await h.request('GET', `/v2/images/${img.id}`, { token: bob.token })).status, 200)
    assert.equal(
      (
        await h.request('PUT', `${url}/${bob.projectId}`, {
          token: alice.token,
          body: { status: 'accepted' },
        })
      ).status,
      403,
    )
    assert.equal(
      (
        await h.request('PUT', `${url}/${bob.projectId}`, {
          token: bob.token,
          body: { status: 'bogus' },
        })
      ).status,
      400,
    )
    assert.equal(
      (
        await h.request('PUT', `${url}/${bob.projectId}`, {
          token: bob.token,
          body: { status: 'accepted' },
        })
      ).status,
      200,
    )
    assert.ok((await bobList()).includes(img.id))
    const members = await h.request('GET', url, { token: alice.token })
    assert.equal(members.body.members.length, 1)
    assert.equal(
      (await h.request('DELETE', `${url}/${bob.projectId}`, { token: alice.token })).status,
      204,
    )
    assert.ok(!(await bobList()).includes(img.id))
    const priv = (await create(alice.token, { visibility: 'private' })).body
    assert.equal(
      (
        await h.request('POST', `/v2/images/${priv.id}/members`, {
          token: alice.token,
          body: { member: bob.projectId },
        })
      ).status,
      403,
    )
  })

  it('lists with filters, sorting and paging', async () => {
    const carol = await h.member('carol')
    const sizes = [3000, 1000, 2000]
    for (const [i, size] of sizes.entries()) {
      const img = (
        await create(carol.token, { name: `c${i}`, visibility: 'private', tags: [`t${i}`] })
      ).body
      await h.request('PUT', `/v2/images/${img.id}/file`, {
        token: carol.token,
        payload: randomBytes(size),
        headers: octet,
      })
    }
    const list = async (q: string) =>
      (await h.request('GET', `/v2/images?visibility=private&${q}`, { token: carol.token })).body
    assert.deepEqual(
      (await list('sort_key=size&sort_dir=desc')).images.map((i: { size: number }) => i.size),
      [3000, 2000, 1000],
    )
    assert.deepEqual(
      (await list('sort=size:asc')).images.map((i: { size: number }) => i.size),
      [1000, 2000, 3000],
    )
    assert.deepEqual(
      (await list('size_min=1500&size_max=2500')).images.map((i: { name: string }) => i.name),
      ['c2'],
    )
    assert.deepEqual(
      (await list('name=in:c0,c1&sort=name:asc')).images.map((i: { name: string }) => i.name),
      ['c0', 'c1'],
    )
    assert.deepEqual(
      (await list('tag=t1')).images.map((i: { name: string }) => i.name),
      ['c1'],
    )
    const page1 = await list('limit=2&sort=name:asc')
    assert.equal(page1.images.length, 2)
    assert.equal(
      page1.next,
      `/v2/images?visibility=private&limit=2&sort=name%3Aasc&marker=${page1.images[1].id}`,
    )
    const page2 = await list(page1.next.split('?')[1])
    assert.deepEqual(
      page2.images.map((i: { name: string }) => i.name),
      ['c2'],
    )
    assert.equal(page2.next, undefined)
    assert.equal(
      (await h.request('GET', '/v2/images?limit=-1', { token: carol.token })).status,
      400,
    )
    assert.equal(
      (await h.request('GET', '/v2/images?marker=nope', { token: carol.token })).status,
      400,
    )
    assert.equal(
      (await h.request('GET', '/v2/images?sort_key=bogus', { token: carol.token })).status,
      400,
    )
    assert.equal(
      (await h.request('GET', '/v2/images?visibility=bogus', { token: carol.token })).status,
      400,
    )
    assert.equal(
      (await h.request('GET', '/v2/images?name=a:b', { token: carol.token })).status,
      400,
    )
  })

  it('deactivates, protects, tags and deletes', async () => {
    const img = (await create(alice.token, { protected: true })).body
    await h.request('PUT', `/v2/images/${img.id}/file`, {
      token: alice.token,
      payload: randomBytes(10),
      headers: octet,
    })
    assert.equal(
      (await h.request('POST', `/v2/images/${img.id}/actions/deactivate`, { token: alice.token }))
        .status,
      204,
    )
    assert.equal(
      (await h.request('GET', `/v2/images/${img.id}/file`, { token: alice.token })).status,
      403,
    )
    assert.equal(
      (await h.request('GET', `/v2/images/${img.id}/file`, { token: admin })).status,
      200,
    )
    assert.equal(
      (await h.request('POST', `/v2/images/${img.id}/actions/reactivate`, { token: alice.token }))
        .status,
      204,
    )
    assert.equal(
      (await h.request('PUT', `/v2/images/${img.id}/tags/blue`, { token: alice.token })).status,
      204,
    )
    assert.equal(
      (await h.request('DELETE', `/v2/images/${img.id}/tags/red`, { token: alice.token })).status,
      404,
    )
    assert.equal(
      (await h.request('DELETE', `/v2/images/${img.id}`, { token: alice.token })).status,
      403,
    )
    await h.request('PATCH', `/v2/images/${img.id}`, {
      token: alice.token,
      headers: patchType('2.1'),
      body: [{ op: 'replace', path: '/protected', value: false }],
    })
    assert.equal(
      (await h.request('DELETE', `/v2/images/${img.id}`, { token: bob.token })).status,
      404,
    )
    assert.equal(
      (await h.request('DELETE', `/v2/images/${img.id}`, { token: alice.token })).status,
      204,
    )
    assert.equal(
      (await h.request('GET', `/v2/images/${img.id}`, { token: alice.token })).status,
      404,
    )
    assert.equal(
      (await h.request('DELETE', `/v2/images/${img.id}`, { token: alice.token })).status,
      404,
    )
  })

  it('stages and imports with glance-direct, recording a task', async () => {
    const img = (await create(alice.token)).body
    const data = randomBytes(5000)
    assert.equal(
      (
        await h.request('POST', `/v2/images/${img.id}/import`, {
          token: alice.token,
          body: { method: { name: 'glance-direct' } },
        })
      ).status,
      409,
    )
    assert.equal(
      (
        await h.request('PUT', `/v2/images/${img.id}/stage`, {
          token: alice.token,
          payload: data,
          headers: octet,
        })
      ).status,
      204,
    )
    const staged = (await h.request('GET', `/v2/images/${img.id}`, { token: alice.token })).body
    assert.equal(staged.status, 'uploading')
    assert.equal(staged.size, 5000)
    assert.equal(
      (
        await h.request('POST', `/v2/images/${img.id}/import`, {
          token: alice.token,
          body: { method: { name: 'web-download' } },
        })
      ).status,
      400,
    )
    const imp = await h.request('POST', `/v2/images/${img.id}/import`, {
      token: alice.token,
      body: { method: { name: 'glance-direct' }, all_stores: true },
    })
    assert.equal(imp.status, 202)
    const shown = await eventually(
      async () => (await h.request('GET', `/v2/images/${img.id}`, { token: alice.token })).body,
      (image) => image.status === 'active',
      'imported image',
    )
    assert.equal(shown.checksum, createHash('md5').update(data).digest('hex'))
    // As in Glance, the task completes just after the image goes active.
    const tasks = await eventually(
      async () =>
        (await h.request('GET', `/v2/images/${img.id}/tasks`, { token: alice.token })).body.tasks,
      (t) => t[0]?.status !== 'processing',
      'import task',
    )
    assert.equal(tasks.length, 1)
    assert.equal(tasks[0].status, 'success')
    assert.equal(tasks[0].request_id, imp.headers['x-openstack-request-id'])
    assert.equal(
      (await h.request('GET', `/v2/tasks/${tasks[0].id}`, { token: alice.token })).status,
      403,
    )
    assert.equal(
      (await h.request('GET', `/v2/tasks/${tasks[0].id}`, { token: admin })).body.result.image_id,
      img.id,
    )
  })

  it('speaks Glance’s discovery and error dialects', async () => {
    const root = await h.request('GET', '/')
    assert.equal(root.status, 300)
    assert.equal(root.body.versions[0].id, 'v2.15')
    assert.equal((await h.request('GET', '/versions')).status, 200)
    assert.equal((await h.request('GET', '/v2/images/', { token: alice.token })).status, 404)
    assert.equal(
      (await h.request('GET', '/v2/schemas/image', { token: alice.token })).body.name,
      'image',
    )
    assert.equal((await h.request('GET', '/v2/info/stores', { token: alice.token })).status, 404)
    assert.deepEqual(
      (await h.request('GET', '/v2/info/import', { token: alice.token })).body['import-methods']
        .value,
      ['glance-direct'],
    )
    const noAccept = await h.request('GET', '/v2/images/0b5e2a8c-9f1e-4a6b-8f55-8f6f3f3e7b01', {
      token: alice.token,
      headers: { accept: '' },
    })
    assert.equal(noAccept.status, 404)
    assert.match(String(noAccept.headers['content-type']), /^text\/plain/)
    const put = await h.request('PUT', '/v2/images', { token: alice.token })
    assert.equal(put.status, 405)
    assert.equal(put.headers.allow, 'GET, POST')
    assert.equal((await h.request('GET', '/v2/images')).status, 401)
  })
})
