/**
 * @module /os-server-groups: list (own project; all projects for admins asking), create, show,
 * delete. Up to 2.63 a group shows `policies` (a one-item list) and an empty `metadata`; from
 * 2.64 `policy` and `rules`; 2.13 adds project_id and user_id. Create, show and list items are
 * the same dict, as Tempest checks.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  type GroupPolicy,
  type ServerGroup,
  createServerGroup,
  deleteServerGroup,
  getServerGroup,
  listServerGroups,
} from '../core/server-groups.js'
import { computeErrors } from '../errors.js'
import {
  type ComputeApi,
  callerOf,
  enforce,
  mv,
  param,
  queryValue,
  validateBody,
  validateQuery,
} from './compute-api.js'
import { checkName } from './name-checks.js'
import { hasQuery, multi } from './paging.js'
import { nonNegativeInteger, positiveInteger, toInt } from './parameter-types.js'

const NAME = Type.String({ minLength: 1, maxLength: 255 })

function createV21(policies: string[]) {
  return Type.Object(
    {
      server_group: Type.Object(
        {
          name: NAME,
          policies: Type.Array(Type.String({ enum: policies }), {
            minItems: 1,
            maxItems: 1,
            uniqueItems: true,
          }),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  )
}
const CREATE = createV21(['anti-affinity', 'affinity'])
const CREATE_215 = createV21(['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity'])
const CREATE_264 = Type.Object(
  {
    server_group: Type.Object(
      {
        name: NAME,
        policy: Type.String({
          enum: ['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity'],
        }),
        rules: Type.Optional(
          Type.Object(
            { max_server_per_host: Type.Optional(positiveInteger) },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

const LIST_QUERY = {
  all_projects: multi(Type.String()),
  limit: multi(nonNegativeInteger),
  offset: multi(nonNegativeInteger),
}

/** The group as Nova shows it at the request's microversion. */
function groupView(req: FastifyRequest, g: ServerGroup): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    ...(mv(req, '2.64')
      ? { policy: g.policy, rules: g.rules }
      : { policies: [g.policy], metadata: {} }),
    members: g.members,
    ...(mv(req, '2.13') ? { project_id: g.projectId, user_id: g.userId } : {}),
  }
}

export function serverGroupsRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const rule = (action: string) => `os_compute_api:os-server-groups:${action}`

  app.route({
    method: 'GET',
    url: '/v2.1/os-server-groups',
    access: 'token',
    handler: async (req) => {
      validateQuery(Type.Object(LIST_QUERY, { additionalProperties: !mv(req.raw, '2.75') }), {
        ...(req.query as object),
      })
      const caller = callerOf(req.raw)
      enforce(api, req.raw, rule('index'), { project_id: caller.projectId })
      // Non-admins asking for all projects silently get their own (Nova's legacy behaviour).
      const all = hasQuery(req.raw, 'all_projects') && caller.isAdmin
      if (all) enforce(api, req.raw, rule('index:all_projects'), { project_id: caller.projectId })
      const max = deps.config.osapiMaxLimit
      const limitRaw = queryValue(req.raw, 'limit')
      const limit = Math.min(max, limitRaw === undefined ? max : toInt(limitRaw) || max)
      const offsetRaw = queryValue(req.raw, 'offset')
      const groups = await listServerGroups(deps, {
        ...(all ? {} : { projectId: caller.projectId }),
        offset: offsetRaw === undefined ? 0 : toInt(offsetRaw),
        limit,
      })
      return { server_groups: groups.map((g) => groupView(req.raw, g)) }
    },
  })

  app.route({
    method: 'POST',
    url: '/v2.1/os-server-groups',
    access: 'token',
    handler: async (req) => {
      const caller = callerOf(req.raw)
      let group: { name: string; policy: GroupPolicy; rules: { max_server_per_host?: number } }
      if (mv(req.raw, '2.64')) {
        const sg = validateBody(CREATE_264, req.body).server_group
        checkName(sg.name)
        const max = sg.rules?.max_server_per_host
        group = {
          name: sg.name,
          // SAFETY: the schema allowed only the four policies.
          policy: sg.policy as GroupPolicy,
          rules: max === undefined ? {} : { max_server_per_host: toInt(max) },
        }
      } else {
        const sg = validateBody(mv(req.raw, '2.15') ? CREATE_215 : CREATE, req.body).server_group
        checkName(sg.name)
        // SAFETY: the schema allowed exactly one of the policies.
        group = { name: sg.name, policy: sg.policies[0] as GroupPolicy, rules: {} }
      }
      enforce(api, req.raw, rule('create'), { project_id: caller.projectId })
      if (group.policy !== 'anti-affinity' && Object.keys(group.rules).length > 0)
        throw computeErrors.badRequest('Only anti-affinity policy supports rules.')
      const created = await createServerGroup(deps, caller, group)
      return { server_group: groupView(req.raw, created) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.1/os-server-groups/:id',
    access: 'token',
    handler: async (req) => {
      const group = await getServerGroup(deps, param(req.raw, 'id'))
      enforce(api, req.raw, rule('show'), { project_id: group.projectId })
      return { server_group: groupView(req.raw, group) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v2.1/os-server-groups/:id',
    access: 'token',
    handler: async (req, reply) => {
      const group = await getServerGroup(deps, param(req.raw, 'id'))
      enforce(api, req.raw, rule('delete'), { project_id: group.projectId })
      await deleteServerGroup(deps, group.id)
      void reply.code(204)
      return undefined
    },
  })
}
