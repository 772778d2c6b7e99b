import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { POWER_STATES } from '../driver.js'
import { FakeVirtDriver } from './fake-driver.js'
import { expandHostNames } from './fake-hosts.js'

const spec = {
  serverId: 's1',
  name: 'instance-00000001',
  vcpus: 1,
  memoryMb: 512,
  rootGb: 1,
  ephemeralGb: 0,
  swapMb: 0,
  imageId: 'img',
  imageProperties: {},
  userData: null,
  powerOn: true,
}

describe('fake virt driver', () => {
  it('plugs and unplugs volumes and interfaces, idempotently', async () => {
    const d = new FakeVirtDriver('node1', { vcpus: 4, memoryMb: 4096, localGb: 10 })
    await d.spawn(spec)
    await d.attachVolume('s1', { volumeId: 'v1', device: '/dev/vdb', connectionInfo: {} })
    await d.attachInterface('s1', {
      portId: 'p1',
      macAddress: 'fa:16:3e:00:00:01',
      devName: 'tapp1',
      vifDetails: {},
    })
    assert.deepEqual(d.devicesOf('s1'), { volumes: ['v1'], interfaces: ['p1'] })
    await d.detachVolume('s1', 'v1')
    await d.detachVolume('s1', 'v1')
    await d.detachInterface('s1', 'p1')
    assert.deepEqual(d.devicesOf('s1'), { volumes: [], interfaces: [] })
  })

  it('streams snapshots and keeps power states', async () => {
    const d = new FakeVirtDriver('node1', { vcpus: 4, memoryMb: 4096, localGb: 10 })
    await d.spawn(spec)
    const snap = await d.snapshot('s1')
    const chunks: Buffer[] = []
    for await (const c of snap.data) chunks.push(c as Buffer)
    assert.match(Buffer.concat(chunks).toString(), /fake disk of instance-00000001/)
    await d.powerOff('s1')
    assert.equal(await d.getPowerState('s1'), POWER_STATES.SHUTDOWN)
    await d.destroy('s1')
    await d.destroy('s1')
    assert.equal(await d.getPowerState('s1'), POWER_STATES.NOSTATE)
  })

  it('expands host name ranges', () => {
    assert.deepEqual(expandHostNames(['node[08-11]', 'x', 'x']), [
      'node08',
      'node09',
      'node10',
      'node11',
      'x',
    ])
  })
})
