/**
 * @module /v3/roles (global and domain-specific roles), /v3/roles/{prior}/implies[/{implied}]
 * and /v3/role_inferences. Role reads and writes check policy before revealing whether the
 * role exists; implication routes look both roles up first (404 before 403), as Keystone does.
 */
import type { FastifyRequest } from 'fastify'
import { badRequest, notFound } from '../errors.js'
import { applyInexact, readFilters } from '../core/list-filters.js'
import {
  type Role,
  checkImpliedRole,
  createImpliedRole,
  createRole,
  deleteImpliedRole,
  deleteRole,
  directlyImpliedRoles,
  findRole,
  getRole,
  inferenceRules,
  isDomainRole,
  listRoles,
  updateRole,
} from '../core/role-admin.js'
import type { IdentityApi } from './identity-api.js'
import { collection, entityLink } from './links.js'
import { params, queryString } from './request-helpers.js'
import { inferenceRef, roleTarget, roleView } from './roles.view.js'

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The role object of a `{"role": {...}}` body; `{}` when absent, as Keystone reads it. */
function roleBody(body: unknown): Record<string, unknown> {
  const role = isObject(body) ? body.role : undefined
  if (role === undefined) return {}
  if (!isObject(role))
    throw badRequest(
      `Invalid input for field 'role': ${JSON.stringify(role)} is not of type 'object'`,
    )
  return role
}

