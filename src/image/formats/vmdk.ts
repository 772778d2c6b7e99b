// VMware VMDK (block/vmdk.c in QEMU). Only the single-file sparse variants are safe: a
// little-endian 'KDMV' header with the text descriptor embedded at sector 1. A descriptor on its
// own, or one that names other files or a parent, would make QEMU open files on the host.
import {
  bytesAt,
  hasMagic,
  quoteFromImage,
  readUint,
  toSafeNumber,
  type FormatFinding,
  type ImageBytes,
} from './image-bytes.js'

const SECTOR = 512
const VERSION_OFFSET = 4
const CAPACITY_OFFSET = 12
const DESCRIPTOR_OFFSET_OFFSET = 28
const DESCRIPTOR_SIZE_OFFSET = 36
const GRAIN_DIRECTORY_OFFSET = 56
/** Grain directory offset meaning "see the footer": the header is repeated 1024 bytes before EOF. */
const GD_AT_END = 0xffffffffffffffffn
const FOOTER_HEADER_FROM_END = 1024
/** Where QEMU expects the embedded descriptor, and the most of it QEMU reads. */
const EMBEDDED_DESCRIPTOR_SECTOR = 1n
const MAX_DESCRIPTOR_SIZE = (1 << 20) - 1
/** QEMU probes a text descriptor in the first 2 KiB. */
const PROBE_SIZE = 2048
const SAFE_CREATE_TYPES = ['monolithicsparse', 'streamoptimized']

interface Extent {
  sectors: number
  type: string
  file: string | undefined
}

interface Descriptor {
  fields: Map<string, string>
  extents: Extent[]
  unsupportedLine?: string
}

/**
 * Inspects a sparse VMDK ('KDMV', or the legacy 'COWD') or a text descriptor file; undefined when
 * the image is neither.
 */
export function inspectVmdk(image: ImageBytes): FormatFinding | undefined {
  const { head } = image
  if (hasMagic(head, 0, 'KDMV')) return inspectSparse(image)
  if (hasMagic(head, 0, 'COWD')) {
    return { format: 'vmdk', unsafe: ['The VMDK image uses the legacy COWD sparse format.'] }
  }
  if (!isDescriptorFile(head)) return undefined
  const descriptor = parseDescriptor(head.toString('latin1'))
  const sectors = descriptor.extents.reduce((sum, extent) => sum + extent.sectors, 0)
  return {
    format: 'vmdk',
    virtualSize: sectors * SECTOR,
    unsafe: ['The VMDK image is a descriptor file whose data lives in other files.'],
  }
}

function inspectSparse(image: ImageBytes): FormatFinding {
  const unsafe: string[] = []
  let header = image.head
  const version = readUint(header, VERSION_OFFSET, 4, 'le')
  if (version === undefined || header.length < SECTOR) {
    return { format: 'vmdk', unsafe: ['The VMDK header is truncated.'] }
  }
  if (version < 1n || version > 3n) {
    unsafe.push(`The VMDK image has unsupported version ${version}.`)
  }
  if (readUint(header, GRAIN_DIRECTORY_OFFSET, 8, 'le') === GD_AT_END) {
    // Stream-optimized images may write the final header as a footer; QEMU then uses it.
    const footer = bytesAt(image, image.size - FOOTER_HEADER_FROM_END, SECTOR)
    if (footer === undefined || !hasMagic(footer, 0, 'KDMV')) {
      return { format: 'vmdk', unsafe: ['The VMDK image announces a footer but has none.'] }
    }
    header = footer
  }
  const capacity = readUint(header, CAPACITY_OFFSET, 8, 'le')
  const virtualSize = toSafeNumber(capacity === undefined ? undefined : capacity * BigInt(SECTOR))
  const finding = (): FormatFinding => ({ format: 'vmdk', virtualSize, unsafe })

  const descriptorSector = readUint(image.head, DESCRIPTOR_OFFSET_OFFSET, 8, 'le')
  const descriptorSectors = toSafeNumber(readUint(image.head, DESCRIPTOR_SIZE_OFFSET, 8, 'le'))
  if (descriptorSector !== EMBEDDED_DESCRIPTOR_SECTOR || descriptorSectors === undefined) {
    unsafe.push('The VMDK image has no descriptor at sector 1.')
    return finding()
  }
  const length = Math.min(descriptorSectors * SECTOR, MAX_DESCRIPTOR_SIZE)
  const region = image.head.subarray(SECTOR, SECTOR + length)
  // QEMU reads the descriptor as a C string.
  const nul = region.indexOf(0)
  const text = nul === -1 ? region : region.subarray(0, nul)
  if (text.some((byte) => byte > 0x7f)) {
    unsafe.push('The VMDK descriptor is not ASCII text.')
    return finding()
  }
  unsafe.push(...checkEmbeddedDescriptor(parseDescriptor(text.toString('latin1'))))
  return finding()
}

