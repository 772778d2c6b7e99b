import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Notification } from '../../src/lib/rpc/notifier.js'
import { NOTIFICATIONS_TOPIC } from '../../src/lib/rpc/notifier.js'
import { type ImageHarness, startImageHarness } from '../support/image-harness.js'

const octet = { 'content-type': 'application/octet-stream' }
const MIB = 1024 * 1024

describe('image: quotas and unified limits', () => {
  let h: ImageHarness
  let user: { projectId: string; token: string }
  before(async () => {
    h = await startImageHarness({ image: { use_keystone_limits: 'true' } })
    user = await h.member('quota-user')
    const t = h.identity.adminToken
    const service = await h.identity.db
      .selectFrom('service')
      .select('id')
      .where('type', '=', 'image')
      .executeTakeFirstOrThrow()
    const res = await h.identity.request('POST', '/v3/registered_limits', {
      token: t,
      body: {
        registered_limits: [
          { service_id: service.id, resource_name: 'image_count_total', default_limit: 2 },
          { service_id: service.id, resource_name: 'image_size_total', default_limit: 1 },
        ],
      },
    })
    assert.equal(res.status, 201, res.text)
  })
  after(() => h.close())

  const create = (name: string) =>
    h.request('POST', '/v2/images', {
      token: user.token,
      body: { name, disk_format: 'raw', container_format: 'bare' },
    })

  it('refuses an image beyond image_count_total with 413', async () => {
    assert.equal((await create('q1')).status, 201)
    assert.equal((await create('q2')).status, 201)
    const third = await create('q3')
    assert.equal(third.status, 413)
    assert.match(third.text, /image_count_total/)
  })

  it('stops an upload that would go over image_size_total while it streams, keeping nothing', async () => {
    const list = (await h.request('GET', '/v2/images', { token: user.token })).body.images as {
      id: string
    }[]
    const [first, second] = list
    assert.ok(first && second)
    const ok = await h.request('PUT', `/v2/images/${first.id}/file`, {
      token: user.token,
      payload: randomBytes(MIB / 2),
      headers: octet,
    })
    assert.equal(ok.status, 204)
    const over = await h.request('PUT', `/v2/images/${second.id}/file`, {
      token: user.token,
      payload: randomBytes(MIB),
      headers: octet,
    })
    assert.equal(over.status, 413)
    const after = (await h.request('GET', `/v2/images/${second.id}`, { token: user.token })).body
    assert.equal(after.status, 'queued')
    const store = join(h.dataDir, 'images')
    assert.ok(!existsSync(join(store, second.id)))
    assert.deepEqual(
      readdirSync(store).filter((f) => f.endsWith('.partial')),
      [],
    )
  })

  it('reports usage against the limits', async () => {
    const usage = (await h.request('GET', '/v2/info/usage', { token: user.token })).body.usage
    assert.deepEqual(usage.image_count_total, { usage: 2, limit: 2 })
    assert.equal(usage.image_size_total.limit, 1)
  })
})

describe('image: user_storage_quota, property round trips and notifications', () => {
  let h: ImageHarness
  let user: { projectId: string; token: string }
  const seen: Notification[] = []
  before(async () => {
    h = await startImageHarness({ image: { user_storage_quota: String(64 * 1024) } })
    user = await h.member('legacy-quota-user')
    await h.bus.serve(NOTIFICATIONS_TOPIC, {
      info: (message) => void seen.push(message as Notification),
      error: (message) => void seen.push(message as Notification),
    })
  })
  after(() => h.close())

  it('keeps scheduler and virt driver properties as given', async () => {
    const props = {
      hypervisor_type: 'qemu',
      kernel_id: '2f5b1a4e-1111-4c2d-9e3f-123456789abc',
      ramdisk_id: '3f5b1a4e-2222-4c2d-9e3f-123456789abc',
      os_distro: 'debian',
      hw_disk_bus: 'virtio',
      hw_vif_model: 'virtio',
      hw_qemu_guest_agent: 'yes',
    }
    const res = await h.request('POST', '/v2/images', {
      token: user.token,
      body: {
        name: 'props',
        disk_format: 'qcow2',
        container_format: 'bare',
        min_ram: 512,
        min_disk: 1,
        ...props,
      },
    })
    assert.equal(res.status, 201)
    const shown = (await h.request('GET', `/v2/images/${res.body.id}`, { token: user.token })).body
    for (const [k, v] of Object.entries(props)) assert.equal(shown[k], v, k)
    assert.equal(shown.min_ram, 512)
    assert.equal(shown.min_disk, 1)
  })

  it('refuses uploads past the project storage quota and announces create, upload and delete', async () => {
    const img = (
      await h.request('POST', '/v2/images', {
        token: user.token,
        body: { name: 'n', disk_format: 'raw', container_format: 'bare' },
      })
    ).body
    const big = await h.request('PUT', `/v2/images/${img.id}/file`, {
      token: user.token,
      payload: randomBytes(100 * 1024),
      headers: octet,
    })
    assert.equal(big.status, 413)
    assert.match(big.text, /storage quota/)
    assert.equal(
      (
        await h.request('PUT', `/v2/images/${img.id}/file`, {
          token: user.token,
          payload: randomBytes(1024),
          headers: octet,
        })
      ).status,
      204,
    )
    assert.equal(
      (await h.request('DELETE', `/v2/images/${img.id}`, { token: user.token })).status,
      204,
    )
    await h.bus.idle()
    const events = seen
      .filter((n) => (n.payload as { id?: string }).id === img.id)
      .map((n) => n.event_type)
    for (const e of [
      'image.create',
      'image.prepare',
      'image.upload',
      'image.activate',
      'image.delete',
    ])
      assert.ok(events.includes(e), e)
    const deleted = seen.find((n) => n.event_type === 'image.delete')
    assert.equal((deleted?.payload as { deleted: boolean }).deleted, true)
    assert.equal(deleted?.publisher_id, 'image.ostack')
  })
})
