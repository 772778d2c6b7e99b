/**
 * @module Unified limits: /v3/registered_limits, /v3/limits and /v3/limits/model. Any token
 * reads registered limits and the model; a token lists only the limits of its own scope
 * (project, domain, or all for system scope); only admins write.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  LIMIT_MODEL,
  type Limit,
  type RegisteredLimit,
  createLimits,
  createRegisteredLimits,
  deleteLimit,
  deleteRegisteredLimit,
  findLimit,
  getLimit,
  getRegisteredLimit,
  limitsVisibleTo,
  updateLimit,
  updateRegisteredLimit,
} from '../core/limits.js'
import { applyInexact, readFilters } from '../core/list-filters.js'
import { findProject } from '../core/projects.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import { limitView, registeredLimitView } from './limits.view.js'
import { params } from './request-helpers.js'

// Keystone's parameter_types.id_string and the signed 32-bit limit range.
const IdString = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9-]+$' })
const LimitValue = Type.Integer({ minimum: -1, maximum: 0x7fffffff })
const ResourceName = Type.String({ minLength: 1, maxLength: 255 })
const Description = Type.Optional(Type.Union([Type.String(), Type.Null()]))
const Strict = { additionalProperties: false }

const RegisteredLimitProps = {
  service_id: IdString,
  region_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  resource_name: ResourceName,
  default_limit: LimitValue,
  description: Description,
}
const RegisteredLimitsCreate = Type.Object({
  registered_limits: Type.Array(Type.Object(RegisteredLimitProps, Strict), { minItems: 1 }),
})
// A missing envelope is an empty update in Keystone (it reads the key with a {} default).
const RegisteredLimitUpdate = Type.Object({
  registered_limit: Type.Optional(Type.Partial(Type.Object(RegisteredLimitProps, Strict))),
})
const RegisteredLimitParams = Type.Object({ registered_limit_id: Type.String() })

const LimitCommon = {
  service_id: IdString,
  region_id: Type.Optional(Type.String()),
  resource_name: ResourceName,
  resource_limit: LimitValue,
  description: Description,
}
const ProjectLimit = Type.Object({ project_id: IdString, ...LimitCommon }, Strict)
const DomainLimit = Type.Object({ domain_id: IdString, ...LimitCommon }, Strict)
const LimitsCreate = Type.Object({
  limits: Type.Array(Type.Union([ProjectLimit, DomainLimit]), { minItems: 1 }),
})
const LimitUpdate = Type.Object({
  limit: Type.Optional(
    Type.Object({ resource_limit: Type.Optional(LimitValue), description: Description }, Strict),
  ),
})
const LimitParams = Type.Object({ limit_id: Type.String() })

/** Exact filters on any listed attribute (nulls never match), then the inexact operators. */
function filterRows<T extends RegisteredLimit | Limit>(
  req: FastifyRequest,
  rows: T[],
  attributes: readonly string[],
): T[] {
  // SAFETY: Fastify parses every query string into an object.
  const filters = readFilters(req.query as Record<string, unknown>, attributes)
  // SAFETY: readFilters only returns whitelisted attributes, all of them columns of T.
  const get = (row: T, attr: string): unknown => row[attr as keyof T]
  const exact = rows.filter((row) =>
    [...filters.exact].every(([attr, value]) => get(row, attr) === value),
  )
  return applyInexact(exact, filters.inexact, get)
}

