// VirtualBox disk image (block/vdi.c in QEMU). The header is little-endian; its first 64 bytes
// are free text, so the signature sits at 0x40.
import { readUint, toSafeNumber, type FormatFinding, type ImageBytes } from './image-bytes.js'

const SIGNATURE_OFFSET = 0x40
const SIGNATURE = 0xbeda107fn
const DISK_SIZE_OFFSET = 0x170

/** Inspects a VDI header; undefined when the VDI signature is absent. */
export function inspectVdi(image: ImageBytes): FormatFinding | undefined {
  if (readUint(image.head, SIGNATURE_OFFSET, 4, 'le') !== SIGNATURE) return undefined
  const size = readUint(image.head, DISK_SIZE_OFFSET, 8, 'le')
  if (size === undefined) return { format: 'vdi', unsafe: ['The VDI header is truncated.'] }
  return { format: 'vdi', virtualSize: toSafeNumber(size), unsafe: [] }
}
