/**
 * @module /v3/OS-EP-FILTER: endpoint groups and the project associations (with endpoints and
 * with endpoint groups) that restrict a project's catalog. All admin only; existence checks run
 * after the policy, in Keystone's order.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { getEndpoint } from '../core/catalog-services.js'
import {
  type EndpointGroup,
  addEndpointToProject,
  addGroupToProject,
  createEndpointGroup,
  deleteEndpointGroup,
  endpointsInGroup,
  endpointsOfProject,
  getEndpointGroup,
  groupsOfProject,
  isEndpointInProject,
  isGroupInProject,
  projectIdsOfEndpoint,
  projectIdsOfGroup,
  removeEndpointFromProject,
  removeGroupFromProject,
  updateEndpointGroup,
} from '../core/endpoint-groups.js'
import { applyInexact, readFilters } from '../core/list-filters.js'
import { type Project, findProject, loadTags } from '../core/projects.js'
import { identityErrors, notFound } from '../errors.js'
import { endpointGroupView, endpointView } from './catalog.view.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import { projectView } from './projects.view.js'

const Name = Type.String({ minLength: 1, maxLength: 255, pattern: '\\S' })
const Filters = Type.Record(Type.String(), Type.Unknown())
const Description = Type.Union([Type.String(), Type.Null()])
const GroupCreate = Type.Object({
  endpoint_group: Type.Object({
    name: Name,
    filters: Filters,
    description: Type.Optional(Description),
  }),
})
const GroupUpdate = Type.Object({
  endpoint_group: Type.Object(
    {
      name: Type.Optional(Name),
      filters: Type.Optional(Filters),
      description: Type.Optional(Description),
    },
    { minProperties: 1 },
  ),
})
const GroupParams = Type.Object({ endpoint_group_id: Type.String() })
const GroupProjectParams = Type.Object({
  endpoint_group_id: Type.String(),
  project_id: Type.String(),
})
const ProjectParams = Type.Object({ project_id: Type.String() })
const ProjectEndpointParams = Type.Object({ project_id: Type.String(), endpoint_id: Type.String() })
const EndpointParams = Type.Object({ endpoint_id: Type.String() })

const PREFIX = '/v3/OS-EP-FILTER'

export function endpointGroupsRoutes({ app, deps }: IdentityApi): void {
  /** Keystone's resource_api.get_project: any project row, domains included. */
  async function getAnyProject(id: string): Promise<Project> {
    const project = await findProject(deps.db, id)
    if (!project) throw notFound('project', id)
    return project
  }

  async function projectsView(req: FastifyRequest, ids: readonly string[]) {
    const projects: Project[] = []
    for (const id of ids) {
      const p = await findProject(deps.db, id)
      if (p) projects.push(p)
    }
    const tags = await loadTags(
      deps.db,
      projects.map((p) => p.id),
    )
    return collection(
      req,
      'projects',
      projects.map((p) => projectView(req, p, tags.get(p.id) ?? [])),
    )
  }

  const groupsView = (req: FastifyRequest, groups: readonly EndpointGroup[]) =>
    collection(
      req,
      'endpoint_groups',
      groups.map((g) => endpointGroupView(req, g)),
    )

  // --- endpoint groups ---

  app.route({
    method: 'POST',
    url: `${PREFIX}/endpoint_groups`,
    access: { rule: 'identity:create_endpoint_group' },
    body: GroupCreate,
    handler: async (req, reply) => {
      const group = await createEndpointGroup(deps, req.body.endpoint_group)
      void reply.code(201)
      return { endpoint_group: endpointGroupView(req.raw, group) }
    },
  })

  app.route({
    method: 'GET',
    url: `${PREFIX}/endpoint_groups`,
    access: { rule: 'identity:list_endpoint_groups' },
    handler: async (req) => {
      // SAFETY: Fastify parses every query string into an object.
      const filters = readFilters(req.raw.query as Record<string, unknown>, ['name'])
      let q = deps.db.selectFrom('endpoint_group').selectAll()
      const name = filters.exact.get('name')
      if (name !== undefined) q = q.where('name', '=', name)
      const rows = applyInexact(await q.execute(), filters.inexact, (g) => g.name)
      return groupsView(req.raw, rows)
    },
  })

  app.route({
    method: 'GET',
    url: `${PREFIX}/endpoint_groups/:endpoint_group_id`,
    access: { rule: 'identity:get_endpoint_group' },
    params: GroupParams,
    handler: async (req) => ({
      endpoint_group: endpointGroupView(
        req.raw,
        await getEndpointGroup(deps.db, req.params.endpoint_group_id),
      ),
    }),
  })

  app.route({
    method: 'PATCH',
    url: `${PREFIX}/endpoint_groups/:endpoint_group_id`,
    access: { rule: 'identity:update_endpoint_group' },
    params: GroupParams,
    body: GroupUpdate,
    handler: async (req) => {
      const group = await updateEndpointGroup(
        deps,
        req.params.endpoint_group_id,
        req.body.endpoint_group,
      )
      return { endpoint_group: endpointGroupView(req.raw, group) }
    },
  })

  app.route({
    method: 'DELETE',
    url: `${PREFIX}/endpoint_groups/:endpoint_group_id`,
    access: { rule: 'identity:delete_endpoint_group' },
    params: GroupParams,
    handler: async (req, reply) => {
      await deleteEndpointGroup(deps, req.params.endpoint_group_id)
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: `${PREFIX}/endpoint_groups/:endpoint_group_id/endpoints`,
    access: { rule: 'identity:list_endpoints_associated_with_endpoint_group' },
    params: GroupParams,
    handler: async (req) => {
      const group = await getEndpointGroup(deps.db, req.params.endpoint_group_id)
      const endpoints = await endpointsInGroup(deps.db, group)
      return collection(
        req.raw,
        'endpoints',
        endpoints.map((e) => endpointView(req.raw, e)),
      )
    },
  })

  // Keystone does not check that the group exists here: an unknown one has no projects.
  app.route({
    method: 'GET',
    url: `${PREFIX}/endpoint_groups/:endpoint_group_id/projects`,
    access: { rule: 'identity:list_projects_associated_with_endpoint_group' },
    params: GroupParams,
    handler: async (req) =>
      projectsView(req.raw, await projectIdsOfGroup(deps.db, req.params.endpoint_group_id)),
  })

  // --- endpoint group <-> project ---

  app.route({
    method: 'GET',
    url: `${PREFIX}/endpoint_groups/:endpoint_group_id/projects/:project_id`,
    access: { rule: 'identity:get_endpoint_group_in_project' },
    params: GroupProjectParams,
    handler: async (req) => {
      const { endpoint_group_id: groupId, project_id: projectId } = req.params
      await getAnyProject(projectId)
      await getEndpointGroup(deps.db, groupId)
      if (!(await isGroupInProject(deps.db, groupId, projectId)))
        throw identityErrors.endpointGroupNotInProject({})
      return {
        project_endpoint_group: {
          endpoint_group_id: groupId,
          project_id: projectId,
          // Keystone's self link here is a bare path, without the base URL and /v3.
          links: { self: `/OS-EP-FILTER/endpoint_groups/${groupId}/projects/${projectId}` },
        },
      }
    },
  })

  app.route({
    method: 'PUT',
    url: `${PREFIX}/endpoint_groups/:endpoint_group_id/projects/:project_id`,
    access: { rule: 'identity:add_endpoint_group_to_project' },
    params: GroupProjectParams,
    handler: async (req, reply) => {
      const { endpoint_group_id: groupId, project_id: projectId } = req.params
      await getAnyProject(projectId)
      await getEndpointGroup(deps.db, groupId)
      await addGroupToProject(deps, groupId, projectId)
      void reply.code(204)
    },
  })

  app.route({
    method: 'DELETE',
    url: `${PREFIX}/endpoint_groups/:endpoint_group_id/projects/:project_id`,
    access: { rule: 'identity:remove_endpoint_group_from_project' },
    params: GroupProjectParams,
    handler: async (req, reply) => {
      const { endpoint_group_id: groupId, project_id: projectId } = req.params
      await getAnyProject(projectId)
      await getEndpointGroup(deps.db, groupId)
      await removeGroupFromProject(deps, groupId, projectId)
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: `${PREFIX}/projects/:project_id/endpoint_groups`,
    access: { rule: 'identity:list_endpoint_groups_for_project' },
    params: ProjectParams,
    handler: async (req) => {
      await getAnyProject(req.params.project_id)
      return groupsView(req.raw, await groupsOfProject(deps.db, req.params.project_id))
    },
  })

  // --- endpoint <-> project ---

  app.route({
    method: 'GET',
    url: `${PREFIX}/projects/:project_id/endpoints/:endpoint_id`,
    access: { rule: 'identity:check_endpoint_in_project' },
    params: ProjectEndpointParams,
    handler: async (req, reply) => {
      const { project_id: projectId, endpoint_id: endpointId } = req.params
      await getEndpoint(deps.db, endpointId)
      await getAnyProject(projectId)
      if (!(await isEndpointInProject(deps.db, endpointId, projectId)))
        throw identityErrors.endpointNotInProject({ endpointId, projectId })
      void reply.code(204)
    },
  })

  app.route({
    method: 'PUT',
    url: `${PREFIX}/projects/:project_id/endpoints/:endpoint_id`,
    access: { rule: 'identity:add_endpoint_to_project' },
    params: ProjectEndpointParams,
    handler: async (req, reply) => {
      const { project_id: projectId, endpoint_id: endpointId } = req.params
      await getEndpoint(deps.db, endpointId)
      await getAnyProject(projectId)
      await addEndpointToProject(deps, endpointId, projectId)
      void reply.code(204)
    },
  })

  app.route({
    method: 'DELETE',
    url: `${PREFIX}/projects/:project_id/endpoints/:endpoint_id`,
    access: { rule: 'identity:remove_endpoint_from_project' },
    params: ProjectEndpointParams,
    handler: async (req, reply) => {
      await removeEndpointFromProject(deps, req.params.endpoint_id, req.params.project_id)
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: `${PREFIX}/projects/:project_id/endpoints`,
    access: { rule: 'identity:list_endpoints_for_project' },
    params: ProjectParams,
    handler: async (req) => {
      await getAnyProject(req.params.project_id)
      const endpoints = await endpointsOfProject(deps.db, req.params.project_id)
      return collection(
        req.raw,
        'endpoints',
        endpoints.map((e) => endpointView(req.raw, e)),
      )
    },
  })

  app.route({
    method: 'GET',
    url: `${PREFIX}/endpoints/:endpoint_id/projects`,
    access: { rule: 'identity:list_projects_for_endpoint' },
    params: EndpointParams,
    handler: async (req) => {
      await getEndpoint(deps.db, req.params.endpoint_id)
      return projectsView(req.raw, await projectIdsOfEndpoint(deps.db, req.params.endpoint_id))
    },
  })
}