export function limitsRoutes({ app, deps }: IdentityApi): void {
  // --- registered limits ---

  app.route({
    method: 'GET',
    url: '/v3/registered_limits',
    access: { rule: 'identity:list_registered_limits' },
    handler: async (req) => {
      const rows = await deps.db.selectFrom('registered_limit').selectAll().execute()
      const visible = filterRows(req.raw, rows, ['service_id', 'region_id', 'resource_name'])
      return collection(
        req.raw,
        'registered_limits',
        visible.map((r) => registeredLimitView(req.raw, r)),
        deps.config.listLimit,
      )
    },
  })

  app.route({
    method: 'POST',
    url: '/v3/registered_limits',
    access: { rule: 'identity:create_registered_limits' },
    body: RegisteredLimitsCreate,
    handler: async (req, reply) => {
      const rows = await createRegisteredLimits(deps, req.body.registered_limits)
      void reply.code(201)
      // Keystone answers a create with the bare list: no links.
      return { registered_limits: rows.map((r) => registeredLimitView(req.raw, r)) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/registered_limits/:registered_limit_id',
    access: { rule: 'identity:get_registered_limit' },
    params: RegisteredLimitParams,
    handler: async (req) => ({
      registered_limit: registeredLimitView(
        req.raw,
        await getRegisteredLimit(deps.db, req.params.registered_limit_id),
      ),
    }),
  })

  app.route({
    method: 'PATCH',
    url: '/v3/registered_limits/:registered_limit_id',
    access: { rule: 'identity:update_registered_limit' },
    params: RegisteredLimitParams,
    body: RegisteredLimitUpdate,
    handler: async (req) => {
      const row = await updateRegisteredLimit(
        deps,
        req.params.registered_limit_id,
        req.body.registered_limit ?? {},
      )
      return { registered_limit: registeredLimitView(req.raw, row) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/registered_limits/:registered_limit_id',
    access: { rule: 'identity:delete_registered_limit' },
    params: RegisteredLimitParams,
    handler: async (req, reply) => {
      await deleteRegisteredLimit(deps, req.params.registered_limit_id)
      void reply.code(204)
    },
  })

  // --- limits ---

  /** get_limit's target: the limit with its project or domain, when they exist. */
  const limitTarget = async (req: FastifyRequest) => {
    const limit = await findLimit(deps.db, params(req).limit_id ?? '')
    if (!limit) return {}
    const ownerId = limit.project_id ?? limit.domain_id
    const owner = ownerId === null ? undefined : await findProject(deps.db, ownerId)
    const ownerKey = limit.project_id !== null ? 'project' : 'domain'
    return { target: { limit: { ...limit, ...(owner ? { [ownerKey]: owner } : {}) } } }
  }
  /** Writes look the limit up first: an unknown id is 404 for every caller. */
  const limitMember = async (req: FastifyRequest) => ({
    target: { limit: await getLimit(deps.db, params(req).limit_id ?? '') },
  })

  app.route({
    method: 'GET',
    url: '/v3/limits/model',
    access: { rule: 'identity:get_limit_model' },
    handler: () => ({ model: LIMIT_MODEL }),
  })

  app.route({
    method: 'GET',
    url: '/v3/limits',
    access: { rule: 'identity:list_limits' },
    handler: async (req) => {
      const rows = await limitsVisibleTo(deps.db, {
        system: req.auth.system,
        domainId: req.auth.domainId,
        projectId: req.auth.projectId,
      })
      const visible = filterRows(req.raw, rows, [
        'service_id',
        'region_id',
        'resource_name',
        'project_id',
        'domain_id',
      ])
      return collection(
        req.raw,
        'limits',
        visible.map((l) => limitView(req.raw, l)),
        deps.config.listLimit,
      )
    },
  })

  app.route({
    method: 'POST',
    url: '/v3/limits',
    access: { rule: 'identity:create_limits' },
    body: LimitsCreate,
    handler: async (req, reply) => {
      const rows = await createLimits(deps, req.body.limits)
      void reply.code(201)
      return { limits: rows.map((l) => limitView(req.raw, l)) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/limits/:limit_id',
    access: { rule: 'identity:get_limit', target: limitTarget },
    params: LimitParams,
    handler: async (req) => ({
      limit: limitView(req.raw, await getLimit(deps.db, req.params.limit_id)),
    }),
  })

  app.route({
    method: 'PATCH',
    url: '/v3/limits/:limit_id',
    access: { rule: 'identity:update_limit', target: limitMember },
    params: LimitParams,
    body: LimitUpdate,
    handler: async (req) => {
      const current = await getLimit(deps.db, req.params.limit_id)
      return { limit: limitView(req.raw, await updateLimit(deps, current, req.body.limit ?? {})) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/limits/:limit_id',
    access: { rule: 'identity:delete_limit', target: limitMember },
    params: LimitParams,
    handler: async (req, reply) => {
      await deleteLimit(deps, req.params.limit_id)
      void reply.code(204)
    },
  })
}
