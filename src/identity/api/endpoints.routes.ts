/**
 * @module /v3/endpoints (admin only). As in Keystone, routes naming an endpoint look it up
 * before the policy check, so an unknown id is 404 for every caller.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  ENDPOINT_COLUMNS,
  type Endpoint,
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  updateEndpoint,
} from '../core/catalog-services.js'
import { applyInexact, readFilters } from '../core/list-filters.js'
import { splitExtra } from '../core/projects.js'
import { badRequest } from '../errors.js'
import { endpointView } from './catalog.view.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import { params } from './request-helpers.js'

const INTERFACES = ['admin', 'internal', 'public'] as const
const Interface = Type.Unsafe<(typeof INTERFACES)[number]>({
  type: 'string',
  enum: [...INTERFACES],
})
// Keystone's parameter_types.url: lenient, a scheme and something after it.
const Url = Type.String({ maxLength: 225, pattern: '^[a-zA-Z0-9+.-]+:.+' })
const EndpointProps = {
  id: Type.Optional(Type.Unknown()),
  enabled: Type.Optional(Type.Boolean()),
  interface: Type.Optional(Interface),
  region_id: Type.Optional(Type.String()),
  region: Type.Optional(Type.String()),
  service_id: Type.Optional(Type.String()),
  url: Type.Optional(Url),
}
const EndpointCreate = Type.Object({
  endpoint: Type.Object({
    ...EndpointProps,
    interface: Interface,
    service_id: Type.String(),
    url: Url,
  }),
})
const EndpointUpdate = Type.Object({ endpoint: Type.Object(EndpointProps, { minProperties: 1 }) })
const EndpointParams = Type.Object({ endpoint_id: Type.String() })
const FILTERS = ['interface', 'service_id', 'region_id'] as const

export function endpointsRoutes({ app, deps }: IdentityApi): void {
  const endpointTarget = async (req: FastifyRequest) => {
    const endpoint = await getEndpoint(deps.db, params(req).endpoint_id ?? '')
    return { endpoint_id: endpoint.id, target: { endpoint } }
  }

  app.route({
    method: 'GET',
    url: '/v3/endpoints',
    access: { rule: 'identity:list_endpoints' },
    handler: async (req) => {
      // SAFETY: Fastify parses every query string into an object.
      const filters = readFilters(req.raw.query as Record<string, unknown>, FILTERS)
      let q = deps.db.selectFrom('endpoint').selectAll()
      for (const col of FILTERS) {
        const v = filters.exact.get(col)
        if (v !== undefined) q = q.where(col, '=', v)
      }
      // SAFETY: readFilters only returns whitelisted attributes, all of them Endpoint columns.
      const rows = applyInexact(
        await q.execute(),
        filters.inexact,
        (e, a) => e[a as keyof Endpoint],
      )
      return collection(
        req.raw,
        'endpoints',
        rows.map((e) => endpointView(req.raw, e)),
        deps.config.listLimit,
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/endpoints/:endpoint_id',
    access: { rule: 'identity:get_endpoint', target: endpointTarget },
    params: EndpointParams,
    handler: async (req) => ({
      endpoint: endpointView(req.raw, await getEndpoint(deps.db, req.params.endpoint_id)),
    }),
  })

  app.route({
    method: 'POST',
    url: '/v3/endpoints',
    access: { rule: 'identity:create_endpoint' },
    body: EndpointCreate,
    handler: async (req, reply) => {
      const body = req.body.endpoint
      const endpoint = await createEndpoint(deps, {
        interface: body.interface,
        service_id: body.service_id,
        url: body.url,
        region_id: body.region_id,
        region: body.region,
        enabled: body.enabled,
        extra: splitExtra(body, ENDPOINT_COLUMNS),
      })
      void reply.code(201)
      return { endpoint: endpointView(req.raw, endpoint) }
    },
  })

  app.route({
    method: 'PATCH',
    url: '/v3/endpoints/:endpoint_id',
    access: { rule: 'identity:update_endpoint', target: endpointTarget },
    params: EndpointParams,
    body: EndpointUpdate,
    handler: async (req) => {
      const body = req.body.endpoint
      if (body.id !== undefined && body.id !== null && body.id !== req.params.endpoint_id)
        throw badRequest('Cannot change ID')
      const current = await getEndpoint(deps.db, req.params.endpoint_id)
      const endpoint = await updateEndpoint(deps, current, {
        interface: body.interface,
        service_id: body.service_id,
        url: body.url,
        region_id: body.region_id,
        region: body.region,
        enabled: body.enabled,
        extra: splitExtra(body, ENDPOINT_COLUMNS),
      })
      return { endpoint: endpointView(req.raw, endpoint) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/endpoints/:endpoint_id',
    access: { rule: 'identity:delete_endpoint', target: endpointTarget },
    params: EndpointParams,
    handler: async (req, reply) => {
      await deleteEndpoint(deps, req.params.endpoint_id)
      void reply.code(204)
    },
  })
}
