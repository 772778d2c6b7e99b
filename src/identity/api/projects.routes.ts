/** @module /v3/projects: projects, their hierarchy views and tags. */
import type { FastifyRequest } from 'fastify'
import { toFlag } from '../../lib/db/values.js'
import { badRequest, notFound } from '../errors.js'
import { applyInexact, queryBool, queryFlag, readFilters } from '../core/list-filters.js'
import {
  type Project,
  ancestorsOf,
  createProject,
  deleteDomain,
  deleteProject,
  findProject,
  getProject,
  loadTags,
  splitExtra,
  updateProject,
} from '../core/projects.js'
import { descendantProjectIds, projectIdsOfUser } from '../core/user-projects.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import { projectView } from './projects.view.js'
import {
  defaultDomainFor,
  envelope,
  optionalBool,
  optionalText,
  params,
  requireSomething,
} from './request-helpers.js'
import { projectTagRoutes } from './project-tags.routes.js'

const CREATE_COLUMNS = [
  'id',
  'name',
  'domain_id',
  'parent_id',
  'description',
  'enabled',
  'is_domain',
  'tags',
  'options',
  'links',
]

/** Keystone's `parents_as_ids`: nested {parent: {grandparent: ... {domain: null}}}. */
function nestIds(ids: string[]): Record<string, unknown> | null {
  let nested: Record<string, unknown> | null = null
  for (const id of [...ids].reverse()) nested = { [id]: nested }
  return nested
}