/** Reasons an embedded descriptor could make QEMU look beyond this one file. */
function checkEmbeddedDescriptor(descriptor: Descriptor): string[] {
  if (descriptor.unsupportedLine !== undefined) {
    const line = quoteFromImage(descriptor.unsupportedLine)
    return [`The VMDK descriptor has an unsupported line "${line}".`]
  }
  const reasons: string[] = []
  const createType = descriptor.fields.get('createtype')
  if (createType === undefined || !SAFE_CREATE_TYPES.includes(createType.toLowerCase())) {
    const shown = quoteFromImage(createType ?? 'none')
    reasons.push(`The VMDK createType is ${shown}, not monolithicSparse or streamOptimized.`)
  }
  if (descriptor.fields.has('parentfilenamehint')) {
    reasons.push('The VMDK descriptor names a parent image.')
  }
  if (descriptor.extents.length !== 1) {
    reasons.push(`The VMDK descriptor has ${descriptor.extents.length} extents, not exactly one.`)
  }
  for (const extent of descriptor.extents) {
    if (extent.type.toLowerCase() !== 'sparse') {
      reasons.push(`The VMDK descriptor has a ${quoteFromImage(extent.type)} extent.`)
    } else if (extent.file === undefined || /[/\\]/.test(extent.file)) {
      reasons.push('The VMDK descriptor has an extent outside this file.')
    }
  }
  return reasons
}

/**
 * Reads a descriptor line by line, cautiously: blank lines, comments, `ddb.*` entries, header
 * fields and extent lines only; anything else is reported, never guessed at.
 */
function parseDescriptor(text: string): Descriptor {
  const descriptor: Descriptor = { fields: new Map(), extents: [] }
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#') || line.toLowerCase().startsWith('ddb')) continue
    const field = /^([^\s=]+)=(.*)$/.exec(line)
    if (field) {
      const [, key = '', value = ''] = field
      descriptor.fields.set(key.toLowerCase(), value.trim().replace(/^"(.*)"$/, '$1'))
      continue
    }
    const extent = /^(rw|rdonly|noaccess)\s+(\d+)\s+(\S+)(?:\s+"([^"]*)")?(?:\s+\d+)?$/i.exec(line)
    if (!extent) {
      descriptor.unsupportedLine ??= line
      continue
    }
    const [, , sectors = '0', type = '', file] = extent
    descriptor.extents.push({ sectors: Number(sectors), type, file })
  }
  return descriptor
}

/**
 * Whether the image is a text descriptor as QEMU probes one: the first line that is neither
 * blank nor a comment is `version=1`, `2` or `3`. A leading '# Disk DescriptorFile' also counts.
 */
function isDescriptorFile(head: Buffer): boolean {
  const text = head.subarray(0, PROBE_SIZE).toString('latin1')
  if (text.startsWith('# Disk DescriptorFile')) return true
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) continue
    return /^version=[123]$/.test(line)
  }
  return false
}
