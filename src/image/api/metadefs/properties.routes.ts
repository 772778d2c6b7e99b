/** @module /v2/metadefs/namespaces/{ns}/properties: a namespace's property definitions. */
import { deleteContent } from '../../core/metadefs/namespace-writes.js'
import {
  createProperty,
  deleteProperty,
  listProperties,
  showProperty,
  updateProperty,
} from '../../core/metadefs/properties.js'
import type { ImageApi } from '../image-api.js'
import { metadefContext, param, queryOf, rejectBody } from './metadef-api.js'

const PROPERTIES = '/v2/metadefs/namespaces/:namespace/properties'

export function propertyRoutes(api: ImageApi): void {
  const { app } = api
  app.route({
    method: 'GET',
    url: PROPERTIES,
    access: 'token',
    handler: (req) => {
      rejectBody(req.raw)
      return listProperties(metadefContext(api, req.raw), param(req.raw, 'namespace'))
    },
  })
  app.route({
    method: 'POST',
    url: PROPERTIES,
    access: 'token',
    handler: async (req, reply) => {
      const body = await createProperty(
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
    url: PROPERTIES,
    access: 'token',
    handler: async (req, reply) => {
      await deleteContent(metadefContext(api, req.raw), param(req.raw, 'namespace'), 'properties')
      void reply.code(204)
    },
  })
  app.route({
    method: 'GET',
    url: `${PROPERTIES}/:property_name`,
    access: 'token',
    handler: (req) =>
      showProperty(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        param(req.raw, 'property_name'),
        queryOf(req.raw),
      ),
  })
  app.route({
    method: 'PUT',
    url: `${PROPERTIES}/:property_name`,
    access: 'token',
    handler: (req) =>
      updateProperty(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        param(req.raw, 'property_name'),
        req.body,
      ),
  })
  app.route({
    method: 'DELETE',
    url: `${PROPERTIES}/:property_name`,
    access: 'token',
    handler: async (req, reply) => {
      await deleteProperty(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        param(req.raw, 'property_name'),
      )
      void reply.code(204)
    },
  })
}
