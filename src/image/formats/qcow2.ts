// QEMU copy-on-write v2/v3 (docs/interop/qcow2.txt in QEMU). All header fields are big-endian.
import { readUint, toSafeNumber, type FormatFinding, type ImageBytes } from './image-bytes.js'

const MAGIC = Buffer.from('QFI\xfb', 'latin1')
const VERSION_OFFSET = 4
const BACKING_FILE_OFFSET = 8
const SIZE_OFFSET = 24
const INCOMPATIBLE_FEATURES_OFFSET = 72
const V3_HEADER_MIN_LENGTH = 104
/** Incompatible feature bit 2: guest data lives in another file, named in a header extension. */
const EXTERNAL_DATA_FILE_BIT = 2n
/** Bits 0-4 are dirty, corrupt, external data file, compression type and extended L2. */
const KNOWN_INCOMPATIBLE_FEATURES = 0b11111n

/** Inspects a qcow2 header; undefined when the image does not start with the qcow2 magic. */
export function inspectQcow2(image: ImageBytes): FormatFinding | undefined {
  const { head } = image
  if (!head.subarray(0, MAGIC.length).equals(MAGIC)) return undefined
  const unsafe: string[] = []
  const version = readUint(head, VERSION_OFFSET, 4, 'be')
  const backingFileOffset = readUint(head, BACKING_FILE_OFFSET, 8, 'be')
  const size = readUint(head, SIZE_OFFSET, 8, 'be')
  if (version === undefined || backingFileOffset === undefined || size === undefined) {
    return { format: 'qcow2', unsafe: ['The qcow2 header is truncated.'] }
  }
  if (version !== 2n && version !== 3n) {
    unsafe.push(`The qcow2 image has unsupported version ${version}.`)
  }
  if (backingFileOffset !== 0n) unsafe.push('The qcow2 image has a backing file.')
  if (version === 3n) {
    const features = readUint(head, INCOMPATIBLE_FEATURES_OFFSET, 8, 'be')
    if (features === undefined || head.length < V3_HEADER_MIN_LENGTH) {
      unsafe.push('The qcow2 version 3 header is truncated.')
    } else {
      if (((features >> EXTERNAL_DATA_FILE_BIT) & 1n) !== 0n) {
        unsafe.push('The qcow2 image keeps its data in an external data file.')
      }
      const unknown = features & ~KNOWN_INCOMPATIBLE_FEATURES
      if (unknown !== 0n) {
        unsafe.push(`The qcow2 image sets unknown incompatible features 0x${unknown.toString(16)}.`)
      }
    }
  }
  const virtualSize = toSafeNumber(size)
  if (virtualSize === undefined) unsafe.push('The qcow2 virtual size is out of range.')
  return { format: 'qcow2', virtualSize, unsafe }
}
