import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { FormatInspector, formatMismatch, type InspectionResult } from './inspector.js'
import { feedInChunks, isoImage } from './test-images.js'

const MiB = 1024 * 1024

describe('inspecting ISO 9660 images', () => {
  it('reads the volume size from a hand-built primary volume descriptor', () => {
    const result = feedInChunks(isoImage({ blocks: 40, blockSize: 2048 }), 5)
    assert.deepEqual(result, { detected: 'iso', virtualSize: 40 * 2048, unsafe: [] })
  })

  it('refuses an ISO with a qcow2 header planted in its system area', () => {
    const data = isoImage({ blocks: 40, blockSize: 2048 })
    data.write('QFI\xfb', 0, 'latin1')
    data.writeUInt32BE(3, 4)
    data.writeUInt32BE(104, 100)
    const result = feedInChunks(data, 5)
    assert.equal(result.detected, 'qcow2')
    assert.match(result.unsafe.join(' '), /more than one disk format: qcow2, iso/)
    assert.notEqual(formatMismatch('iso', result), undefined)
  })
})

describe('FormatInspector', () => {
  it('keeps under 5 MiB while 200 MiB stream through', () => {
    const inspector = new FormatInspector()
    const chunk = Buffer.alloc(MiB)
    for (let i = 0; i < 200; i++) {
      inspector.update(chunk)
      assert.ok(inspector.retainedBytes < 5 * MiB, `${inspector.retainedBytes} bytes retained`)
    }
    assert.deepEqual(inspector.finish(), { detected: 'raw', virtualSize: 200 * MiB, unsafe: [] })
  })

  it('gives raw data its exact byte count as virtual size', () => {
    assert.deepEqual(feedInChunks(Buffer.alloc(1000, 'x'), 1), {
      detected: 'raw',
      virtualSize: 1000,
      unsafe: [],
    })
  })

  it('sees an empty image as raw of size 0', () => {
    assert.deepEqual(new FormatInspector().finish(), {
      detected: 'raw',
      virtualSize: 0,
      unsafe: [],
    })
  })

  it('refuses chunks after finish', () => {
    const inspector = new FormatInspector()
    inspector.finish()
    assert.throws(() => inspector.update(Buffer.alloc(1)), /after finish/)
  })
})

describe('formatMismatch', () => {
  const raw: InspectionResult = { detected: 'raw', virtualSize: 1, unsafe: [] }
  const qcow2: InspectionResult = { detected: 'qcow2', virtualSize: 1, unsafe: [] }
  const backed: InspectionResult = {
    detected: 'qcow2',
    unsafe: ['The qcow2 image has a backing file.'],
  }

  it('accepts raw data as raw, ami, ari and aki', () => {
    for (const declared of ['raw', 'ami', 'ari', 'aki'] as const) {
      assert.equal(formatMismatch(declared, raw), undefined)
    }
  })

  it('refuses a qcow2 uploaded as raw or aki', () => {
    assert.equal(
      formatMismatch('raw', qcow2),
      'Image data is qcow2, not raw as its disk_format says.',
    )
    assert.equal(
      formatMismatch('aki', qcow2),
      'Image data is qcow2, not aki as its disk_format says.',
    )
  })

  it('requires the declared format for the other disk formats', () => {
    assert.equal(formatMismatch('qcow2', qcow2), undefined)
    assert.equal(
      formatMismatch('qcow2', raw),
      'Image data is raw, not qcow2 as its disk_format says.',
    )
    assert.equal(formatMismatch('iso', raw), 'Image data is raw, not iso as its disk_format says.')
    assert.equal(formatMismatch('vmdk', { detected: 'vmdk', unsafe: [] }), undefined)
  })

  it('is lenient with ploop but never with unsafe data', () => {
    assert.equal(formatMismatch('ploop', raw), undefined)
    assert.equal(formatMismatch('ploop', qcow2), undefined)
    assert.equal(formatMismatch('ploop', backed), 'The qcow2 image has a backing file.')
    assert.equal(formatMismatch('qcow2', backed), 'The qcow2 image has a backing file.')
  })
})
