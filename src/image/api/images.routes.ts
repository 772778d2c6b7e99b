/** @module /v2/images: create, list, show, JSON-patch, delete, deactivate/reactivate, tags. */
import { requestBaseUrl } from '../../lib/http/urls.js'
import { createImage } from '../core/image-create.js'
import {
  addTag,
  deactivateImage,
  deleteImage,
  reactivateImage,
  removeTag,
} from '../core/image-lifecycle.js'
import { listImages } from '../core/image-list.js'
import { patchImage } from '../core/image-patch.js'
import { getVisibleRow, imageView, loadImage } from '../core/images.js'
import type { ImageApi } from './image-api.js'
import { callerOf, param } from './image-api.js'

/** `first` and `next` links: the request's query re-encoded (Glance's urlencode of all params). */
function pageLink(query: Record<string, unknown>, marker?: string): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (k === 'marker' || v === undefined) continue
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item))
  }
  if (marker !== undefined) params.append('marker', marker)
  const qs = params.toString()
  return qs === '' ? '/v2/images' : `/v2/images?${qs}`
}

export function imagesRoutes({ app, deps }: ImageApi): void {
  app.route({
    method: 'POST',
    url: '/v2/images',
    access: { rule: 'add_image' },
    handler: async (req, reply) => {
      const image = await createImage(deps, callerOf(req.raw), req.body)
      void reply
        .code(201)
        .header('location', `${requestBaseUrl(req.raw)}/v2/images/${image.row.id}`)
      if (deps.config.enabledImportMethods.length > 0)
        void reply.header(
          'openstack-image-import-methods',
          deps.config.enabledImportMethods.join(','),
        )
      return imageView(image)
    },
  })

  app.route({
    method: 'GET',
    url: '/v2/images',
    access: { rule: 'get_images' },
    handler: async (req) => {
      const query = req.query as Record<string, string | string[] | undefined>
      const page = await listImages(deps, callerOf(req.raw), query)
      const body: Record<string, unknown> = {
        images: page.images.map(imageView),
        first: pageLink(query),
        schema: '/v2/schemas/images',
      }
      if (page.nextMarker !== undefined) body.next = pageLink(query, page.nextMarker)
      return body
    },
  })

  app.route({
    method: 'GET',
    url: '/v2/images/:image_id',
    access: { rule: 'get_image' },
    handler: async (req) => {
      const row = await getVisibleRow(deps, callerOf(req.raw), param(req.raw, 'image_id'))
      return imageView(await loadImage(deps, row))
    },
  })

  app.route({
    method: 'PATCH',
    url: '/v2/images/:image_id',
    access: { rule: 'modify_image' },
    handler: async (req) =>
      imageView(
        await patchImage(
          deps,
          callerOf(req.raw),
          param(req.raw, 'image_id'),
          req.raw.headers['content-type'],
          req.body,
        ),
      ),
  })

  app.route({
    method: 'DELETE',
    url: '/v2/images/:image_id',
    access: { rule: 'delete_image' },
    handler: async (req, reply) => {
      await deleteImage(deps, callerOf(req.raw), param(req.raw, 'image_id'))
      void reply.code(204)
    },
  })

  app.route({
    method: 'POST',
    url: '/v2/images/:image_id/actions/deactivate',
    access: { rule: 'deactivate' },
    handler: async (req, reply) => {
      await deactivateImage(deps, callerOf(req.raw), param(req.raw, 'image_id'))
      void reply.code(204)
    },
  })

  app.route({
    method: 'POST',
    url: '/v2/images/:image_id/actions/reactivate',
    access: { rule: 'reactivate' },
    handler: async (req, reply) => {
      await reactivateImage(deps, callerOf(req.raw), param(req.raw, 'image_id'))
      void reply.code(204)
    },
  })

  app.route({
    method: 'PUT',
    url: '/v2/images/:image_id/tags/:tag',
    access: { rule: 'modify_image' },
    handler: async (req, reply) => {
      await addTag(deps, callerOf(req.raw), param(req.raw, 'image_id'), param(req.raw, 'tag'))
      void reply.code(204)
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v2/images/:image_id/tags/:tag',
    access: { rule: 'modify_image' },
    handler: async (req, reply) => {
      await removeTag(deps, callerOf(req.raw), param(req.raw, 'image_id'), param(req.raw, 'tag'))
      void reply.code(204)
    },
  })
}
