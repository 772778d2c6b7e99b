/**
 * @module The filesystem store (Glance's default): one file per image under a directory, written
 * to `<id>.partial` then renamed, so a reader never sees half an image and a crash leaves only a
 * `.partial` that the next start removes.
 */
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ByteRange, ImageStore } from '../store.js'

export class FileImageStore implements ImageStore {
  readonly name = 'file'
  readonly #dir: string

  constructor(dir: string) {
    this.#dir = dir
    mkdirSync(dir, { recursive: true, mode: 0o750 })
    // Left over by a crash in the middle of a write: never referenced by any image.
    for (const f of readdirSync(dir))
      if (f.endsWith('.partial')) rmSync(join(dir, f), { force: true })
  }

  async put(imageId: string, data: Readable): Promise<{ location: string; bytes: number }> {
    if (!/^[0-9a-f-]{36}$/i.test(imageId)) throw new Error(`invalid image id ${imageId}`)
    const final = join(this.#dir, imageId)
    const partial = `${final}.partial`
    const out = createWriteStream(partial, { mode: 0o640 })
    try {
      await pipeline(data, out)
      await rename(partial, final)
    } catch (err) {
      await rm(partial, { force: true })
      throw err
    }
    return { location: pathToFileURL(final).href, bytes: out.bytesWritten }
  }

  get(location: string, range?: ByteRange): Readable {
    return createReadStream(
      this.#path(location),
      range ? { start: range.start, end: range.end } : {},
    )
  }

  async delete(location: string): Promise<void> {
    await rm(this.#path(location), { force: true })
  }

  #path(location: string): string {
    const path = fileURLToPath(location)
    if (!path.startsWith(this.#dir)) throw new Error(`location ${location} is outside the store`)
    return path
  }
}
