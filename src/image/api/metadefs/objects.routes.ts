/** @module /v2/metadefs/namespaces/{ns}/objects: a namespace's objects. */
import { deleteContent } from '../../core/metadefs/namespace-writes.js'
import {
  createObject,
  deleteObject,
  listObjects,
  showObject,
  updateObject,
} from '../../core/metadefs/objects.js'
import type { ImageApi } from '../image-api.js'
import { metadefContext, param, queryOf, rejectBody } from './metadef-api.js'

const OBJECTS = '/v2/metadefs/namespaces/:namespace/objects'

export function objectRoutes(api: ImageApi): void {
  const { app } = api
  app.route({
    method: 'GET',
    url: OBJECTS,
    access: 'token',
    handler: (req) =>
      listObjects(metadefContext(api, req.raw), param(req.raw, 'namespace'), queryOf(req.raw)),
  })
  app.route({
    method: 'POST',
    url: OBJECTS,
    access: 'token',
    handler: async (req, reply) => {
      const body = await createObject(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        req.body,
      )
      void reply.code(201)
      return body
    },
  })
  app.route({
    method: 'DELETE',
    url: OBJECTS,
    access: 'token',
    handler: async (req, reply) => {
      await deleteContent(metadefContext(api, req.raw), param(req.raw, 'namespace'), 'objects')
      void reply.code(204)
    },
  })
  app.route({
    method: 'GET',
    url: `${OBJECTS}/:object_name`,
    access: 'token',
    handler: (req) => {
      rejectBody(req.raw)
      return showObject(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        param(req.raw, 'object_name'),
      )
    },
  })
  app.route({
    method: 'PUT',
    url: `${OBJECTS}/:object_name`,
    access: 'token',
    handler: (req) =>
      updateObject(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        param(req.raw, 'object_name'),
        req.body,
      ),
  })
  app.route({
    method: 'DELETE',
    url: `${OBJECTS}/:object_name`,
    access: 'token',
    handler: async (req, reply) => {
      rejectBody(req.raw)
      await deleteObject(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        param(req.raw, 'object_name'),
      )
      void reply.code(204)
    },
  })
}
