import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ActionKit, actionKit, faultMessage } from '../support/compute-actions.js'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'

describe('compute server rebuild, snapshots and backups', () => {
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

  it('rebuilds with a new image, name, metadata and password (202 + Location + view)', async () => {
    const other = await h.createImage({ name: 'other' })
    const id = await k.boot()
    let res = await k.act(id, {
      rebuild: { imageRef: other, name: 'renamed', metadata: { a: 'b' }, adminPass: 'pw' },
    })
    assert.equal(res.status, 202, res.text)
    assert.match(res.headers.location as string, new RegExp(`/v2\\.1/servers/${id}$`))
    const v = res.body.server
    assert.equal(v.adminPass, 'pw')
    assert.equal(v.image.id, other)
    assert.equal(v.name, 'renamed')
    assert.deepEqual(v.metadata, { a: 'b' })
    assert.equal(v['OS-EXT-STS:vm_state'], undefined, 'the update view below 2.75')
    await k.settled(id, 'ACTIVE')
    res = await k.act(
      id,
      { rebuild: { imageRef: imageId, key_name: null, user_data: 'aGk=' } },
      { microversion: '2.57' },
    )
    assert.equal(res.status, 202, res.text)
    assert.equal(res.body.server.user_data, 'aGk=')
    assert.equal(res.body.server.key_name, null)
    assert.equal(res.body.server.adminPass.length, 12)
    await k.settled(id, 'ACTIVE')
    res = await k.act(id, { rebuild: { imageRef: imageId } }, { microversion: '2.75' })
    assert.equal(res.body.server['OS-EXT-STS:vm_state'], 'active')
    assert.equal(res.body.server['OS-EXT-SRV-ATTR:user_data'], undefined)
    await k.settled(id, 'ACTIVE')
    res = await k.act(id, { rebuild: { imageRef: '11111111-1111-1111-1111-111111111111' } })
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), 'Cannot find image for rebuild')
    res = await k.act(
      id,
      { rebuild: { imageRef: imageId, key_name: 'nope' } },
      { microversion: '2.54' },
    )
    assert.equal(faultMessage(res), 'Invalid key_name provided.')
    res = await k.act(id, { rebuild: { imageRef: imageId, user_data: 'aGk=' } })
    assert.equal(res.status, 400, 'user_data only from 2.57')
    await k.act(id, { rescue: null })
    await k.settled(id, 'RESCUE')
    res = await k.act(id, { rebuild: { imageRef: imageId } })
    assert.equal(res.status, 409)
    assert.equal(
      faultMessage(res),
      `Cannot 'rebuild' instance ${id} while it is in vm_state rescued`,
    )
  })

  it('snapshots into the image service (Location < 2.45, image_id >= 2.45)', async () => {
    const id = await k.boot({ token: alice.token })
    let res = await k.act(
      id,
      { createImage: { name: 'snap', metadata: { k: 'v' } } },
      { token: alice.token },
    )
    assert.equal(res.status, 202, res.text)
    assert.equal(res.text, '')
    const snap = /\/images\/([0-9a-f-]+)$/.exec(res.headers.location as string)?.[1] ?? ''
    assert.match(res.headers.location as string, /^http:\/\/[^/]+:9292\/images\//)
    await k.settled(id, 'ACTIVE')
    const image = await h.image.request('GET', `/v2/images/${snap}`, { token: alice.token })
    assert.equal(image.status, 200, image.text)
    assert.equal(image.body.status, 'active')
    assert.equal(image.body.image_type, 'snapshot')
    assert.equal(image.body.instance_uuid, id)
    assert.equal(image.body.base_image_ref, imageId)
    assert.equal(image.body.owner, alice.projectId)
    assert.equal(image.body.k, 'v')
    assert.equal(image.body.visibility, 'private')
    res = await k.act(
      id,
      { createImage: { name: 'snap2' } },
      { token: alice.token, microversion: '2.45' },
    )
    assert.equal(res.status, 202)
    assert.deepEqual(Object.keys(res.body), ['image_id'])
    await k.settled(id, 'ACTIVE')
    res = await k.act(id, { createImage: {} }, { token: alice.token })
    assert.equal(res.status, 400)
    // A locked server can still be snapshotted (Nova does not check locks here).
    await k.act(id, { lock: null }, { token: alice.token })
    res = await k.act(id, { createImage: { name: 'locked' } }, { token: alice.token })
    assert.equal(res.status, 202, res.text)
    await k.settled(id, 'ACTIVE')
  })

  it('backs up with rotation', async () => {
    const id = await k.boot()
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await k.act(
        id,
        { createBackup: { name: `b${i}`, backup_type: 'daily', rotation: 2 } },
        { microversion: '2.45' },
      )
      assert.equal(res.status, 202, res.text)
      ids.push(res.body.image_id as string)
      await k.settled(id, 'ACTIVE')
      await new Promise((r) => setTimeout(r, 5))
    }
    const first = await h.image.request('GET', `/v2/images/${ids[0] ?? ''}`, {
      token: h.adminToken,
    })
    assert.equal(first.status, 404, 'the oldest backup rotated out')
    for (const kept of ids.slice(1)) {
      const img = await h.image.request('GET', `/v2/images/${kept}`, { token: h.adminToken })
      assert.equal(img.body.backup_type, 'daily')
      assert.equal(img.body.image_type, 'backup')
    }
    let res = await k.act(id, { createBackup: { name: 'b', backup_type: 'daily', rotation: 0 } })
    assert.equal(res.status, 202)
    assert.equal(res.headers.location, undefined, 'no Location with rotation 0')
    await k.settled(id, 'ACTIVE')
    res = await k.act(id, { createBackup: { name: 'b', backup_type: 'daily', rotation: -1 } })
    assert.equal(res.status, 400)
  })

  it('a failed snapshot reverts the task and leaves no image behind', async () => {
    const failing = await h.createImage({ name: 'flaky', fake_fail_snapshot: 'true' })
    const id = await k.boot({ imageRef: failing })
    const res = await k.act(id, { createImage: { name: 'doomed' } }, { microversion: '2.45' })
    assert.equal(res.status, 202, res.text)
    const s = await k.settled(id, 'ACTIVE')
    assert.equal(s['OS-EXT-STS:vm_state'], 'active')
    const image = await h.image.request('GET', `/v2/images/${res.body.image_id as string}`, {
      token: h.adminToken,
    })
    assert.equal(image.status, 404)
    const actions = await h.request('GET', `/v2.1/servers/${id}/os-instance-actions`)
    const snap = actions.body.instanceActions.find(
      (a: { action: string }) => a.action === 'createImage',
    )
    assert.equal(snap.message, 'Error')
  })
})
