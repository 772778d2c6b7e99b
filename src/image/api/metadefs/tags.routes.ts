/** @module /v2/metadefs/namespaces/{ns}/tags: a namespace's tags, one at a time or all at once. */
import { deleteContent } from '../../core/metadefs/namespace-writes.js'
import {
  createTag,
  createTags,
  deleteTag,
  listTags,
  showTag,
  updateTag,
} from '../../core/metadefs/tags.js'
import type { ImageApi } from '../image-api.js'
import { metadefContext, param, queryOf, rejectBody } from './metadef-api.js'

const TAGS = '/v2/metadefs/namespaces/:namespace/tags'

/** oslo's bool_from_string, strict=False: only true-ish words count. */
function truthy(value: string | string[] | undefined): boolean {
  const v = (Array.isArray(value) ? value[0] : value)?.trim().toLowerCase()
  return v !== undefined && ['1', 't', 'true', 'on', 'y', 'yes'].includes(v)
}

export function tagRoutes(api: ImageApi): void {
  const { app } = api
  app.route({
    method: 'GET',
    url: TAGS,
    access: 'token',
    handler: (req) =>
      listTags(metadefContext(api, req.raw), param(req.raw, 'namespace'), queryOf(req.raw)),
  })
  app.route({
    method: 'POST',
    url: TAGS,
    access: 'token',
    handler: async (req, reply) => {
      const append = truthy(req.raw.headers['x-openstack-append'])
      const body = await createTags(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        req.body,
        append,
      )
      void reply.code(201)
      return body
    },
  })
  app.route({
    method: 'DELETE',
    url: TAGS,
    access: 'token',
    handler: async (req, reply) => {
      await deleteContent(metadefContext(api, req.raw), param(req.raw, 'namespace'), 'tags')
      void reply.code(204)
    },
  })
  app.route({
    method: 'GET',
    url: `${TAGS}/:tag_name`,
    access: 'token',
    handler: (req) => {
      rejectBody(req.raw)
      return showTag(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        param(req.raw, 'tag_name'),
      )
    },
  })
  app.route({
    method: 'POST',
    url: `${TAGS}/:tag_name`,
    access: 'token',
    handler: async (req, reply) => {
      rejectBody(req.raw)
      const body = await createTag(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        param(req.raw, 'tag_name'),
      )
      void reply.code(201)
      return body
    },
  })
  app.route({
    method: 'PUT',
    url: `${TAGS}/:tag_name`,
    access: 'token',
    handler: (req) =>
      updateTag(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        param(req.raw, 'tag_name'),
        req.body,
      ),
  })
  app.route({
    method: 'DELETE',
    url: `${TAGS}/:tag_name`,
    access: 'token',
    handler: async (req, reply) => {
      rejectBody(req.raw)
      await deleteTag(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        param(req.raw, 'tag_name'),
      )
      void reply.code(204)
    },
  })
}
