// ISO 9660 (ECMA-119). Volume descriptors are 2048-byte sectors from sector 16 on, each with
// 'CD001' at byte 1; the primary one (type 1) gives the volume size. QEMU sees ISOs as raw.
import { hasMagic, readUint, type FormatFinding, type ImageBytes } from './image-bytes.js'

const DESCRIPTORS_START = 16 * 2048
const DESCRIPTOR_SIZE = 2048
/** Real images have a handful (primary, El Torito boot record, Joliet, terminator). */
const MAX_DESCRIPTORS = 64
const TYPE_PRIMARY = 1
const TYPE_TERMINATOR = 255
const VOLUME_SPACE_SIZE_OFFSET = 80
const LOGICAL_BLOCK_SIZE_OFFSET = 128

/** Inspects ISO 9660 volume descriptors; undefined when the first one has no 'CD001'. */
export function inspectIso(image: ImageBytes): FormatFinding | undefined {
  const { head } = image
  if (!hasMagic(head, DESCRIPTORS_START + 1, 'CD001')) return undefined
  for (let i = 0; i < MAX_DESCRIPTORS; i++) {
    const start = DESCRIPTORS_START + i * DESCRIPTOR_SIZE
    if (!hasMagic(head, start + 1, 'CD001')) break
    const type = head[start]
    if (type === TYPE_TERMINATOR) break
    if (type !== TYPE_PRIMARY) continue
    // Both fields are stored twice (both-endian); the little-endian half comes first.
    const blocks = readUint(head, start + VOLUME_SPACE_SIZE_OFFSET, 4, 'le')
    const blockSize = readUint(head, start + LOGICAL_BLOCK_SIZE_OFFSET, 2, 'le')
    if (blocks === undefined || blockSize === undefined) break
    return { format: 'iso', virtualSize: Number(blocks * blockSize), unsafe: [] }
  }
  return { format: 'iso', unsafe: [] }
}
