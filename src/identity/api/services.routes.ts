/** @module /v3/services: catalog services (admin only); deleting one deletes its endpoints. */
import { Type } from '@sinclair/typebox'
import { fromJson } from '../../lib/db/values.js'
import {
  SERVICE_COLUMNS,
  type Service,
  createService,
  deleteService,
  getService,
  updateService,
} from '../core/catalog-services.js'
import { applyInexact, readFilters } from '../core/list-filters.js'
import { splitExtra } from '../core/projects.js'
import { badRequest } from '../errors.js'
import { serviceView } from './catalog.view.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'

const ServiceType = Type.String({ minLength: 1, maxLength: 255 })
const ServiceProps = {
  id: Type.Optional(Type.Unknown()),
  type: Type.Optional(ServiceType),
  // Keystone's parameter_types.name: 1-255 characters, at least one not blank.
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '\\S' })),
  enabled: Type.Optional(Type.Boolean()),
}
const ServiceCreate = Type.Object({ service: Type.Object({ ...ServiceProps, type: ServiceType }) })
const ServiceUpdate = Type.Object({ service: Type.Object(ServiceProps, { minProperties: 1 }) })
const ServiceParams = Type.Object({ service_id: Type.String() })

/** A service attribute, whether a column or kept among the extras (name, description...). */
function attribute(s: Service, name: string): unknown {
  if (name === 'type') return s.type
  return fromJson<Record<string, unknown>>(s.extra, {})[name]
}

export function servicesRoutes({ app, deps }: IdentityApi): void {
  app.route({
    method: 'GET',
    url: '/v3/services',
    access: { rule: 'identity:list_services' },
    handler: async (req) => {
      // SAFETY: Fastify parses every query string into an object.
      const filters = readFilters(req.raw.query as Record<string, unknown>, ['type', 'name'])
      let q = deps.db.selectFrom('service').selectAll()
      const type = filters.exact.get('type')
      if (type !== undefined) q = q.where('type', '=', type)
      const name = filters.exact.get('name')
      let rows = await q.execute()
      if (name !== undefined) rows = rows.filter((s) => attribute(s, 'name') === name)
      rows = applyInexact(rows, filters.inexact, attribute)
      return collection(
        req.raw,
        'services',
        rows.map((s) => serviceView(req.raw, s)),
        deps.config.listLimit,
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/services/:service_id',
    access: { rule: 'identity:get_service' },
    params: ServiceParams,
    handler: async (req) => ({
      service: serviceView(req.raw, await getService(deps.db, req.params.service_id)),
    }),
  })

  app.route({
    method: 'POST',
    url: '/v3/services',
    access: { rule: 'identity:create_service' },
    body: ServiceCreate,
    handler: async (req, reply) => {
      const body = req.body.service
      const service = await createService(deps, {
        type: body.type,
        enabled: body.enabled,
        extra: splitExtra(body, SERVICE_COLUMNS),
      })
      void reply.code(201)
      return { service: serviceView(req.raw, service) }
    },
  })

  app.route({
    method: 'PATCH',
    url: '/v3/services/:service_id',
    access: { rule: 'identity:update_service' },
    params: ServiceParams,
    body: ServiceUpdate,
    handler: async (req) => {
      const body = req.body.service
      if (body.id !== undefined && body.id !== null && body.id !== req.params.service_id)
        throw badRequest('Cannot change ID')
      const service = await updateService(deps, req.params.service_id, {
        type: body.type,
        enabled: body.enabled,
        extra: splitExtra(body, SERVICE_COLUMNS),
      })
      return { service: serviceView(req.raw, service) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/services/:service_id',
    access: { rule: 'identity:delete_service' },
    params: ServiceParams,
    handler: async (req, reply) => {
      await deleteService(deps, req.params.service_id)
      void reply.code(204)
    },
  })
}
