/**
 * @module The image proxy (2.1 to 2.35; 404 from 2.36): /images, /images/detail, /images/{id}.
 * Nova hands the caller's request to Glance, so the caller sees what Glance would show them, and
 * its filters become Glance v2 list filters. There is no compute policy on these routes.
 */
import type { FastifyRequest } from 'fastify'
import { computeErrors } from '../errors.js'
import { type ImageInfo, ImageRequestError } from '../image-client.js'
import { callerOf, type ComputeApi, nextLinks, mv, param } from './compute-api.js'
import { basicImageView, imageView } from './images.view.js'

/** Nova's query parameters and the filter names its glance client receives them as. */
const SUPPORTED_FILTERS: Readonly<Record<string, string>> = {
  name: 'name',
  status: 'status',
  'changes-since': 'changes-since',
  server: 'property-instance_uuid',
  type: 'property-image_type',
  minRam: 'min_ram',
  minDisk: 'min_disk',
}

export const IMAGE_NOT_FOUND = 'Image not found.'

type Query = Readonly<Record<string, string | string[] | undefined>>

function queryOf(req: FastifyRequest): Query {
  // SAFETY: Fastify's query parser yields strings or arrays of strings.
  return req.query as Query
}

/** webob's MultiDict.get: the last value of a repeated parameter. */
function last(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value
}

/** Python's str.lstrip(chars): drops leading characters found in `chars`. */
function lstrip(text: string, chars: string): string {
  let i = 0
  while (i < text.length && chars.includes(text.charAt(i))) i++
  return text.slice(i)
}

/** Nova's ImagesController._get_filters, then its glance client's translation to Glance v2. */
export function glanceFilters(query: Query): Record<string, string> {
  const nova: Record<string, string> = {}
  for (const [name, value] of Object.entries(query)) {
    const v = last(value)
    if (v === undefined) continue
    if (Object.hasOwn(SUPPORTED_FILTERS, name)) nova[SUPPORTED_FILTERS[name] ?? name] = v
    else if (name.startsWith('property-')) nova[name] = v
  }
  // `server` may be a server link: its last path segment is the uuid.
  const server = nova['property-instance_uuid']
  if (server?.includes('/'))
    nova['property-instance_uuid'] = server.slice(server.lastIndexOf('/') + 1)
  if (nova.status !== undefined) nova.status = nova.status.toLowerCase()
  const glance: Record<string, string> = {}
  for (const [name, value] of Object.entries(nova)) {
    // Nova strips the prefix with str.lstrip, a set of characters: property-os_distro → s_distro.
    if (name.startsWith('property-')) glance[lstrip(name, 'property-')] = value
    else if (name === 'changes-since') glance.updated_at = `gte:${value}`
    else glance[name] = value
  }
  return glance
}

/** utils.validate_integer(value, name, min_value=0), as common.get_pagination_params uses it. */
function nonNegative(query: Query, name: string): number | undefined {
  const raw = last(query[name])
  if (raw === undefined) return undefined
  if (!/^\s*[+-]?\d+\s*$/.test(raw))
    throw computeErrors.badRequest(`Invalid input received: ${name} must be an integer`)
  const n = Number.parseInt(raw, 10)
  if (n < 0) throw computeErrors.badRequest(`Invalid input received: ${name} must be >= 0`)
  return n
}

/** From `version` on the proxy route does not exist (VersionNotFoundForAPIMethod: a bare 404). */
export function removedAt(req: FastifyRequest, version: string): void {
  if (mv(req, version)) throw computeErrors.notFound('The resource could not be found.')
}

async function listImages(
  api: ComputeApi,
  req: FastifyRequest,
  detail: boolean,
): Promise<Record<string, unknown>> {
  removedAt(req, '2.36')
  const query = queryOf(req)
  const limit = nonNegative(query, 'limit')
  nonNegative(query, 'page_size')
  nonNegative(query, 'offset')
  const marker = last(query.marker)
  let images: ImageInfo[]
  try {
    images = await api.deps.images.queryImages(callerOf(req), {
      filters: glanceFilters(query),
      // Nova's glance client drops a zero limit and an empty marker.
      ...(limit ? { limit } : {}),
      ...(marker ? { marker } : {}),
    })
  } catch (err) {
    if (err instanceof ImageRequestError && err.status === 400)
      throw computeErrors.badRequest(`${err.message} (HTTP 400)`)
    throw err
  }
  const glance = api.deps.endpoints.image
  const view = detail ? imageView : basicImageView
  const body: Record<string, unknown> = { images: images.map((i) => view(req, glance, i)) }
  // The next link only for a page exactly as long as min(limit, max_limit).
  const max = api.deps.config.osapiMaxLimit
  const pageSize = Math.min(limit ?? max, max)
  if (pageSize > 0 && images.length === pageSize) {
    const links = nextLinks(
      req,
      detail ? 'images/detail' : 'images',
      images.length,
      pageSize,
      images[images.length - 1]?.id,
    )
    if (links) body.images_links = links
  }
  return body
}

export function imagesRoutes(api: ComputeApi): void {
  const { app, deps } = api

  app.route({
    method: 'GET',
    url: '/v2.1/images',
    access: 'token',
    handler: (req) => listImages(api, req.raw, false),
  })

  app.route({
    method: 'GET',
    url: '/v2.1/images/detail',
    access: 'token',
    handler: (req) => listImages(api, req.raw, true),
  })

  app.route({
    method: 'GET',
    url: '/v2.1/images/:id',
    access: 'token',
    handler: async (req) => {
      removedAt(req.raw, '2.36')
      const image = await deps.images.getImage(callerOf(req.raw), param(req.raw, 'id'))
      if (!image) throw computeErrors.notFound(IMAGE_NOT_FOUND)
      return { image: imageView(req.raw, deps.endpoints.image, image) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v2.1/images/:id',
    access: 'token',
    handler: async (req, reply) => {
      removedAt(req.raw, '2.36')
      try {
        await deps.images.deleteImage(callerOf(req.raw), param(req.raw, 'id'))
      } catch (err) {
        if (err instanceof ImageRequestError && err.status === 404)
          throw computeErrors.notFound(IMAGE_NOT_FOUND)
        if (err instanceof ImageRequestError && err.status === 403)
          throw computeErrors.forbidden('You are not allowed to delete the image.')
        throw err
      }
      void reply.code(204)
      return undefined
    },
  })
}
