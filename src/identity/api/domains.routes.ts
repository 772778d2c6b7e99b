/** @module /v3/domains: domains are projects acting as domains. */
import type { FastifyRequest } from 'fastify'
import { toFlag } from '../../lib/db/values.js'
import {
  type Project,
  createDomain,
  deleteDomain,
  findProject,
  getDomain,
  loadTags,
  splitExtra,
  updateProject,
} from '../core/projects.js'
import { applyInexact, queryBool, readFilters } from '../core/list-filters.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import { domainView } from './projects.view.js'
import {
  envelope,
  optionalBool,
  optionalText,
  params,
  requireSomething,
} from './request-helpers.js'

export function domainsRoutes({ app, deps }: IdentityApi): void {
  const render = async (req: FastifyRequest, d: Project) =>
    domainView(req, d, (await loadTags(deps.db, [d.id])).get(d.id) ?? [])

  /** Target for rules on one domain; an unknown id still gets a target so the policy decides first. */
  const domainTarget = (req: FastifyRequest) => ({
    target: { domain: { id: params(req).domain_id } },
  })

  app.route({
    method: 'POST',
    url: '/v3/domains',
    access: { rule: 'identity:create_domain' },
    handler: async (req, reply) => {
      const body = envelope(req.body, 'domain')
      const d = await createDomain(deps, {
        name: body.name as string,
        description: optionalText(body.description, 'description'),
        enabled: optionalBool(body.enabled, 'enabled'),
        tags: body.tags as string[] | undefined,
        options: body.options as Record<string, unknown> | undefined,
        explicit_domain_id: body.explicit_domain_id as string | undefined,
        extra: splitExtra(body, [
          'explicit_domain_id',
          'id',
          'name',
          'description',
          'enabled',
          'tags',
          'options',
          'links',
          'domain_id',
          'parent_id',
          'is_domain',
        ]),
      })
      void reply.code(201)
      return { domain: await render(req.raw, d) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/domains',
    access: { rule: 'identity:list_domains' },
    handler: async (req) => {
      const query = req.query as Record<string, unknown>
      const filters = readFilters(query, ['name', 'enabled'])
      let q = deps.db.selectFrom('project').selectAll().where('is_domain', '=', 1)
      const name = filters.exact.get('name')
      if (name !== undefined) q = q.where('name', '=', name)
      const enabled = filters.exact.get('enabled')
      if (enabled !== undefined) q = q.where('enabled', '=', toFlag(queryBool(enabled)))
      const rows = applyInexact(
        await q.orderBy('name').execute(),
        filters.inexact,
        (r, a) => r[a as keyof Project],
      )
      const tags = await loadTags(
        deps.db,
        rows.map((r) => r.id),
      )
      return collection(
        req.raw,
        'domains',
        rows.map((d) => domainView(req.raw, d, tags.get(d.id) ?? [])),
        deps.config.listLimit,
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/domains/:domain_id',
    access: { rule: 'identity:get_domain', target: domainTarget },
    handler: async (req) => ({
      domain: await render(req.raw, await getDomain(deps.db, params(req.raw).domain_id ?? '')),
    }),
  })

  app.route({
    method: 'PATCH',
    url: '/v3/domains/:domain_id',
    access: {
      rule: 'identity:update_domain',
      // Keystone looks the domain up first: an unknown id is a 404 even for non-admins.
      target: async (req) => ({
        target: { domain: await getDomain(deps.db, params(req).domain_id ?? '') },
      }),
    },
    handler: async (req) => {
      const body = envelope(req.body, 'domain')
      requireSomething(body, 'domain')
      const current = await getDomain(deps.db, params(req.raw).domain_id ?? '')
      const updated = await updateProject(deps, current, {
        name: body.name as string | undefined,
        description: optionalText(body.description, 'description'),
        enabled: optionalBool(body.enabled, 'enabled'),
        tags: body.tags as string[] | undefined,
        options: body.options as Record<string, unknown> | undefined,
        extra: splitExtra(body, [
          'id',
          'name',
          'description',
          'enabled',
          'tags',
          'options',
          'links',
          'domain_id',
          'parent_id',
          'is_domain',
        ]),
      })
      return { domain: await render(req.raw, updated) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/domains/:domain_id',
    access: {
      rule: 'identity:delete_domain',
      target: async (req) => ({
        target: { domain: await getDomain(deps.db, params(req).domain_id ?? '') },
      }),
    },
    handler: async (req, reply) => {
      const domain = await findProject(deps.db, params(req.raw).domain_id ?? '')
      if (domain) await deleteDomain(deps, domain)
      void reply.code(204)
    },
  })
}
