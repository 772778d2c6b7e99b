// Hand-built headers for the cases qemu-img will not make: hostile or malformed images.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { formatMismatch } from './inspector.js'
import { feedInChunks, qcow2Header, sparseDescriptor, sparseVmdk } from './test-images.js'

describe('qcow2 safety', () => {
  it('accepts known incompatible features (dirty, corrupt, compression, extended L2)', () => {
    const header = qcow2Header({ version: 3, size: 1n << 30n, incompatibleFeatures: 0b11011n })
    assert.deepEqual(feedInChunks(header, 1), {
      detected: 'qcow2',
      virtualSize: 1 << 30,
      unsafe: [],
    })
  })

  it('refuses unknown incompatible features', () => {
    const header = qcow2Header({ version: 3, size: 1n << 30n, incompatibleFeatures: 1n << 40n })
    assert.deepEqual(feedInChunks(header, 1).unsafe, [
      'The qcow2 image sets unknown incompatible features 0x10000000000.',
    ])
  })

  it('ignores version 3 feature bits in a version 2 header (they are extensions there)', () => {
    const header = qcow2Header({ version: 2, size: 1024n })
    header.writeBigUInt64BE(0xffffn, 72)
    assert.deepEqual(feedInChunks(header, 1).unsafe, [])
  })

  it('refuses unknown versions and truncated headers', () => {
    assert.deepEqual(feedInChunks(qcow2Header({ version: 4, size: 1n }), 1).unsafe, [
      'The qcow2 image has unsupported version 4.',
    ])
    assert.deepEqual(feedInChunks(qcow2Header({ version: 3, size: 1n }).subarray(0, 20), 1), {
      detected: 'qcow2',
      unsafe: ['The qcow2 header is truncated.'],
    })
  })
})

describe('vmdk safety', () => {
  const sectors = 204800n

  it('accepts a single sparse extent in this file', () => {
    const image = sparseVmdk({ capacitySectors: sectors, descriptor: sparseDescriptor() })
    assert.deepEqual(feedInChunks(image, 2), {
      detected: 'vmdk',
      virtualSize: 204800 * 512,
      unsafe: [],
    })
  })

  it('reads the capacity from the footer when the header defers to it', () => {
    const image = sparseVmdk({
      capacitySectors: 0n,
      descriptor: sparseDescriptor(),
      footerCapacity: sectors,
    })
    assert.deepEqual(feedInChunks(image, 3), {
      detected: 'vmdk',
      virtualSize: 204800 * 512,
      unsafe: [],
    })
  })

  it('refuses a parent, paths, extra extents, other create types and unknown lines', () => {
    const cases: [string, RegExp][] = [
      [sparseDescriptor('parentFileNameHint="/var/lib/secret.vmdk"'), /names a parent image/],
      [sparseDescriptor('', 'RW 204800 SPARSE "/etc/shadow"'), /extent outside this file/],
      [sparseDescriptor('', 'RW 204800 FLAT "disk-flat.vmdk" 0'), /a FLAT extent/],
      [sparseDescriptor('RW 10 SPARSE "other.vmdk"'), /has 2 extents, not exactly one/],
      [
        sparseDescriptor().replace('monolithicSparse', 'vmfs'),
        /createType is vmfs, not monolithicSparse or streamOptimized/,
      ],
      [sparseDescriptor('!include /etc/passwd'), /unsupported line "!include \/etc\/passwd"\./],
      [sparseDescriptor('caf\xe9=1'), /not ASCII text/],
    ]
    for (const [descriptor, reason] of cases) {
      const result = feedInChunks(sparseVmdk({ capacitySectors: sectors, descriptor }), 4)
      assert.equal(result.detected, 'vmdk')
      assert.match(result.unsafe.join(' '), reason)
    }
  })

  it('refuses a footer that is announced but missing', () => {
    const image = sparseVmdk({
      capacitySectors: sectors,
      descriptor: sparseDescriptor(),
      footerCapacity: sectors,
    })
    const result = feedInChunks(image.subarray(0, image.length - 1536), 5)
    assert.deepEqual(result.unsafe, ['The VMDK image announces a footer but has none.'])
  })

  it('detects a bare text descriptor as QEMU probes one, and refuses it', () => {
    const text = Buffer.from('  \n# made by hand\nversion=1\nRW 2048 FLAT "/dev/sda" 0\n')
    assert.deepEqual(feedInChunks(text, 6), {
      detected: 'vmdk',
      virtualSize: 2048 * 512,
      unsafe: ['The VMDK image is a descriptor file whose data lives in other files.'],
    })
  })

  it('leaves other text alone', () => {
    const text = Buffer.from('# a shell script\necho version=1\n')
    assert.equal(feedInChunks(text, 6).detected, 'raw')
  })
})

describe('luks', () => {
  // qemu-img's LUKS creation benchmarks PBKDF2 for seconds and fails under some sandboxes, so
  // the header is built by hand: magic, then the big-endian version.
  it('is detected by its magic, with no virtual size (that needs the key)', () => {
    const header = Buffer.alloc(4096)
    header.write('LUKS\xba\xbe', 0, 'latin1')
    header.writeUInt16BE(2, 6)
    assert.deepEqual(feedInChunks(header, 1), { detected: 'luks', unsafe: [] })
    assert.equal(
      formatMismatch('raw', feedInChunks(header, 1)),
      'Image data is luks, not raw as its disk_format says.',
    )
  })
})
