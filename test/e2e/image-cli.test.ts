/**
 * The real `openstack` CLI against the image service of `ostack serve`, plus what only a real
 * process shows: a 2 GiB upload in bounded memory, and a cut upload leaving nothing behind.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdtempSync,
  openSync,
  closeSync,
  ftruncateSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CloudProcess, startCloud } from '../support/cloud-process.js'
import { openstack, openstackRaw } from '../support/openstack-cli.js'
import { rssMiB, uploadImageData } from '../support/image-upload.js'

const run = Math.random().toString(36).slice(2, 7)
const md5 = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex')

describe('e2e: openstack CLI against the image service', () => {
  let cloud: CloudProcess
  let env: Record<string, string>
  const dir = mkdtempSync(join(tmpdir(), 'ostack-image-e2e-'))
  const os = (...args: string[]) => openstack(args, env)
  let token: string
  let imageUrl: string

  before(async () => {
    cloud = await startCloud()
    env = cloud.clientEnv
    token = (await os('token', 'issue', '-f', 'json')).id
    imageUrl = cloud.imageUrl
  })
  after(async () => {
    await cloud.stop()
  })

  /** A queued image with no data (the CLI would upload its empty stdin). */
  async function queuedImage(name: string): Promise<{ id: string }> {
    const res = await fetch(`${imageUrl}/v2/images`, {
      method: 'POST',
      headers: { 'x-auth-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ name, disk_format: 'raw', container_format: 'bare' }),
    })
    assert.equal(res.status, 201)
    return (await res.json()) as { id: string }
  }

  it('creates, shows, lists, sets, downloads and deletes a qcow2 image', async () => {
    const file = join(dir, 'disk.qcow2')
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '64M'])
    const img = await os(
      'image',
      'create',
      '--file',
      file,
      '--disk-format',
      'qcow2',
      '--container-format',
      'bare',
      '--public',
      `e2e-image-${run}`,
      '-f',
      'json',
    )
    assert.equal(img.visibility, 'public')
    const shown = await os('image', 'show', `e2e-image-${run}`, '-f', 'json')
    assert.equal(shown.status, 'active')
    assert.equal(shown.checksum, md5(file))
    assert.equal(shown.virtual_size, 64 * 1024 * 1024)
    assert.ok(
      (await os('image', 'list', '-f', 'json')).some(
        (i: { Name: string }) => i.Name === `e2e-image-${run}`,
      ),
    )
    await os(
      'image',
      'set',
      '--property',
      'hw_disk_bus=virtio',
      '--property',
      'os_distro=debian',
      '--tag',
      'golden',
      `e2e-image-${run}`,
    )
    let props = await os('image', 'show', `e2e-image-${run}`, '-f', 'json')
    assert.equal(props.properties.hw_disk_bus, 'virtio')
    assert.deepEqual(props.tags, ['golden'])
    await os('image', 'unset', '--property', 'hw_disk_bus', '--tag', 'golden', `e2e-image-${run}`)
    props = await os('image', 'show', `e2e-image-${run}`, '-f', 'json')
    assert.equal(props.properties.hw_disk_bus, undefined)
    assert.deepEqual(props.tags, [])
    const saved = join(dir, 'saved.qcow2')
    await os('image', 'save', '--file', saved, `e2e-image-${run}`)
    assert.equal(md5(saved), md5(file), 'the downloaded image is byte-identical')
    await os('image', 'delete', `e2e-image-${run}`)
    assert.notEqual((await openstackRaw(['image', 'show', `e2e-image-${run}`], env)).code, 0)
  })

  it('refuses qcow2 data declared raw, and a qcow2 with a backing file', async () => {
    const base = join(dir, 'base.raw')
    writeFileSync(base, Buffer.alloc(1024 * 1024))
    const child = join(dir, 'child.qcow2')
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'raw', child])
    const asRaw = await openstackRaw(
      [
        'image',
        'create',
        '--file',
        child,
        '--disk-format',
        'raw',
        '--container-format',
        'bare',
        `e2e-bad1-${run}`,
      ],
      env,
    )
    assert.notEqual(asRaw.code, 0)
    assert.match(asRaw.stderr, /400|Bad Request/)
    const backed = await openstackRaw(
      [
        'image',
        'create',
        '--file',
        child,
        '--disk-format',
        'qcow2',
        '--container-format',
        'bare',
        `e2e-bad2-${run}`,
      ],
      env,
    )
    assert.notEqual(backed.code, 0)
    assert.match(backed.stderr, /400/)
  })

  it('shares an image with another project, which accepts it', async () => {
    const file = join(dir, 'small.raw')
    writeFileSync(file, Buffer.alloc(4096, 7))
    await os('project', 'create', `e2e-other-${run}`)
    await os('user', 'create', `e2e-other-user-${run}`, '--password', 'pw')
    await os(
      'role',
      'add',
      '--user',
      `e2e-other-user-${run}`,
      '--project',
      `e2e-other-${run}`,
      'member',
    )
    await os(
      'image',
      'create',
      '--file',
      file,
      '--disk-format',
      'raw',
      '--container-format',
      'bare',
      '--shared',
      `e2e-shared-${run}`,
    )
    const member = await os(
      'image',
      'add',
      'project',
      `e2e-shared-${run}`,
      `e2e-other-${run}`,
      '-f',
      'json',
    )
    assert.equal(member.status, 'pending')
    const otherEnv = {
      OS_AUTH_URL: cloud.authUrl,
      OS_USERNAME: `e2e-other-user-${run}`,
      OS_PASSWORD: 'pw',
      OS_PROJECT_NAME: `e2e-other-${run}`,
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_IDENTITY_API_VERSION: '3',
      OS_CLOUD: '',
      OS_CLIENT_CONFIG_FILE: '/dev/null',
    }
    const imageId = (await os('image', 'show', `e2e-shared-${run}`, '-f', 'json')).id
    const before = await openstack(['image', 'list', '-f', 'json'], otherEnv)
    assert.ok(!before.some((i: { ID: string }) => i.ID === imageId))
    await openstack(['image', 'set', '--accept', imageId], otherEnv)
    const afterList = await openstack(['image', 'list', '-f', 'json'], otherEnv)
    assert.ok(afterList.some((i: { ID: string }) => i.ID === imageId))
  })

  it('uploads a 2 GiB sparse file with the server staying under 200 MB RSS', async () => {
    const file = join(dir, 'sparse.raw')
    const fd = openSync(file, 'w')
    ftruncateSync(fd, 2 * 1024 ** 3)
    closeSync(fd)
    const img = await queuedImage(`e2e-big-${run}`)
    const pid = cloud.child.pid ?? 0
    let peak = rssMiB(pid)
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50)
    const res = await uploadImageData(imageUrl, token, img.id, file)
    clearInterval(sampler)
    assert.equal(res.status, 204, res.body)
    const shown = await os('image', 'show', img.id, '-f', 'json')
    assert.equal(shown.size, 2 * 1024 ** 3)
    assert.equal(shown.status, 'active')
    assert.ok(peak < 200, `peak RSS ${peak.toFixed(0)} MB`)
    process.stdout.write(`# 2 GiB upload: peak server RSS ${peak.toFixed(0)} MB\n`)
    await os('image', 'delete', img.id)
  })

  it('marks an image killed and keeps no data when the upload connection is cut', async () => {
    const img = await queuedImage(`e2e-cut-${run}`)
    await new Promise<void>((resolve) => {
      const req = http.request(`${imageUrl}/v2/images/${img.id}/file`, {
        method: 'PUT',
        headers: { 'x-auth-token': token, 'content-type': 'application/octet-stream' },
      })
      req.on('error', () => resolve())
      req.write(Buffer.alloc(8 * 1024 * 1024, 1))
      setTimeout(() => {
        req.destroy()
        resolve()
      }, 300)
    })
    let status = ''
    for (let i = 0; i < 100 && status !== 'killed'; i++) {
      await new Promise((r) => setTimeout(r, 100))
      status = (await os('image', 'show', img.id, '-f', 'json')).status
    }
    assert.equal(status, 'killed')
    const store = join(cloud.dataDir, 'data', 'images')
    assert.ok(!existsSync(join(store, img.id)))
    assert.deepEqual(
      readdirSync(store).filter((f) => f.startsWith(img.id)),
      [],
    )
  })
})
