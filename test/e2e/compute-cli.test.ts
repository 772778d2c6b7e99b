/**
 * The real `openstack` CLI against the compute service of `ostack serve` with two fake
 * hypervisors: servers through every action, flavors, key pairs, aggregates and zones, quotas,
 * hypervisors, services, server groups; and a flavor whose extra spec matches an aggregate's
 * metadata landing only on that aggregate's host.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CloudProcess, startCloud } from '../support/cloud-process.js'
import { openstack } from '../support/openstack-cli.js'

const run = Math.random().toString(36).slice(2, 7)

describe('e2e: openstack CLI against the compute service', () => {
  let cloud: CloudProcess
  let env: Record<string, string>
  const dir = mkdtempSync(join(tmpdir(), 'ostack-compute-e2e-'))
  const os = (...args: string[]) => openstack(args, env)
  let image: string

  before(async () => {
    cloud = await startCloud({ extraConfig: '[fake]\nhosts = compute1,compute2\n' })
    env = cloud.clientEnv
    const file = join(dir, 'disk.raw')
    writeFileSync(file, Buffer.alloc(1024 * 1024, 1))
    image = (
      await os(
        'image',
        'create',
        '--file',
        file,
        '--disk-format',
        'raw',
        '--container-format',
        'bare',
        '--public',
        `cirros-${run}`,
        '-f',
        'json',
      )
    ).id
  })
  after(async () => {
    await cloud.stop()
  })

  const show = (server: string) => os('server', 'show', server, '-f', 'json')
  async function waitStatus(server: string, status: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 200; i++) {
      const s = await show(server)
      if (s.status === status) return s
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`${server} never reached ${status}`)
  }

  it('creates a key pair and boots a server with it (--wait), lists and shows it', async () => {
    const keyFile = join(dir, 'k1.pem')
    const key = await os('keypair', 'create', '--private-key', keyFile, `k1-${run}`, '-f', 'json')
    assert.match(key.fingerprint as string, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/)
    assert.match(readFileSync(keyFile, 'utf8'), /PRIVATE KEY/)
    const keys = await os('keypair', 'list', '-f', 'json')
    assert.ok(keys.some((k: { Name: string }) => k.Name === `k1-${run}`))
    const server = await os(
      'server',
      'create',
      '--image',
      image,
      '--flavor',
      'm1.tiny',
      '--key-name',
      `k1-${run}`,
      '--wait',
      `vm-${run}`,
      '-f',
      'json',
    )
    assert.equal(server.status, 'ACTIVE')
    assert.equal(server.key_name, `k1-${run}`)
    // JSON output carries the machine-readable power state (1 = Running).
    assert.equal(server['OS-EXT-STS:power_state'] ?? server.power_state, 1)
    const list = await os('server', 'list', '-f', 'json')
    assert.ok(
      list.some(
        (s: { Name: string; Status: string }) => s.Name === `vm-${run}` && s.Status === 'ACTIVE',
      ),
    )
    const shown = await show(`vm-${run}`)
    assert.equal(shown.id, server.id)
    assert.ok(['compute1', 'compute2'].includes(shown['OS-EXT-SRV-ATTR:host'] as string))
  })

  it('runs the power and lifecycle actions', async () => {
    const vm = `vm-${run}`
    await os('server', 'stop', vm)
    await waitStatus(vm, 'SHUTOFF')
    await os('server', 'start', vm)
    await waitStatus(vm, 'ACTIVE')
    await os('server', 'reboot', '--wait', vm)
    await os('server', 'reboot', '--hard', '--wait', vm)
    await os('server', 'pause', vm)
    await waitStatus(vm, 'PAUSED')
    await os('server', 'unpause', vm)
    await waitStatus(vm, 'ACTIVE')
    await os('server', 'suspend', vm)
    await waitStatus(vm, 'SUSPENDED')
    await os('server', 'resume', vm)
    await waitStatus(vm, 'ACTIVE')
    await os('server', 'lock', vm)
    assert.equal(
      (await os('server', 'show', vm, '-f', 'json', '--os-compute-api-version', '2.9')).locked,
      true,
    )
    await os('server', 'unlock', vm)
    await os('server', 'rescue', vm)
    await waitStatus(vm, 'RESCUE')
    await os('server', 'unrescue', vm)
    await waitStatus(vm, 'ACTIVE')
    await os('server', 'set', '--property', 'role=web', vm)
    assert.match(JSON.stringify((await show(vm)).properties), /role/)
    await os('console', 'log', 'show', vm)
    const url = await os('console', 'url', 'show', vm, '-f', 'json')
    assert.match(url.url as string, /token/)
  })

  it('resizes (confirm), rebuilds, snapshots, shelves and migrates', async () => {
    const vm = `vm-${run}`
    await os('server', 'resize', '--flavor', 'm1.small', '--wait', vm)
    assert.equal((await show(vm)).status, 'VERIFY_RESIZE')
    await os('server', 'resize', 'confirm', vm)
    const resized = await waitStatus(vm, 'ACTIVE')
    assert.match(JSON.stringify(resized.flavor), /m1\.small/)
    await os('server', 'rebuild', '--image', image, '--wait', vm)
    const snap = await os(
      'server',
      'image',
      'create',
      '--name',
      `snap-${run}`,
      '--wait',
      vm,
      '-f',
      'json',
    )
    assert.equal(snap.status, 'active')
    await os('server', 'shelve', vm)
    await waitStatus(vm, 'SHELVED_OFFLOADED')
    await os('server', 'unshelve', vm)
    await waitStatus(vm, 'ACTIVE')
    const before = (await show(vm))['OS-EXT-SRV-ATTR:host']
    await os('server', 'migrate', '--wait', vm)
    await os('server', 'resize', 'confirm', vm).catch(() => undefined)
    const migrated = await waitStatus(vm, 'ACTIVE')
    assert.notEqual(migrated['OS-EXT-SRV-ATTR:host'], before)
    await os('server', 'migrate', '--live-migration', '--wait', vm)
    const live = await waitStatus(vm, 'ACTIVE')
    assert.equal(live['OS-EXT-SRV-ATTR:host'], before)
  })

  it('manages flavors, quotas, zones, hypervisors and services', async () => {
    const flavor = await os(
      'flavor',
      'create',
      '--ram',
      '256',
      '--disk',
      '1',
      '--vcpus',
      '1',
      '--property',
      'hw:cpu_policy=shared',
      `f-${run}`,
      '-f',
      'json',
    )
    assert.match(JSON.stringify(flavor.properties), /hw:cpu_policy/)
    await os('quota', 'set', '--instances', '20', 'admin')
    const quota = await os('quota', 'show', 'admin', '-f', 'json')
    assert.ok(JSON.stringify(quota).includes('20'))
    const zones = await os('availability', 'zone', 'list', '--compute', '-f', 'json')
    assert.ok(zones.some((z: { 'Zone Name': string }) => z['Zone Name'] === 'nova'))
    const hypervisors = await os('hypervisor', 'list', '-f', 'json')
    assert.equal(hypervisors.length, 2)
    const stats = await os('hypervisor', 'stats', 'show', '-f', 'json')
    assert.equal(stats.count, 2)
    const services = await os('compute', 'service', 'list', '-f', 'json')
    assert.ok(
      services.some(
        (s: { Binary: string; Host: string }) =>
          s.Binary === 'nova-compute' && s.Host === 'compute1',
      ),
    )
    await os(
      'compute',
      'service',
      'set',
      '--disable',
      '--disable-reason',
      'maintenance',
      'compute1',
      'nova-compute',
    )
    const disabled = await os('compute', 'service', 'list', '--long', '-f', 'json')
    const c1 = disabled.find(
      (s: { Host: string; Binary: string }) => s.Host === 'compute1' && s.Binary === 'nova-compute',
    )
    assert.equal(c1.Status, 'disabled')
    await os('compute', 'service', 'set', '--enable', 'compute1', 'nova-compute')
    const group = await os(
      'server',
      'group',
      'create',
      '--policy',
      'anti-affinity',
      `g-${run}`,
      '-f',
      'json',
    )
    assert.equal(group.policy ?? group.policies, 'anti-affinity')
  })

  it('places a flavor with an aggregate extra spec only on that aggregate hosts', async () => {
    await os('aggregate', 'create', '--zone', `az-${run}`, `agg-${run}`, '-f', 'json')
    await os('aggregate', 'set', '--property', 'ssd=true', `agg-${run}`)
    await os('aggregate', 'add', 'host', `agg-${run}`, 'compute2')
    await os(
      'flavor',
      'create',
      '--ram',
      '256',
      '--disk',
      '1',
      '--vcpus',
      '1',
      '--property',
      'aggregate_instance_extra_specs:ssd=true',
      `ssd-${run}`,
    )
    for (let i = 0; i < 3; i++) {
      const s = await os(
        'server',
        'create',
        '--image',
        image,
        '--flavor',
        `ssd-${run}`,
        '--wait',
        `ssd-${run}-${i}`,
        '-f',
        'json',
      )
      assert.equal(s['OS-EXT-SRV-ATTR:host'], 'compute2')
      assert.equal(s['OS-EXT-AZ:availability_zone'], `az-${run}`)
    }
    const zones = await os('availability', 'zone', 'list', '--compute', '-f', 'json')
    assert.ok(zones.some((z: { 'Zone Name': string }) => z['Zone Name'] === `az-${run}`))
    for (let i = 0; i < 3; i++) await os('server', 'delete', '--wait', `ssd-${run}-${i}`)
    await os('server', 'delete', '--wait', `vm-${run}`)
    assert.deepEqual(await os('server', 'list', '-f', 'json'), [])
  })
})
