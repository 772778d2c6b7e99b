// Microsoft VHDX (MS-VHDX). Little-endian; the region table at 192 KiB points to the metadata
// region, whose table of GUID-keyed items holds the virtual disk size. Regions past the
// retained head are not followed, and the size is then unknown.
import {
  guidBytes,
  hasMagic,
  readUint,
  toSafeNumber,
  type FormatFinding,
  type ImageBytes,
} from './image-bytes.js'

const REGION_TABLE_OFFSET = 192 * 1024
const REGION_SIGNATURE = 'regi'
const METADATA_SIGNATURE = 'metadata'
const TABLE_HEADER_SIZE = { region: 16, metadata: 32 } as const
const ENTRY_SIZE = 32
/** Both tables are capped at 2047 entries by the specification. */
const MAX_ENTRIES = 2047
const METADATA_REGION = guidBytes('8B7CA206-4790-4B9A-B8FE-575F050F886E')
const VIRTUAL_DISK_SIZE = guidBytes('2FA54224-CD1B-4876-B211-5DBED83BF4B8')
const FILE_PARAMETERS = guidBytes('CAA16737-FA36-4D43-B3B6-33F0AA44E76B')
const PARENT_LOCATOR = guidBytes('A8D35F2D-B30B-454D-ABF7-D3D84834AB0C')
const HAS_PARENT_FLAG = 0b10n

/** Inspects a VHDX image; undefined when it does not start with 'vhdxfile'. */
export function inspectVhdx(image: ImageBytes): FormatFinding | undefined {
  const { head } = image
  if (!hasMagic(head, 0, 'vhdxfile')) return undefined
  if (head.length < REGION_TABLE_OFFSET + TABLE_HEADER_SIZE.region) {
    return { format: 'vhdx', unsafe: ['The VHDX image is too short to hold a region table.'] }
  }
  if (!hasMagic(head, REGION_TABLE_OFFSET, REGION_SIGNATURE)) {
    return { format: 'vhdx', unsafe: ['The VHDX image has no region table.'] }
  }
  const regions = readEntries(head, REGION_TABLE_OFFSET, 'region')
  if (regions === undefined) {
    return { format: 'vhdx', unsafe: ['The VHDX region table has too many entries.'] }
  }
  const metadataEntry = regions.find((entry) => entry.subarray(0, 16).equals(METADATA_REGION))
  const metadataOffset = toSafeNumber(metadataEntry && readUint(metadataEntry, 16, 8, 'le'))
  if (metadataOffset === undefined) {
    return { format: 'vhdx', unsafe: ['The VHDX image has no metadata region.'] }
  }
  if (metadataOffset + TABLE_HEADER_SIZE.metadata > head.length) {
    return { format: 'vhdx', unsafe: [] }
  }
  if (!hasMagic(head, metadataOffset, METADATA_SIGNATURE)) {
    return { format: 'vhdx', unsafe: ['The VHDX metadata region has no metadata signature.'] }
  }
  const items = readEntries(head, metadataOffset, 'metadata')
  if (items === undefined) {
    return { format: 'vhdx', unsafe: ['The VHDX metadata table has too many entries.'] }
  }
  /** The file offset of a metadata item; item offsets count from the region's start. */
  const find = (guid: Buffer): number | undefined => {
    const entry = items.find((item) => item.subarray(0, 16).equals(guid))
    return entry && metadataOffset + entry.readUInt32LE(16)
  }

  const unsafe: string[] = []
  const parameters = find(FILE_PARAMETERS)
  const flags = parameters === undefined ? undefined : readUint(head, parameters + 4, 4, 'le')
  if (
    find(PARENT_LOCATOR) !== undefined ||
    (flags !== undefined && (flags & HAS_PARENT_FLAG) !== 0n)
  ) {
    unsafe.push('The VHDX image is a differencing disk that refers to a parent image.')
  }
  const sizeItem = find(VIRTUAL_DISK_SIZE)
  const virtualSize =
    sizeItem === undefined ? undefined : toSafeNumber(readUint(head, sizeItem, 8, 'le'))
  return { format: 'vhdx', virtualSize, unsafe }
}

/**
 * The 32-byte entries of the region or metadata table at `offset`, as far as the head holds
 * them; undefined when the table claims more than the specification allows.
 */
function readEntries(
  head: Buffer,
  offset: number,
  table: keyof typeof TABLE_HEADER_SIZE,
): Buffer[] | undefined {
  const count = table === 'region' ? head.readUInt32LE(offset + 8) : head.readUInt16LE(offset + 10)
  if (count > MAX_ENTRIES) return undefined
  const entries: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const start = offset + TABLE_HEADER_SIZE[table] + i * ENTRY_SIZE
    if (start + ENTRY_SIZE > head.length) break
    entries.push(head.subarray(start, start + ENTRY_SIZE))
  }
  return entries
}
