/** @module /v3/regions: any token may read them; only admins create (POST, or PUT with an id), change or delete. */
import { Type } from '@sinclair/typebox'
import { applyInexact, readFilters } from '../core/list-filters.js'
import { splitExtra } from '../core/projects.js'
import {
  REGION_COLUMNS,
  type Region,
  createRegion,
  deleteRegion,
  getRegion,
  updateRegion,
} from '../core/regions.js'
import { badRequest } from '../errors.js'
import { regionView } from './catalog.view.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'

const NullableText = Type.Union([Type.String(), Type.Null()])
const RegionProps = {
  id: Type.Optional(Type.String()),
  description: Type.Optional(NullableText),
  parent_region_id: Type.Optional(NullableText),
}
const RegionCreate = Type.Object({ region: Type.Object(RegionProps) })
const RegionUpdate = Type.Object({ region: Type.Object(RegionProps, { minProperties: 1 }) })
const RegionParams = Type.Object({ region_id: Type.String() })

export function regionsRoutes({ app, deps }: IdentityApi): void {
  app.route({
    method: 'GET',
    url: '/v3/regions',
    access: { rule: 'identity:list_regions' },
    handler: async (req) => {
      // SAFETY: Fastify parses every query string into an object.
      const filters = readFilters(req.raw.query as Record<string, unknown>, ['parent_region_id'])
      let q = deps.db.selectFrom('region').selectAll()
      const parent = filters.exact.get('parent_region_id')
      if (parent !== undefined) q = q.where('parent_region_id', '=', parent)
      // SAFETY: readFilters only returns whitelisted attributes, all of them Region columns.
      const rows = applyInexact(await q.execute(), filters.inexact, (r, a) => r[a as keyof Region])
      return collection(
        req.raw,
        'regions',
        rows.map((r) => regionView(req.raw, r)),
        deps.config.listLimit,
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/regions/:region_id',
    access: { rule: 'identity:get_region' },
    params: RegionParams,
    handler: async (req) => ({
      region: regionView(req.raw, await getRegion(deps.db, req.params.region_id)),
    }),
  })

  app.route({
    method: 'POST',
    url: '/v3/regions',
    access: { rule: 'identity:create_region' },
    body: RegionCreate,
    handler: async (req, reply) => {
      const body = req.body.region
      const region = await createRegion(deps, {
        id: body.id,
        description: body.description,
        parent_region_id: body.parent_region_id,
        extra: splitExtra(body, REGION_COLUMNS),
      })
      void reply.code(201)
      return { region: regionView(req.raw, region) }
    },
  })

  // Keystone's way to choose the id: PUT creates (201) and never replaces (409).
  app.route({
    method: 'PUT',
    url: '/v3/regions/:region_id',
    access: { rule: 'identity:create_region' },
    params: RegionParams,
    body: RegionCreate,
    handler: async (req, reply) => {
      const body = req.body.region
      const id = req.params.region_id
      if (body.id !== undefined && body.id !== id)
        throw badRequest(`Conflicting region IDs specified: "${id}" != "${body.id}"`)
      const region = await createRegion(deps, {
        id,
        description: body.description,
        parent_region_id: body.parent_region_id,
        extra: splitExtra(body, REGION_COLUMNS),
      })
      void reply.code(201)
      return { region: regionView(req.raw, region) }
    },
  })

  app.route({
    method: 'PATCH',
    url: '/v3/regions/:region_id',
    access: { rule: 'identity:update_region' },
    params: RegionParams,
    body: RegionUpdate,
    handler: async (req) => {
      const body = req.body.region
      if (body.id !== undefined && body.id !== req.params.region_id)
        throw badRequest('Cannot change ID')
      const region = await updateRegion(deps, req.params.region_id, {
        description: body.description,
        parent_region_id: body.parent_region_id,
        extra: splitExtra(body, REGION_COLUMNS),
      })
      return { region: regionView(req.raw, region) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/regions/:region_id',
    access: { rule: 'identity:delete_region' },
    params: RegionParams,
    handler: async (req, reply) => {
      await deleteRegion(deps, req.params.region_id)
      void reply.code(204)
    },
  })
}