export function rolesRoutes({ app, deps }: IdentityApi): void {
  /**
   * Enforces `<verb>_role` (or `<verb>_domain_role` for a domain-specific role) and returns the
   * role; an unknown id is a 404 only once the global rule allowed the caller.
   */
  async function authorizeRole(
    req: FastifyRequest,
    verb: 'get' | 'update' | 'delete',
  ): Promise<Role> {
    const id = params(req).role_id ?? ''
    const role = await findRole(deps.db, id)
    if (role && isDomainRole(role))
      app.enforce(
        `identity:${verb}_domain_role`,
        { role_id: id, target: { role: roleTarget(role) } },
        req.auth,
      )
    else
      app.enforce(
        `identity:${verb}_role`,
        { role_id: id, ...(role ? { target: { role: roleTarget(role) } } : {}) },
        req.auth,
      )
    if (!role) throw notFound('role', id)
    return role
  }

  /** Prior and implied roles of an implication route, looked up before policy (404 first). */
  async function inferenceTarget(req: FastifyRequest) {
    const p = params(req)
    const prior = await getRole(deps.db, p.prior_role_id ?? '')
    const implied =
      p.implied_role_id === undefined ? undefined : await getRole(deps.db, p.implied_role_id)
    return {
      ...p,
      target: {
        prior_role: roleTarget(prior),
        ...(implied ? { implied_role: roleTarget(implied) } : {}),
      },
    }
  }

  async function inferenceBody(req: FastifyRequest, priorId: string, impliedId: string) {
    await checkImpliedRole(deps.db, priorId, impliedId)
    const prior = await getRole(deps.db, priorId)
    const implied = await getRole(deps.db, impliedId)
    return {
      role_inference: { prior_role: inferenceRef(req, prior), implies: inferenceRef(req, implied) },
      links: entityLink(req, `roles/${priorId}/implies/${impliedId}`),
    }
  }

  app.route({
    method: 'GET',
    url: '/v3/roles',
    access: 'token',
    handler: async (req) => {
      // SAFETY: Fastify parses a query string into an object of strings (arrays when repeated).
      const query = req.query as Record<string, unknown>
      const domainId = queryString(req.raw, 'domain_id')
      const rule = domainId ? 'identity:list_domain_roles' : 'identity:list_roles'
      const filters = readFilters(query, ['name', 'domain_id'])
      app.enforce(rule, Object.fromEntries(filters.exact), req.auth)
      const rows = await listRoles(deps.db, {
        domainId: domainId || undefined,
        name: filters.exact.get('name'),
      })
      const roles = applyInexact(rows, filters.inexact, (r, a) =>
        a === 'name' ? r.name : undefined,
      )
      return collection(
        req.raw,
        'roles',
        roles.map((r) => roleView(req.raw, r)),
        deps.config.listLimit,
      )
    },
  })

  app.route({
    method: 'POST',
    url: '/v3/roles',
    access: 'token',
    handler: async (req, reply) => {
      const raw = isObject(req.body) ? req.body.role : undefined
      const domainRole = isObject(raw) && Boolean(raw.domain_id)
      app.enforce(domainRole ? 'identity:create_domain_role' : 'identity:create_role', {}, req.auth)
      const role = await createRole(deps, roleBody(req.body))
      void reply.code(201)
      return { role: roleView(req.raw, role) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/roles/:role_id',
    access: 'token',
    handler: async (req) => ({ role: roleView(req.raw, await authorizeRole(req.raw, 'get')) }),
  })

  app.route({
    method: 'PATCH',
    url: '/v3/roles/:role_id',
    access: 'token',
    handler: async (req) => {
      const current = await authorizeRole(req.raw, 'update')
      return { role: roleView(req.raw, await updateRole(deps, current, roleBody(req.body))) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/roles/:role_id',
    access: 'token',
    handler: async (req, reply) => {
      await deleteRole(deps, await authorizeRole(req.raw, 'delete'))
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/roles/:prior_role_id/implies',
    access: { rule: 'identity:list_implied_roles', target: inferenceTarget },
    handler: async (req) => {
      const priorId = params(req.raw).prior_role_id ?? ''
      const prior = await getRole(deps.db, priorId)
      const implied = await directlyImpliedRoles(deps.db, priorId)
      return {
        role_inference: {
          prior_role: inferenceRef(req.raw, prior),
          implies: implied.map((r) => inferenceRef(req.raw, r)),
        },
        links: entityLink(req.raw, `roles/${priorId}/implies`),
      }
    },
  })

  // Declared before the GET so Fastify does not derive a HEAD from it: Keystone answers 204 here.
  app.route({
    method: 'HEAD',
    url: '/v3/roles/:prior_role_id/implies/:implied_role_id',
    access: { rule: 'identity:check_implied_role', target: inferenceTarget },
    handler: async (req, reply) => {
      app.enforce('identity:get_implied_role', await inferenceTarget(req.raw), req.auth)
      const p = params(req.raw)
      await checkImpliedRole(deps.db, p.prior_role_id ?? '', p.implied_role_id ?? '')
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/roles/:prior_role_id/implies/:implied_role_id',
    access: { rule: 'identity:get_implied_role', target: inferenceTarget },
    handler: async (req) => {
      const p = params(req.raw)
      return inferenceBody(req.raw, p.prior_role_id ?? '', p.implied_role_id ?? '')
    },
  })

  app.route({
    method: 'PUT',
    url: '/v3/roles/:prior_role_id/implies/:implied_role_id',
    access: { rule: 'identity:create_implied_role', target: inferenceTarget },
    handler: async (req, reply) => {
      const p = params(req.raw)
      const prior = await getRole(deps.db, p.prior_role_id ?? '')
      const implied = await getRole(deps.db, p.implied_role_id ?? '')
      await createImpliedRole(deps, prior, implied)
      void reply.code(201)
      return inferenceBody(req.raw, prior.id, implied.id)
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/roles/:prior_role_id/implies/:implied_role_id',
    access: { rule: 'identity:delete_implied_role', target: inferenceTarget },
    handler: async (req, reply) => {
      const p = params(req.raw)
      await deleteImpliedRole(deps, p.prior_role_id ?? '', p.implied_role_id ?? '')
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/role_inferences',
    access: { rule: 'identity:list_role_inference_rules', target: () => ({}) },
    handler: async (req) => {
      const rules = await inferenceRules(deps.db)
      return {
        role_inferences: rules.map((rule) => ({
          prior_role: inferenceRef(req.raw, rule.prior),
          implies: rule.implies.map((r) => inferenceRef(req.raw, r)),
        })),
      }
    },
  })
}
