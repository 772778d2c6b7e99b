// Microsoft Virtual PC disk, "vpc" to QEMU (block/vpc.c). A 512-byte big-endian footer ends
// every image; dynamic and differencing images also copy it to offset 0.
import {
  bytesAt,
  hasMagic,
  readUint,
  toSafeNumber,
  type FormatFinding,
  type ImageBytes,
} from './image-bytes.js'

const FOOTER_SIZE = 512
const COOKIE = 'conectix'
const CREATOR_APP_OFFSET = 28
const CURRENT_SIZE_OFFSET = 48
const CYLINDERS_OFFSET = 56
const HEADS_OFFSET = 58
const SECTORS_PER_TRACK_OFFSET = 59
const DISK_TYPE_OFFSET = 60
const DISK_TYPES: Readonly<Record<string, string>> = {
  '2': 'fixed',
  '3': 'dynamic',
  '4': 'differencing',
}
/** Creators that record the exact size in current_size; the others are read by geometry. */
const SIZE_CREATORS = ['win ', 'qem2', 'd2v ', 'CTXS', 'tap\0']
const MAX_GEOMETRY_SECTORS = 65535 * 16 * 255

/**
 * Inspects a VHD footer at offset 0, else in the last 512 bytes; undefined when neither has the
 * 'conectix' cookie.
 */
export function inspectVhd(image: ImageBytes): FormatFinding | undefined {
  const footer = findFooter(image)
  if (footer === undefined) return undefined
  const unsafe: string[] = []
  const diskType = String(readUint(footer, DISK_TYPE_OFFSET, 4, 'be'))
  const typeName = DISK_TYPES[diskType]
  if (typeName === undefined) unsafe.push(`The VHD image has unknown disk type ${diskType}.`)
  if (typeName === 'differencing') {
    unsafe.push('The VHD image is a differencing disk that refers to a parent image.')
  }
  return { format: 'vhd', virtualSize: virtualSizeOf(footer), unsafe }
}

function findFooter(image: ImageBytes): Buffer | undefined {
  if (hasMagic(image.head, 0, COOKIE) && image.head.length >= FOOTER_SIZE) {
    return image.head.subarray(0, FOOTER_SIZE)
  }
  const end = bytesAt(image, image.size - FOOTER_SIZE, FOOTER_SIZE)
  return end !== undefined && hasMagic(end, 0, COOKIE) ? end : undefined
}

/**
 * The size QEMU reports: Virtual PC and QEMU's own older images size the disk by its CHS
 * geometry, Hyper-V and most other creators by current_size; a maxed-out geometry means the
 * real size did not fit in it, so current_size wins there too.
 */
function virtualSizeOf(footer: Buffer): number | undefined {
  const creator = footer.subarray(CREATOR_APP_OFFSET, CREATOR_APP_OFFSET + 4).toString('latin1')
  const geometrySectors =
    footer.readUInt16BE(CYLINDERS_OFFSET) *
    footer.readUInt8(HEADS_OFFSET) *
    footer.readUInt8(SECTORS_PER_TRACK_OFFSET)
  const usesGeometry = !SIZE_CREATORS.includes(creator)
  if (usesGeometry && geometrySectors !== MAX_GEOMETRY_SECTORS) return geometrySectors * 512
  const currentSize = toSafeNumber(readUint(footer, CURRENT_SIZE_OFFSET, 8, 'be'))
  // QEMU counts whole 512-byte sectors.
  return currentSize === undefined ? undefined : currentSize - (currentSize % 512)
}
