/**
 * @module What compute needs from the image service (Nova's glance API client): image metadata
 * to boot from, and snapshots. In one process it calls the image service's core directly; across
 * hosts it speaks the Glance REST API with the caller's token.
 */
import type { Readable } from 'node:stream'

export interface ImageInfo {
  id: string
  name: string | null
  status: string
  size: number | null
  minRam: number
  minDisk: number
  diskFormat: string | null
  containerFormat: string | null
  /** Extra properties (hw_*, os_*, kernel_id...). */
  properties: Readonly<Record<string, string>>
  /** ISO timestamps. */
  createdAt: string
  updatedAt: string
}

/** The image service refused a request (what glanceclient raises): its HTTP status and message. */
export class ImageRequestError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.name = 'ImageRequestError'
    this.status = status
  }
}

/** A Glance v2 image list, as glanceclient walks it page after page. */
export interface ImageQuery {
  /** Glance's list filters as query parameters (name, status, updated_at, min_ram, properties...). */
  filters: Readonly<Record<string, string>>
  /** At most this many images; all of them when undefined. */
  limit?: number
  marker?: string
}

export interface ImageCaller {
  projectId: string | undefined
  userId: string
  isAdmin: boolean
  requestId: string
}

export interface ImageClient {
  /** The image if the caller may see it, else undefined. */
  getImage(caller: ImageCaller, imageId: string): Promise<ImageInfo | undefined>
  /** Creates a queued image for a server snapshot; returns its id. */
  createImage(caller: ImageCaller, body: Record<string, unknown>): Promise<string>
  /** Uploads the snapshot's bytes and activates the image. */
  uploadImage(caller: ImageCaller, imageId: string, data: Readable): Promise<void>
  /** ImageRequestError 404 when the caller cannot see it, 403 when they may not delete it. */
  deleteImage(caller: ImageCaller, imageId: string): Promise<void>
  /** Images the caller sees whose properties equal `properties`, newest first (backup rotation). */
  listImages(caller: ImageCaller, properties: Record<string, string>): Promise<ImageInfo[]>
  /** The images the caller sees, newest first (ImageRequestError 400 for a bad filter or marker). */
  queryImages(caller: ImageCaller, query: ImageQuery): Promise<ImageInfo[]>
  /**
   * Makes `properties` the image's extra properties, removing the others (a Glance PATCH of the
   * difference; names of base attributes are ignored). ImageRequestError: 404 unseen, 403 refused.
   */
  setProperties(
    caller: ImageCaller,
    imageId: string,
    properties: Readonly<Record<string, string>>,
  ): Promise<ImageInfo>
}
