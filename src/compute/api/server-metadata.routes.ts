/**
 * @module /servers/{id}/metadata[/{key}] and /servers/{id}/tags[/{tag}] (2.26). Tags are
 * found through Nova's instance mapping, which is not limited to the caller's project: another
 * project's server is a policy 403 there, not a 404.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  MAX_TAGS,
  addTag,
  deleteAllTags,
  deleteMetadataKey,
  deleteTag,
  metadataOf,
  replaceTags,
  tagsOf,
  updateMetadata,
} from '../core/servers/metadata.js'
import { type InstanceRow, loadInstance } from '../core/servers/records.js'
import { computeErrors } from '../errors.js'
import {
  callerOf,
  type ComputeApi,
  enforce,
  mv,
  param,
  validateBody,
  versionedBase,
} from './compute-api.js'
import * as p from './parameter-types.js'
import { serverFor } from './servers.routes.js'

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
const tagsBody = Type.Object({ tags: Type.Array(p.tag, { maxItems: MAX_TAGS }) }, strict)
const tagBody = Type.Null()

const M = 'os_compute_api:server-metadata'
const T = 'os_compute_api:os-server-tags'

/** Nova's _get_instance_mapping + policy: any project's server, then the rule on its project. */
async function taggedServer(
  api: ComputeApi,
  req: FastifyRequest,
  rule: string,
): Promise<InstanceRow> {
  if (!mv(req, '2.26')) throw computeErrors.notFound('The resource could not be found.')
  const id = param(req, 'server_id')
  const caller = callerOf(req)
  const row = await loadInstance(api.deps, { ...caller, isAdmin: true }, id, {
    includeDeleted: true,
  }).catch(() => {
    throw computeErrors.notFound(`Instance ${id} has no mapping to a cell.`)
  })
  enforce(api, req, rule, { project_id: row.project_id })
  if (row.deleted_at !== null) throw computeErrors.serverNotFound(id)
  return row
}

export function serverMetadataRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const base = '/v2.1/servers/:server_id'

  app.route({
    method: 'GET',
    url: `${base}/metadata`,
    access: 'token',
    handler: async (req) => {
      const row = await serverFor(api, req.raw, `${M}:index`)
      return { metadata: await metadataOf(deps, row.id) }
    },
  })

  for (const [method, replace] of [
    ['POST', false],
    ['PUT', true],
  ] as const)
    app.route({
      method,
      url: `${base}/metadata`,
      access: 'token',
      handler: async (req) => {
        const body = validateBody(metadataBody, req.body)
        const row = await serverFor(api, req.raw, replace ? `${M}:update_all` : `${M}:create`)
        return {
          metadata: await updateMetadata(deps, callerOf(req.raw), row, body.metadata, replace),
        }
      },
    })

  app.route({
    method: 'GET',
    url: `${base}/metadata/:key`,
    access: 'token',
    handler: async (req) => {
      const row = await serverFor(api, req.raw, `${M}:show`)
      const key = param(req.raw, 'key')
      const metadata = await metadataOf(deps, row.id)
      if (!Object.hasOwn(metadata, key)) throw computeErrors.notFound('Metadata item was not found')
      return { meta: { [key]: metadata[key] } }
    },
  })

  app.route({
    method: 'PUT',
    url: `${base}/metadata/:key`,
    access: 'token',
    handler: async (req) => {
      const body = validateBody(metaItemBody, req.body)
      const row = await serverFor(api, req.raw, `${M}:update`)
      if (!Object.hasOwn(body.meta, param(req.raw, 'key')))
        throw computeErrors.badRequest('Request body and URI mismatch')
      await updateMetadata(deps, callerOf(req.raw), row, body.meta, false)
      return { meta: body.meta }
    },
  })

  app.route({
    method: 'DELETE',
    url: `${base}/metadata/:key`,
    access: 'token',
    handler: async (req, reply) => {
      const row = await serverFor(api, req.raw, `${M}:delete`)
      await deleteMetadataKey(deps, callerOf(req.raw), row, param(req.raw, 'key'))
      void reply.code(204)
      return undefined
    },
  })

  app.route({
    method: 'GET',
    url: `${base}/tags`,
    access: 'token',
    handler: async (req) => {
      const row = await taggedServer(api, req.raw, `${T}:index`)
      return { tags: await tagsOf(deps, row.id) }
    },
  })

  app.route({
    method: 'PUT',
    url: `${base}/tags`,
    access: 'token',
    handler: async (req) => {
      if (!mv(req.raw, '2.26')) throw computeErrors.notFound('The resource could not be found.')
      const body = validateBody(tagsBody, req.body)
      const row = await taggedServer(api, req.raw, `${T}:update_all`)
      return { tags: await replaceTags(deps, row, body.tags) }
    },
  })

  app.route({
    method: 'DELETE',
    url: `${base}/tags`,
    access: 'token',
    handler: async (req, reply) => {
      const row = await taggedServer(api, req.raw, `${T}:delete_all`)
      await deleteAllTags(deps, row)
      void reply.code(204)
      return undefined
    },
  })

  app.route({
    method: 'GET',
    url: `${base}/tags/:tag`,
    access: 'token',
    handler: async (req, reply) => {
      const row = await taggedServer(api, req.raw, `${T}:show`)
      const tag = param(req.raw, 'tag')
      if (!(await tagsOf(deps, row.id)).includes(tag))
        throw computeErrors.notFound(`Server ${param(req.raw, 'server_id')} has no tag '${tag}'`)
      void reply.code(204)
      return undefined
    },
  })

  app.route({
    method: 'PUT',
    url: `${base}/tags/:tag`,
    access: 'token',
    handler: async (req, reply) => {
      if (!mv(req.raw, '2.26')) throw computeErrors.notFound('The resource could not be found.')
      if (req.body !== undefined) validateBody(tagBody, req.body)
      const row = await taggedServer(api, req.raw, `${T}:update`)
      const tag = param(req.raw, 'tag')
      const created = await addTag(deps, row, tag)
      // Tempest wants a Location on both answers (Nova sends it only on 201).
      void reply
        .code(created ? 201 : 204)
        .header(
          'location',
          `${versionedBase(req.raw)}/servers/${row.id}/tags/${encodeURIComponent(tag)}`,
        )
      return undefined
    },
  })

  app.route({
    method: 'DELETE',
    url: `${base}/tags/:tag`,
    access: 'token',
    handler: async (req, reply) => {
      const row = await taggedServer(api, req.raw, `${T}:delete`)
      await deleteTag(deps, row, param(req.raw, 'tag'))
      void reply.code(204)
      return undefined
    },
  })
}
