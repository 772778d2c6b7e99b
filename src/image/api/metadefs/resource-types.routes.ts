/** @module /v2/metadefs/resource_types and a namespace's resource type associations. */
import {
  createAssociation,
  deleteAssociation,
  listAssociations,
  listResourceTypes,
} from '../../core/metadefs/resource-types.js'
import type { ImageApi } from '../image-api.js'
import { metadefContext, param, rejectBody } from './metadef-api.js'

const ASSOCIATIONS = '/v2/metadefs/namespaces/:namespace/resource_types'

export function resourceTypeRoutes(api: ImageApi): void {
  const { app } = api
  app.route({
    method: 'GET',
    url: '/v2/metadefs/resource_types',
    access: 'token',
    handler: (req) => {
      rejectBody(req.raw)
      return listResourceTypes(metadefContext(api, req.raw))
    },
  })
  app.route({
    method: 'GET',
    url: ASSOCIATIONS,
    access: 'token',
    handler: (req) => {
      rejectBody(req.raw)
      return listAssociations(metadefContext(api, req.raw), param(req.raw, 'namespace'))
    },
  })
  app.route({
    method: 'POST',
    url: ASSOCIATIONS,
    access: 'token',
    handler: async (req, reply) => {
      const body = await createAssociation(
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
    url: `${ASSOCIATIONS}/:resource_type`,
    access: 'token',
    handler: async (req, reply) => {
      rejectBody(req.raw)
      await deleteAssociation(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        param(req.raw, 'resource_type'),
      )
      void reply.code(204)
    },
  })
}
