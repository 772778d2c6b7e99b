/** @module /v3/groups: groups and their members. */
import type { FastifyRequest } from 'fastify'
import { toFlag } from '../../lib/db/values.js'
import { identityErrors } from '../errors.js'
import {
  type Group,
  GROUP_COLUMNS,
  addMember,
  createGroup,
  deleteGroupRows,
  findGroup,
  getGroup,
  isMember,
  removeMember,
  updateGroup,
} from '../core/groups.js'
import { applyInexact, queryBool, readFilters } from '../core/list-filters.js'
import { splitExtra } from '../core/projects.js'
import { type User, findUser, getUser } from '../core/users.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import {
  defaultDomainFor,
  envelope,
  optionalText,
  params,
  requireSomething,
} from './request-helpers.js'
import { groupView, userView } from './users.view.js'

export function groupsRoutes({ app, deps }: IdentityApi): void {
  const groupTarget = async (req: FastifyRequest) => {
    const id = params(req).group_id ?? ''
    return { group_id: id, target: { group: (await findGroup(deps.db, id)) ?? { id } } }
  }
  /** Member routes look both up first: unknown group or user is a 404 for everyone. */
  const memberTarget = async (req: FastifyRequest) => {
    const group = await getGroup(deps.db, params(req).group_id ?? '')
    const user = await getUser(deps.db, params(req).user_id ?? '')
    return { group_id: group.id, user_id: user.id, target: { group, user } }
  }

  app.route({
    method: 'POST',
    url: '/v3/groups',
    access: { rule: 'identity:create_group' },
    handler: async (req, reply) => {
      const body = envelope(req.body, 'group')
      const g = await createGroup(deps, {
        name: body.name,
        domain_id: optionalText(body.domain_id, 'domain_id') ?? defaultDomainFor(req.auth),
        description: optionalText(body.description, 'description'),
        extra: splitExtra(body, GROUP_COLUMNS),
      })
      void reply.code(201)
      return { group: groupView(req.raw, g) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/groups',
    access: {
      rule: 'identity:list_groups',
      target: (req) => ({
        target: { group: { domain_id: (req.query as Record<string, unknown>).domain_id } },
      }),
    },
    handler: async (req) => {
      const filters = readFilters(req.query as Record<string, unknown>, ['name', 'domain_id'])
      let q = deps.db.selectFrom('user_group').selectAll()
      for (const col of ['name', 'domain_id'] as const) {
        const v = filters.exact.get(col)
        if (v !== undefined) q = q.where(col, '=', v)
      }
      const rows = applyInexact(
        await q.orderBy('name').execute(),
        filters.inexact,
        (r, a) => r[a as keyof Group],
      )
      return collection(
        req.raw,
        'groups',
        rows.map((g) => groupView(req.raw, g)),
        deps.config.listLimit,
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/groups/:group_id',
    access: { rule: 'identity:get_group', target: groupTarget },
    handler: async (req) => ({
      group: groupView(req.raw, await getGroup(deps.db, params(req.raw).group_id ?? '')),
    }),
  })

  app.route({
    method: 'PATCH',
    url: '/v3/groups/:group_id',
    access: { rule: 'identity:update_group', target: groupTarget },
    handler: async (req) => {
      const body = envelope(req.body, 'group')
      requireSomething(body, 'group')
      const current = await getGroup(deps.db, params(req.raw).group_id ?? '')
      const updated = await updateGroup(deps, current, {
        id: body.id,
        name: body.name,
        domain_id: body.domain_id,
        description: optionalText(body.description, 'description'),
        extra: splitExtra(body, GROUP_COLUMNS),
      })
      return { group: groupView(req.raw, updated) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/groups/:group_id',
    access: {
      rule: 'identity:delete_group',
      target: async (req) => ({
        target: { group: await getGroup(deps.db, params(req).group_id ?? '') },
      }),
    },
    handler: async (req, reply) => {
      await deleteGroupRows(deps, params(req.raw).group_id ?? '')
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/groups/:group_id/users',
    access: { rule: 'identity:list_users_in_group', target: groupTarget },
    handler: async (req) => {
      const group = await getGroup(deps.db, params(req.raw).group_id ?? '')
      const filters = readFilters(req.query as Record<string, unknown>, [
        'name',
        'enabled',
        'domain_id',
      ])
      let q = deps.db
        .selectFrom('user')
        .innerJoin('group_membership', 'group_membership.user_id', 'user.id')
        .selectAll('user')
        .where('group_membership.group_id', '=', group.id)
      const name = filters.exact.get('name')
      if (name !== undefined) q = q.where('user.name', '=', name)
      const domainId = filters.exact.get('domain_id')
      if (domainId !== undefined) q = q.where('user.domain_id', '=', domainId)
      const enabled = filters.exact.get('enabled')
      if (enabled !== undefined) q = q.where('user.enabled', '=', toFlag(queryBool(enabled)))
      const users = applyInexact(
        await q.orderBy('user.name').execute(),
        filters.inexact,
        (r, a) => r[a as keyof User],
      )
      return collection(
        req.raw,
        'users',
        users.map((u) => userView(req.raw, u)),
      )
    },
  })

  app.route({
    method: 'PUT',
    url: '/v3/groups/:group_id/users/:user_id',
    access: { rule: 'identity:add_user_to_group', target: memberTarget },
    handler: async (req, reply) => {
      await addMember(deps, params(req.raw).group_id ?? '', params(req.raw).user_id ?? '')
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/groups/:group_id/users/:user_id',
    access: { rule: 'identity:check_user_in_group', target: memberTarget },
    handler: async (req, reply) => {
      const { group_id: groupId = '', user_id: userId = '' } = params(req.raw)
      if (!(await isMember(deps.db, groupId, userId)))
        throw identityErrors.notFound({ kind: 'user', id: `${userId} in group ${groupId}` })
      void reply.code(204)
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/groups/:group_id/users/:user_id',
    access: {
      rule: 'identity:remove_user_from_group',
      target: async (req) => {
        const group = await getGroup(deps.db, params(req).group_id ?? '')
        const user = await findUser(deps.db, params(req).user_id ?? '')
        return {
          group_id: group.id,
          user_id: params(req).user_id,
          target: { group, user: user ?? {} },
        }
      },
    },
    handler: async (req, reply) => {
      await removeMember(deps, params(req.raw).group_id ?? '', params(req.raw).user_id ?? '')
      void reply.code(204)
    },
  })
}
