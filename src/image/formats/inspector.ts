// Streaming disk-image inspection for uploads: what the bytes really are, their virtual size,
// and whether QEMU could be made to read other files through them (CVE-2022-47951,
// CVE-2024-32498). Only the start and the end of the image are kept, whatever its size.
import type { DetectedFormat, FormatFinding, ImageBytes } from './image-bytes.js'
import { inspectIso } from './iso.js'
import { inspectLuks } from './luks.js'
import { inspectQcow2 } from './qcow2.js'
import { inspectQed } from './qed.js'
import { inspectVdi } from './vdi.js'
import { inspectVhd } from './vhd.js'
import { inspectVhdx } from './vhdx.js'
import { inspectVmdk } from './vmdk.js'

export { DETECTED_FORMATS, type DetectedFormat } from './image-bytes.js'

export const DISK_FORMATS = [
  'ami',
  'ari',
  'aki',
  'vhd',
  'vhdx',
  'vmdk',
  'raw',
  'qcow2',
  'vdi',
  'iso',
  'ploop',
] as const
export type DiskFormat = (typeof DISK_FORMATS)[number]

export interface InspectionResult {
  /** What the bytes are; `raw` when no other format is recognised. */
  detected: DetectedFormat
  /** Virtual disk size in bytes when known (raw: the data size; iso: the volume size). */
  virtualSize?: number
  /** Why QEMU must not be given this data, one sentence each; empty when it is safe. */
  unsafe: string[]
}

/** Every header this module reads lies in the first 4 MiB. */
export const HEAD_BYTES = 4 * 1024 * 1024
/** Footers (VHD, stream-optimized VMDK) lie in the last 64 KiB. */
export const TAIL_BYTES = 64 * 1024

/**
 * Probes in order of precedence: the formats QEMU recognises by their first bytes, then ISO 9660
 * (32 KiB in), then a VHD footer at the very end (neither of which QEMU probes for).
 */
const PROBES: readonly ((image: ImageBytes) => FormatFinding | undefined)[] = [
  inspectQcow2,
  inspectQed,
  inspectLuks,
  inspectVmdk,
  inspectVhdx,
  inspectVdi,
  inspectIso,
  inspectVhd,
]

/**
 * Inspects an image as it streams past. Feed every chunk in order with `update`, then call
 * `finish` once. It holds at most HEAD_BYTES + TAIL_BYTES however large the image is; chunks
 * are copied, so callers may reuse their buffers.
 */
export class FormatInspector {
  /** Grows by doubling up to HEAD_BYTES, so small images and tiny chunks stay cheap. */
  #head = Buffer.alloc(0)
  #headLength = 0
  /** The last TAIL_BYTES seen, as a ring: the oldest byte is at #tailStart once it is full. */
  readonly #tail = Buffer.alloc(TAIL_BYTES)
  #tailLength = 0
  #tailStart = 0
  #size = 0
  #finished = false

  /** Bytes of buffers this inspector holds right now. */
  get retainedBytes(): number {
    return this.#head.length + this.#tail.length
  }

  /** Feeds the next chunk of the image. */
  update(chunk: Buffer): void {
    if (this.#finished) throw new Error('FormatInspector.update called after finish')
    this.#size += chunk.length
    if (this.#headLength < HEAD_BYTES) this.#keepHead(chunk)
    this.#keepTail(chunk)
  }

  /** Inspects what was fed; call once, at the end of the data. */
  finish(): InspectionResult {
    this.#finished = true
    const image: ImageBytes = {
      head: this.#head.subarray(0, this.#headLength),
      tail: this.#tailBytes(),
      size: this.#size,
    }
    const findings = PROBES.map((probe) => probe(image)).filter((f) => f !== undefined)
    const [first] = findings
    if (first === undefined) return { detected: 'raw', virtualSize: image.size, unsafe: [] }
    const unsafe = [...first.unsafe]
    if (findings.length > 1) {
      // A header planted inside another format (an ISO's system area, a disk's last sector)
      // would let a different reader see different data.
      const names = findings.map((f) => f.format).join(', ')
      unsafe.push(`The image matches more than one disk format: ${names}.`)
    }
    return first.virtualSize === undefined
      ? { detected: first.format, unsafe }
      : { detected: first.format, virtualSize: first.virtualSize, unsafe }
  }

  #keepHead(chunk: Buffer): void {
    const taken = chunk.subarray(0, HEAD_BYTES - this.#headLength)
    const needed = this.#headLength + taken.length
    if (needed > this.#head.length) {
      const grown = Buffer.alloc(Math.min(HEAD_BYTES, Math.max(needed, 2 * this.#head.length)))
      this.#head.copy(grown, 0, 0, this.#headLength)
      this.#head = grown
    }
    taken.copy(this.#head, this.#headLength)
    this.#headLength = needed
  }

  #keepTail(chunk: Buffer): void {
    if (chunk.length >= TAIL_BYTES) {
      chunk.copy(this.#tail, 0, chunk.length - TAIL_BYTES)
      this.#tailStart = 0
      this.#tailLength = TAIL_BYTES
      return
    }
    const end = (this.#tailStart + this.#tailLength) % TAIL_BYTES
    const first = Math.min(chunk.length, TAIL_BYTES - end)
    chunk.copy(this.#tail, end, 0, first)
    chunk.copy(this.#tail, 0, first)
    const overflow = Math.max(0, this.#tailLength + chunk.length - TAIL_BYTES)
    this.#tailLength = Math.min(TAIL_BYTES, this.#tailLength + chunk.length)
    this.#tailStart = (this.#tailStart + overflow) % TAIL_BYTES
  }

  #tailBytes(): Buffer {
    const end = this.#tailStart + this.#tailLength
    if (end <= TAIL_BYTES) return Buffer.from(this.#tail.subarray(this.#tailStart, end))
    return Buffer.concat([
      this.#tail.subarray(this.#tailStart),
      this.#tail.subarray(0, end % TAIL_BYTES),
    ])
  }
}

/** The detected format each declared disk_format must have; undefined accepts any safe data. */
const REQUIRED_FORMAT: Readonly<Record<DiskFormat, DetectedFormat | undefined>> = {
  raw: 'raw',
  ami: 'raw',
  ari: 'raw',
  aki: 'raw',
  qcow2: 'qcow2',
  vmdk: 'vmdk',
  vhd: 'vhd',
  vhdx: 'vhdx',
  vdi: 'vdi',
  iso: 'iso',
  // QEMU has no ploop reader to trick, and ploop images are not recognised here.
  ploop: undefined,
}

/**
 * Why data inspected as `result` must not be stored with disk_format `declared`, or undefined
 * when it may. Unsafe data is refused whatever its declared format; otherwise the data must be
 * what the declared format says, so that a qcow2 or VMDK header cannot pass as raw.
 */
export function formatMismatch(declared: DiskFormat, result: InspectionResult): string | undefined {
  const [unsafe] = result.unsafe
  if (unsafe !== undefined) return unsafe
  const required = REQUIRED_FORMAT[declared]
  if (required === undefined || required === result.detected) return undefined
  // An ISO read as a raw disk is harmless (it refers to no other file) and people boot ISOs
  // uploaded as raw.
  if (required === 'raw' && result.detected === 'iso') return undefined
  return `Image data is ${result.detected}, not ${declared} as its disk_format says.`
}
