/** @module The image service as an in-process client for compute (Nova's glance client, without HTTP). */
import {
  type ImageClient,
  type ImageInfo,
  type ImageQuery,
  ImageRequestError,
} from '../compute/image-client.js'
import { isAppError } from '../lib/errors/app-error.js'
import { isBase, READ_ONLY } from './core/image-attributes.js'
import type { Caller, ImageDeps } from './core/deps.js'
import { createImage } from './core/image-create.js'
import { uploadImage } from './core/image-data.js'
import { deleteImage } from './core/image-lifecycle.js'
import { listImages } from './core/image-list.js'
import { PATCH_MEDIA_TYPES, patchImage } from './core/image-patch.js'
import { getVisibleRow, type Image, loadImage } from './core/images.js'

function info(image: Image): ImageInfo {
  const r = image.row
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    size: r.size,
    minRam: r.min_ram,
    minDisk: r.min_disk,
    diskFormat: r.disk_format,
    containerFormat: r.container_format,
    properties: image.properties,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/** The image service's refusals as the HTTP statuses a remote client would see. */
async function translated<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    if (isAppError(err)) throw new ImageRequestError(err.status, err.message)
    throw err
  }
}

/** glanceclient's list: Glance pages (each at most api_limit_max) followed until `limit`. */
async function queryImages(
  deps: ImageDeps,
  caller: Caller,
  query: ImageQuery,
): Promise<ImageInfo[]> {
  // The paging parameters are the client's own: a filter of the same name does not override them.
  const filters = Object.fromEntries(
    Object.entries(query.filters).filter(([k]) => k !== 'limit' && k !== 'marker'),
  )
  const out: ImageInfo[] = []
  let marker = query.marker
  for (;;) {
    const room = Math.min(
      query.limit === undefined ? Infinity : query.limit - out.length,
      deps.config.apiLimitMax,
    )
    const page = await listImages(deps, caller, {
      ...filters,
      limit: String(room),
      ...(marker === undefined ? {} : { marker }),
    })
    out.push(...page.images.map(info))
    if (page.nextMarker === undefined || out.length === query.limit) return out
    marker = page.nextMarker
  }
}

const pointer = (key: string) => `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`

/** Glance PATCH operations turning the image's extra properties into `wanted`. */
function propertyChanges(
  current: Readonly<Record<string, string>>,
  wanted: Readonly<Record<string, string>>,
): Record<string, unknown>[] {
  const ops: Record<string, unknown>[] = []
  // Glance keeps os_glance_* for itself; Nova's purge never gets them removed either.
  for (const key of Object.keys(current))
    if (!Object.hasOwn(wanted, key) && !key.startsWith('os_glance'))
      ops.push({ op: 'remove', path: pointer(key) })
  for (const [key, value] of Object.entries(wanted)) {
    // Nova sends the base attributes as they were, so such metadata keys change nothing.
    if (isBase(key) || READ_ONLY.includes(key) || key === 'tags') continue
    if (current[key] !== value) ops.push({ op: 'add', path: pointer(key), value })
  }
  return ops
}

export function inProcessImageClient(deps: ImageDeps): ImageClient {
  return {
    getImage: async (caller, imageId) => {
      try {
        return info(await loadImage(deps, await getVisibleRow(deps, caller, imageId)))
      } catch (err) {
        if (isAppError(err) && err.status === 404) return undefined
        throw err
      }
    },
    createImage: async (caller, body) => (await createImage(deps, caller, body)).row.id,
    uploadImage: (caller, imageId, data) =>
      uploadImage(deps, caller, imageId, 'application/octet-stream', data),
    deleteImage: (caller, imageId) => translated(() => deleteImage(deps, caller, imageId)),
    listImages: async (caller, properties) => {
      const page = await listImages(deps, caller, {
        ...properties,
        sort_key: 'created_at',
        sort_dir: 'desc',
        limit: String(deps.config.apiLimitMax),
      })
      return page.images.map(info)
    },
    queryImages: (caller, query) => translated(() => queryImages(deps, caller, query)),
    setProperties: (caller, imageId, properties) =>
      translated(async () => {
        const current = await loadImage(deps, await getVisibleRow(deps, caller, imageId))
        const ops = propertyChanges(current.properties, properties)
        return info(await patchImage(deps, caller, imageId, PATCH_MEDIA_TYPES[1], ops))
      }),
  }
}
