/**
 * @module The one path image bytes take into a store (direct upload and import alike): counted
 * against the size cap and quotas, hashed (md5 for `checksum`, sha512 for `os_hash_value`) and
 * inspected while they stream, never held in memory.
 */
import { createHash } from 'node:crypto'
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream'
import { imageErrors } from '../errors.js'
import { type DiskFormat, FormatInspector, formatMismatch } from '../formats/inspector.js'
import type { ImageDeps } from './deps.js'
import type { ImageRow } from './images.js'
import { remainingBytes } from './quotas.js'

export interface WrittenData {
  location: string
  size: number
  checksum: string
  sha512: string
  virtualSize: number | null
}

/** Meters, hashes and inspects a stream; fails it with a 413 AppError past `capBytes`. */
class DataMeter extends Transform {
  readonly md5 = createHash('md5')
  readonly sha512 = createHash('sha512')
  readonly inspector = new FormatInspector()
  bytes = 0
  readonly #cap: { bytes: number; message: string } | undefined

  constructor(cap: { bytes: number; message: string } | undefined) {
    super()
    this.#cap = cap
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length
    if (this.#cap && this.bytes > this.#cap.bytes) {
      done(imageErrors.overLimit(this.#cap.message))
      return
    }
    this.md5.update(chunk)
    this.sha512.update(chunk)
    this.inspector.update(chunk)
    done(null, chunk)
  }
}

/** The tighter of the size cap and the project's remaining quota, with the message Glance gives. */
async function capFor(deps: ImageDeps, row: ImageRow): Promise<{ bytes: number; message: string }> {
  const remaining = await remainingBytes(deps, row.owner ?? undefined)
  if (remaining !== undefined && remaining < deps.config.imageSizeCap)
    return {
      bytes: remaining,
      message: `Image exceeds the storage quota: The size of the data will exceed the limit. ${remaining} bytes remaining.`,
    }
  return {
    bytes: deps.config.imageSizeCap,
    message: 'The incoming image is too large: The provided image is too large.',
  }
}

/**
 * Streams `data` into the store as the image's bytes. Rejects with a 400 (content is not its
 * disk_format, or is unsafe) or a 413 (too large), after removing what was written.
 */
export async function writeImageData(
  deps: ImageDeps,
  row: ImageRow,
  data: Readable,
): Promise<WrittenData> {
  const meter = new DataMeter(await capFor(deps, row))
  // pipeline() forwards a source failure (a cut connection) to the meter, so the store's write
  // fails and removes its partial file instead of waiting for an end that never comes.
  const written = await deps.store.put(
    row.id,
    pipeline(data, meter, () => undefined),
  )
  const inspection = meter.inspector.finish()
  const declared = row.disk_format as DiskFormat
  // Data qemu could be tricked with is refused in any container. The disk_format check applies
  // to bare images only: other containers (ami, ova, docker...) wrap the disk in their own format.
  const bare = row.container_format === 'bare'
  const refusal = !deps.config.requireImageFormatMatch
    ? undefined
    : bare
      ? formatMismatch(declared, inspection)
      : inspection.unsafe[0]
  if (refusal !== undefined) {
    await deps.store.delete(written.location)
    throw imageErrors.badRequest(`Image content does not match disk_format ${declared}: ${refusal}`)
  }
  const known = inspection.virtualSize !== undefined && inspection.virtualSize > 0
  const virtualSize = bare && known ? (inspection.virtualSize ?? null) : null
  return {
    location: written.location,
    size: meter.bytes,
    checksum: meter.md5.digest('hex'),
    sha512: meter.sha512.digest('hex'),
    virtualSize,
  }
}
