/**
 * @module /images/{id}/metadata[/{key}] (2.1 to 2.38; 404 from 2.39): an image's extra Glance
 * properties, changed through the image service with the caller's rights. Every write counts
 * the resulting properties against the `metadata_items` quota first. No compute policy applies.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { projectLimits } from '../core/quotas.js'
import { computeErrors } from '../errors.js'
import { type ImageInfo, ImageRequestError } from '../image-client.js'
import { callerOf, type ComputeApi, param, validateBody } from './compute-api.js'
import { IMAGE_NOT_FOUND, removedAt } from './images.routes.js'
import { imageMetadata } from './images.view.js'
import * as p from './parameter-types.js'

const strict = { additionalProperties: false }
const metadataBody = Type.Object({ metadata: p.metadata }, strict)
const metaItemBody = Type.Object(
  {
    meta: Type.Record(
      Type.String({ pattern: '^[a-zA-Z0-9-_:. ]{1,255}$' }),
      Type.String({ maxLength: 255 }),
      { additionalProperties: false, minProperties: 1, maxProperties: 1 },
    ),
  },
  strict,
)

async function imageFor(api: ComputeApi, req: FastifyRequest): Promise<ImageInfo> {
  const image = await api.deps.images.getImage(callerOf(req), param(req, 'image_id'))
  if (!image) throw computeErrors.notFound(IMAGE_NOT_FOUND)
  return image
}

/** common.check_img_metadata_properties_quota: the whole set against metadata_items. */
async function checkQuota(
  api: ComputeApi,
  req: FastifyRequest,
  properties: Readonly<Record<string, string>>,
): Promise<void> {
  const count = Object.keys(properties).length
  if (count === 0) return
  const caller = callerOf(req)
  const limits = await projectLimits(api.deps, caller.projectId, caller.userId)
  if (limits.metadata_items >= 0 && count > limits.metadata_items)
    throw computeErrors.forbidden('Image metadata limit exceeded')
}

/** Glance's update with purge_props: `properties` become the image's whole set. */
async function save(
  api: ComputeApi,
  req: FastifyRequest,
  image: ImageInfo,
  properties: Readonly<Record<string, string>>,
): Promise<ImageInfo> {
  try {
    return await api.deps.images.setProperties(callerOf(req), image.id, properties)
  } catch (err) {
    if (err instanceof ImageRequestError && err.status === 403)
      throw computeErrors.forbidden(`Not authorized for image ${image.id}.`)
    if (err instanceof ImageRequestError && err.status === 404)
      throw computeErrors.notFound(IMAGE_NOT_FOUND)
    throw err
  }
}

export function imageMetadataRoutes(api: ComputeApi): void {
  const { app } = api
  const base = '/v2.1/images/:image_id/metadata'

  app.route({
    method: 'GET',
    url: base,
    access: 'token',
    handler: async (req) => {
      removedAt(req.raw, '2.39')
      return { metadata: imageMetadata(await imageFor(api, req.raw)) }
    },
  })

  app.route({
    method: 'POST',
    url: base,
    access: 'token',
    handler: async (req) => {
      removedAt(req.raw, '2.39')
      const body = validateBody(metadataBody, req.body)
      const image = await imageFor(api, req.raw)
      const properties = { ...image.properties, ...body.metadata }
      await checkQuota(api, req.raw, properties)
      return { metadata: imageMetadata(await save(api, req.raw, image, properties)) }
    },
  })

  app.route({
    method: 'PUT',
    url: base,
    access: 'token',
    handler: async (req) => {
      removedAt(req.raw, '2.39')
      const body = validateBody(metadataBody, req.body)
      const image = await imageFor(api, req.raw)
      await checkQuota(api, req.raw, body.metadata)
      await save(api, req.raw, image, body.metadata)
      return { metadata: body.metadata }
    },
  })

  app.route({
    method: 'GET',
    url: `${base}/:key`,
    access: 'token',
    handler: async (req) => {
      removedAt(req.raw, '2.39')
      const key = param(req.raw, 'key')
      const metadata = imageMetadata(await imageFor(api, req.raw))
      if (!Object.hasOwn(metadata, key))
        throw computeErrors.notFound('The resource could not be found.')
      return { meta: { [key]: metadata[key] } }
    },
  })

  app.route({
    method: 'PUT',
    url: `${base}/:key`,
    access: 'token',
    handler: async (req) => {
      removedAt(req.raw, '2.39')
      const body = validateBody(metaItemBody, req.body)
      const key = param(req.raw, 'key')
      const value = body.meta[key]
      if (value === undefined || !Object.hasOwn(body.meta, key))
        throw computeErrors.badRequest('Request body and URI mismatch')
      const image = await imageFor(api, req.raw)
      const properties = { ...image.properties, [key]: value }
      await checkQuota(api, req.raw, properties)
      await save(api, req.raw, image, properties)
      return { meta: body.meta }
    },
  })

  app.route({
    method: 'DELETE',
    url: `${base}/:key`,
    access: 'token',
    handler: async (req, reply) => {
      removedAt(req.raw, '2.39')
      const key = param(req.raw, 'key')
      const image = await imageFor(api, req.raw)
      if (!Object.hasOwn(image.properties, key))
        throw computeErrors.notFound('Invalid metadata key')
      const { [key]: _removed, ...rest } = image.properties
      await save(api, req.raw, image, rest)
      void reply.code(204)
      return undefined
    },
  })
}
