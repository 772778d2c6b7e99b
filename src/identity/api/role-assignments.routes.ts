/**
 * @module GET /v3/role_assignments: filters user.id, group.id, role.id, scope.project.id,
 * scope.domain.id, scope.system, scope.OS-INHERIT:inherited_to; flags effective,
 * include_names, include_subtree (a flag is on when present and not "0"). A domain-scoped
 * caller sees only assignments on its domain and the domain's projects.
 */
import type { FastifyRequest } from 'fastify'
import { badRequest } from '../errors.js'
import { queryFlag } from '../core/list-filters.js'
import { requireProject } from '../core/grants.js'
import {
  type AssignmentQuery,
  type AssignmentRef,
  listRoleAssignments,
} from '../core/role-assignments.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import { assignmentView, loadNames } from './role-assignments.view.js'

/** The first value of a query key (Flask's args.get); '' counts as absent for filters. */
function arg(query: Record<string, unknown>, key: string): string | undefined {
  const v = query[key]
  const first: unknown = Array.isArray(v) ? v[0] : v
  return typeof first === 'string' && first !== '' ? first : undefined
}

/** Keystone's refusals of filter combinations that cannot make sense. */
function assertCombinable(q: AssignmentQuery): void {
  if (q.domainId && q.projectId) throw badRequest('Specify a domain or project, not both')
  if (q.domainId && q.system) throw badRequest('Specify system or domain, not both')
  if (q.projectId && q.system) throw badRequest('Specify system or project, not both')
  if (q.userId && q.groupId) throw badRequest('Specify a user or group, not both')
  if (q.effective && q.groupId)
    throw badRequest('Combining effective and group filter will always result in an empty list.')
  if (q.effective && q.inherited === true && q.domainId)
    throw badRequest(
      'Combining effective, domain and inherited filters will always result in an empty list.',
    )
}

export function roleAssignmentsRoutes({ app, deps }: IdentityApi): void {
  async function inCallerDomain(domainId: string, refs: AssignmentRef[]): Promise<AssignmentRef[]> {
    const projectIds = [...new Set(refs.flatMap((r) => r.projectId ?? []))]
    const rows = projectIds.length
      ? await deps.db
          .selectFrom('project')
          .select(['id', 'domain_id'])
          .where('id', 'in', projectIds)
          .execute()
      : []
    const domainOf = new Map(rows.map((p) => [p.id, p.domain_id]))
    return refs.filter((r) =>
      r.domainId !== undefined
        ? r.domainId === domainId
        : r.projectId !== undefined && domainOf.get(r.projectId) === domainId,
    )
  }

  /** Policy: the tree form is checked against the project (404 first), the plain one against the caller's domain. */
  async function authorize(
    req: FastifyRequest,
    query: Record<string, unknown>,
    tree: boolean,
  ): Promise<void> {
    if (tree) {
      const projectId = arg(query, 'scope.project.id')
      const project = projectId === undefined ? undefined : await requireProject(deps.db, projectId)
      app.enforce(
        'identity:list_role_assignments_for_tree',
        project ? { target: { project } } : {},
        req.auth,
      )
      if (projectId === undefined)
        throw badRequest('scope.project.id must be specified if include_subtree is also specified')
      return
    }
    const domainId = req.auth?.domainId
    app.enforce(
      'identity:list_role_assignments',
      domainId === undefined ? {} : { target: { domain_id: domainId } },
      req.auth,
    )
  }

  app.route({
    method: 'GET',
    url: '/v3/role_assignments',
    access: 'token',
    handler: async (req) => {
      // SAFETY: Fastify parses a query string into an object of strings (arrays when repeated).
      const query = req.query as Record<string, unknown>
      const tree = queryFlag(query, 'include_subtree')
      await authorize(req.raw, query, tree)
      const inheritedTo = query['scope.OS-INHERIT:inherited_to']
      const q: AssignmentQuery = {
        userId: arg(query, 'user.id'),
        groupId: arg(query, 'group.id'),
        roleId: arg(query, 'role.id'),
        projectId: arg(query, 'scope.project.id'),
        domainId: arg(query, 'scope.domain.id'),
        system: arg(query, 'scope.system') !== undefined,
        includeSubtree: tree,
        inherited: inheritedTo === undefined ? undefined : inheritedTo === 'projects',
        effective: queryFlag(query, 'effective'),
      }
      assertCombinable(q)
      // Only scope.system=all selects system grants alone; another value is no filter at all.
      let refs = await listRoleAssignments(deps.db, {
        ...q,
        system: arg(query, 'scope.system') === 'all',
      })
      if (req.auth.domainId !== undefined) refs = await inCallerDomain(req.auth.domainId, refs)
      const names = queryFlag(query, 'include_names') ? await loadNames(deps.db, refs) : undefined
      return collection(
        req.raw,
        'role_assignments',
        refs.map((r) => assignmentView(req.raw, r, names)),
      )
    },
  })
}
