/**
 * @module Where image bytes live. The core validates, hashes, inspects and accounts; a store only
 * moves bytes. Every write is all-or-nothing: a failed or aborted put leaves nothing behind.
 */
import type { Readable } from 'node:stream'

export interface ByteRange {
  /** Inclusive. */
  start: number
  /** Inclusive. */
  end: number
}

export interface ImageStore {
  readonly name: string
  /**
   * Writes `data` as the image's bytes and returns its location. Rejects (and removes what it
   * wrote) when `data` errors or is destroyed before its end.
   */
  put(imageId: string, data: Readable): Promise<{ location: string; bytes: number }>
  /** The bytes, or a range of them; rejects with ENOENT-like error when absent. */
  get(location: string, range?: ByteRange): Readable
  /** Idempotent: deleting an absent location succeeds. */
  delete(location: string): Promise<void>
}
