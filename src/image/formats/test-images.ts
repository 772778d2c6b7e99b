// Test support for the format inspector's tests: feeding data in random chunks, and images
// built by hand where no tool makes them (or makes them unsafe on purpose).
import { FormatInspector, type InspectionResult } from './inspector.js'

/** Feeds `data` in chunks of 1..70000 bytes, sized by a PRNG seeded with `seed`. */
export function feedInChunks(data: Buffer, seed: number): InspectionResult {
  const inspector = new FormatInspector()
  let state = seed >>> 0
  for (let offset = 0; offset < data.length;) {
    // xorshift32: reproducible chunk sizes for a given seed.
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    const size = 1 + (state % 70000)
    inspector.update(data.subarray(offset, offset + size))
    offset += size
  }
  return inspector.finish()
}

/** An ISO 9660 image: a primary volume descriptor, then the set terminator. */
export function isoImage(init: { blocks: number; blockSize: number }): Buffer {
  const data = Buffer.alloc(init.blocks * init.blockSize)
  const primary = 16 * 2048
  data[primary] = 1
  data.write('CD001', primary + 1, 'latin1')
  data[primary + 6] = 1
  data.writeUInt32LE(init.blocks, primary + 80)
  data.writeUInt32BE(init.blocks, primary + 84)
  data.writeUInt16LE(init.blockSize, primary + 128)
  data.writeUInt16BE(init.blockSize, primary + 130)
  const terminator = primary + 2048
  data[terminator] = 255
  data.write('CD001', terminator + 1, 'latin1')
  data[terminator + 6] = 1
  return data
}

/** A 512-byte qcow2 header; `version` 3 with the given incompatible feature bits. */
export function qcow2Header(init: {
  version: number
  size: bigint
  backingFileOffset?: bigint
  incompatibleFeatures?: bigint
}): Buffer {
  const header = Buffer.alloc(512)
  header.write('QFI\xfb', 0, 'latin1')
  header.writeUInt32BE(init.version, 4)
  header.writeBigUInt64BE(init.backingFileOffset ?? 0n, 8)
  header.writeUInt32BE(16, 20)
  header.writeBigUInt64BE(init.size, 24)
  if (init.version >= 3) {
    header.writeBigUInt64BE(init.incompatibleFeatures ?? 0n, 72)
    header.writeUInt32BE(104, 100)
  }
  return header
}

/**
 * A sparse VMDK: header, embedded `descriptor` at sector 1, and, with `footerCapacity`, a
 * stream-optimized footer that holds the real capacity (the header then says "see footer").
 */
export function sparseVmdk(init: {
  capacitySectors: bigint
  descriptor: string
  footerCapacity?: bigint
}): Buffer {
  const header = Buffer.alloc(512)
  header.write('KDMV', 0, 'latin1')
  header.writeUInt32LE(3, 4)
  header.writeBigUInt64LE(init.capacitySectors, 12)
  header.writeBigUInt64LE(128n, 20)
  header.writeBigUInt64LE(1n, 28)
  header.writeBigUInt64LE(20n, 36)
  header.writeBigUInt64LE(init.footerCapacity === undefined ? 21n : 0xffffffffffffffffn, 56)
  const descriptor = Buffer.alloc(20 * 512)
  descriptor.write(init.descriptor, 0, 'latin1')
  const body = Buffer.alloc(6 * 1024 * 1024)
  if (init.footerCapacity === undefined) return Buffer.concat([header, descriptor, body])
  const footer = Buffer.alloc(1536)
  header.copy(footer, 512)
  footer.writeBigUInt64LE(init.footerCapacity, 512 + 12)
  footer.writeBigUInt64LE(21n, 512 + 56)
  return Buffer.concat([header, descriptor, body, footer])
}

/** The descriptor QEMU writes for a monolithicSparse image, with `extra` lines appended. */
export function sparseDescriptor(extra = '', extent = 'RW 204800 SPARSE "disk.vmdk"'): string {
  return [
    '# Disk DescriptorFile',
    'version=1',
    'CID=12345678',
    'parentCID=ffffffff',
    'createType="monolithicSparse"',
    '',
    '# Extent description',
    extent,
    '',
    '# The Disk Data Base',
    '#DDB',
    'ddb.virtualHWVersion = "4"',
    'ddb.adapterType = "ide"',
    extra,
  ].join('\n')
}
