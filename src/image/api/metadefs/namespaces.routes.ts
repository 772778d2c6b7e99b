/** @module /v2/metadefs/namespaces: list, create, show, replace and delete namespaces. */
import { requestBaseUrl } from '../../../lib/http/urls.js'
import {
  createNamespace,
  deleteNamespace,
  updateNamespace,
} from '../../core/metadefs/namespace-writes.js'
import { listNamespaces, showNamespace } from '../../core/metadefs/namespaces.js'
import type { ImageApi } from '../image-api.js'
import { metadefContext, param, queryOf, rejectBody } from './metadef-api.js'

const NAMESPACES = '/v2/metadefs/namespaces'

export function namespaceRoutes(api: ImageApi): void {
  const { app } = api
  app.route({
    method: 'GET',
    url: NAMESPACES,
    access: 'token',
    handler: (req) => listNamespaces(metadefContext(api, req.raw), queryOf(req.raw)),
  })
  app.route({
    method: 'POST',
    url: NAMESPACES,
    access: 'token',
    handler: async (req, reply) => {
      const ns = await createNamespace(metadefContext(api, req.raw), req.body)
      const location = `${requestBaseUrl(req.raw)}${NAMESPACES}/${encodeURI(String(ns.namespace))}`
      void reply.code(201).header('location', location)
      return ns
    },
  })
  app.route({
    method: 'GET',
    url: `${NAMESPACES}/:namespace`,
    access: 'token',
    handler: (req) => {
      rejectBody(req.raw)
      return showNamespace(
        metadefContext(api, req.raw),
        param(req.raw, 'namespace'),
        queryOf(req.raw),
      )
    },
  })
  app.route({
    method: 'PUT',
    url: `${NAMESPACES}/:namespace`,
    access: 'token',
    handler: (req) =>
      updateNamespace(metadefContext(api, req.raw), param(req.raw, 'namespace'), req.body),
  })
  app.route({
    method: 'DELETE',
    url: `${NAMESPACES}/:namespace`,
    access: 'token',
    handler: async (req, reply) => {
      rejectBody(req.raw)
      await deleteNamespace(metadefContext(api, req.raw), param(req.raw, 'namespace'))
      void reply.code(204)
    },
  })
}
