// What every format probe reads: the retained start and end of an image, and helpers to read
// fixed-width integers from them without ever trusting an offset found in the data.

export const DETECTED_FORMATS = [
  'qcow2',
  'vmdk',
  'vhd',
  'vhdx',
  'vdi',
  'iso',
  'qed',
  'luks',
  'raw',
] as const
export type DetectedFormat = (typeof DETECTED_FORMATS)[number]

/** The start of an image (up to 4 MiB), its end (up to 64 KiB), and its total size in bytes. */
export interface ImageBytes {
  readonly head: Buffer
  readonly tail: Buffer
  readonly size: number
}

/** What one format probe found, when the bytes are that format. */
export interface FormatFinding {
  format: Exclude<DetectedFormat, 'raw'>
  virtualSize?: number | undefined
  unsafe: string[]
}

/**
 * `length` bytes at absolute `offset` of the image, from the head or the tail, or undefined when
 * the range lies outside both (or outside the image).
 */
export function bytesAt(image: ImageBytes, offset: number, length: number): Buffer | undefined {
  if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > image.size) {
    return undefined
  }
  if (offset + length <= image.head.length) return image.head.subarray(offset, offset + length)
  const tailStart = image.size - image.tail.length
  if (offset >= tailStart)
    return image.tail.subarray(offset - tailStart, offset - tailStart + length)
  return undefined
}

/** Whether `buf` holds `magic` at `offset`. */
export function hasMagic(buf: Buffer, offset: number, magic: Buffer | string): boolean {
  const want = typeof magic === 'string' ? Buffer.from(magic, 'latin1') : magic
  if (offset < 0 || offset + want.length > buf.length) return false
  return buf.subarray(offset, offset + want.length).equals(want)
}

/** Little- or big-endian unsigned integer of `width` bytes at `offset`, or undefined if short. */
export function readUint(
  buf: Buffer,
  offset: number,
  width: 2 | 4 | 8,
  order: 'le' | 'be',
): bigint | undefined {
  if (offset < 0 || offset + width > buf.length) return undefined
  if (width === 8) return order === 'le' ? buf.readBigUInt64LE(offset) : buf.readBigUInt64BE(offset)
  if (width === 4)
    return BigInt(order === 'le' ? buf.readUInt32LE(offset) : buf.readUInt32BE(offset))
  return BigInt(order === 'le' ? buf.readUInt16LE(offset) : buf.readUInt16BE(offset))
}

/** `value` as a number when it is exactly representable, else undefined. */
export function toSafeNumber(value: bigint | undefined): number | undefined {
  if (value === undefined || value > BigInt(Number.MAX_SAFE_INTEGER)) return undefined
  return Number(value)
}

/**
 * Text taken from an image, made safe to quote in a message: printable ASCII only, at most 64
 * characters, so a hostile header cannot flood logs or API answers.
 */
export function quoteFromImage(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?')
  return printable.length > 64 ? `${printable.slice(0, 61)}...` : printable
}

/** The bytes of a Microsoft GUID as stored on disk (first three fields little-endian). */
export function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '')
  const raw = Buffer.from(hex, 'hex')
  const out = Buffer.from(raw)
  out.writeUInt32LE(raw.readUInt32BE(0), 0)
  out.writeUInt16LE(raw.readUInt16BE(4), 4)
  out.writeUInt16LE(raw.readUInt16BE(6), 6)
  return out
}