export function projectsRoutes(api: IdentityApi): void {
  const { app, deps } = api
  const render = async (req: FastifyRequest, p: Project) =>
    projectView(req, p, (await loadTags(deps.db, [p.id])).get(p.id) ?? [])

  /** Target with the project when it exists; the policy decides before a 404. */
  const projectTarget = async (req: FastifyRequest) => {
    const p = await findProject(deps.db, params(req).project_id ?? '')
    return { target: { project: p ?? { id: params(req).project_id } } }
  }

  app.route({
    method: 'POST',
    url: '/v3/projects',
    access: { rule: 'identity:create_project' },
    handler: async (req, reply) => {
      const body = envelope(req.body, 'project')
      const isDomain = optionalBool(body.is_domain, 'is_domain')
      let p: Project
      try {
        p = await createProject(
          deps,
          {
            name: body.name as string,
            description: optionalText(body.description, 'description'),
            domain_id: optionalText(body.domain_id, 'domain_id'),
            parent_id: optionalText(body.parent_id, 'parent_id'),
            enabled: optionalBool(body.enabled, 'enabled'),
            is_domain: isDomain,
            tags: body.tags as string[] | undefined,
            options: body.options as Record<string, unknown> | undefined,
            extra: splitExtra(body, CREATE_COLUMNS),
          },
          defaultDomainFor(req.auth),
        )
      } catch (err) {
        // Keystone reports a missing domain or parent as bad input here, not as a missing resource.
        if (err instanceof Error && 'status' in err && err.status === 404)
          throw badRequest(err.message)
        throw err
      }
      void reply.code(201)
      return { project: await render(req.raw, p) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/projects',
    access: {
      rule: 'identity:list_projects',
      target: (req) => ({
        target: { domain_id: (req.query as Record<string, unknown>).domain_id },
      }),
    },
    handler: async (req) => {
      const query = req.query as Record<string, unknown>
      const filters = readFilters(query, ['name', 'enabled', 'domain_id', 'parent_id', 'is_domain'])
      let q = deps.db.selectFrom('project').selectAll()
      const isDomain = filters.exact.get('is_domain')
      q = q.where('is_domain', '=', toFlag(isDomain === undefined ? false : queryBool(isDomain)))
      for (const col of ['name', 'domain_id', 'parent_id'] as const) {
        const v = filters.exact.get(col)
        if (v !== undefined) q = q.where(col, '=', v)
      }
      const enabled = filters.exact.get('enabled')
      if (enabled !== undefined) q = q.where('enabled', '=', toFlag(queryBool(enabled)))
      let rows = applyInexact(
        await q.orderBy('name').execute(),
        filters.inexact,
        (r, a) => r[a as keyof Project],
      )
      const tags = await loadTags(
        deps.db,
        rows.map((r) => r.id),
      )
      rows = filterByTags(rows, tags, query)
      return collection(
        req.raw,
        'projects',
        rows.map((p) => projectView(req.raw, p, tags.get(p.id) ?? [])),
        deps.config.listLimit,
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/projects/:project_id',
    access: { rule: 'identity:get_project', target: projectTarget },
    handler: async (req) => {
      const query = req.query as Record<string, unknown>
      const p = await findProject(deps.db, params(req.raw).project_id ?? '')
      if (!p) throw notFound('project', params(req.raw).project_id ?? '')
      const view = await render(req.raw, p)
      const parentsIds = queryFlag(query, 'parents_as_ids')
      const parentsList = queryFlag(query, 'parents_as_list')
      const subtreeIds = queryFlag(query, 'subtree_as_ids')
      const subtreeList = queryFlag(query, 'subtree_as_list')
      if (parentsIds && parentsList)
        throw badRequest(
          'Cannot use parents_as_list and parents_as_ids query params at the same time.',
        )
      if (subtreeIds && subtreeList)
        throw badRequest(
          'Cannot use subtree_as_list and subtree_as_ids query params at the same time.',
        )
      const mine =
        parentsList || subtreeList
          ? new Set(await projectIdsOfUser(deps.db, req.auth.userId))
          : new Set<string>()
      if (parentsIds || parentsList) {
        const ancestors = p.is_domain === 1 ? [] : await ancestorsOf(deps.db, p)
        if (parentsIds)
          view.parents =
            p.is_domain === 1 ? null : nestIds([...ancestors.map((a) => a.id), p.domain_id])
        else
          view.parents = await Promise.all(
            ancestors
              .filter((a) => mine.has(a.id))
              .map(async (a) => ({ project: await render(req.raw, a) })),
          )
      }
      if (subtreeIds || subtreeList) {
        if (subtreeIds) view.subtree = await subtreeAsIds(p.id)
        else {
          const ids = (await descendantProjectIds(deps.db, [p.id])).filter((id) => mine.has(id))
          const rows =
            ids.length === 0
              ? []
              : await deps.db.selectFrom('project').selectAll().where('id', 'in', ids).execute()
          view.subtree = await Promise.all(
            rows.map(async (r) => ({ project: await render(req.raw, r) })),
          )
        }
      }
      return { project: view }
    },
  })

  async function subtreeAsIds(id: string): Promise<Record<string, unknown> | null> {
    const children = await deps.db
      .selectFrom('project')
      .select('id')
      .where('parent_id', '=', id)
      .where('is_domain', '=', 0)
      .execute()
    if (children.length === 0) return null
    const out: Record<string, unknown> = {}
    for (const c of children) out[c.id] = await subtreeAsIds(c.id)
    return out
  }

  app.route({
    method: 'PATCH',
    url: '/v3/projects/:project_id',
    access: { rule: 'identity:update_project', target: projectTarget },
    handler: async (req) => {
      const body = envelope(req.body, 'project')
      requireSomething(body, 'project')
      const current = await findProject(deps.db, params(req.raw).project_id ?? '')
      if (!current) throw notFound('project', params(req.raw).project_id ?? '')
      if (body.id !== undefined && body.id !== current.id) throw badRequest('Cannot change ID')
      const updated = await updateProject(deps, current, {
        name: body.name as string | undefined,
        description: optionalText(body.description, 'description'),
        enabled: optionalBool(body.enabled, 'enabled'),
        tags: body.tags as string[] | undefined,
        options: body.options as Record<string, unknown> | undefined,
        domain_id: body.domain_id,
        parent_id: body.parent_id,
        is_domain: body.is_domain,
        extra: splitExtra(body, CREATE_COLUMNS),
      })
      return { project: await render(req.raw, updated) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/projects/:project_id',
    access: { rule: 'identity:delete_project', target: projectTarget },
    handler: async (req, reply) => {
      const p = await findProject(deps.db, params(req.raw).project_id ?? '')
      if (!p) throw notFound('project', params(req.raw).project_id ?? '')
      if (p.is_domain === 1) await deleteDomain(deps, p)
      else await deleteProject(deps, await getProject(deps.db, p.id), { cascade: false })
      void reply.code(204)
    },
  })

  projectTagRoutes(api)
}

/** ?tags=a,b (all), ?tags-any=a,b, ?not-tags=a,b (not all), ?not-tags-any=a,b (none). */
function filterByTags(
  rows: Project[],
  tags: Map<string, string[]>,
  query: Record<string, unknown>,
): Project[] {
  const list = (key: string) =>
    typeof query[key] === 'string' ? query[key].split(',').filter((t) => t !== '') : undefined
  const all = list('tags')
  const any = list('tags-any')
  const notAll = list('not-tags')
  const notAny = list('not-tags-any')
  return rows.filter((r) => {
    const mine = new Set(tags.get(r.id) ?? [])
    if (all && !all.every((t) => mine.has(t))) return false
    if (any && !any.some((t) => mine.has(t))) return false
    if (notAll && notAll.every((t) => mine.has(t))) return false
    if (notAny && notAny.some((t) => mine.has(t))) return false
    return true
  })
}
