/** @module /v3/users: users, self-service password change, a user's groups and projects. */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { toFlag } from '../../lib/db/values.js'
import { notFound } from '../errors.js'
import { applyInexact, queryBool, readFilters } from '../core/list-filters.js'
import { loadTags, splitExtra } from '../core/projects.js'
import { projectIdsOfUser } from '../core/user-projects.js'
import {
  type User,
  USER_COLUMNS,
  changePassword,
  createUser,
  deleteUserRows,
  findUser,
  getUser,
  updateUser,
} from '../core/users.js'
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
import { groupView, userView } from './users.view.js'

const PasswordChange = Type.Object({
  user: Type.Object(
    { original_password: Type.String(), password: Type.String() },
    { additionalProperties: false },
  ),
})

export function usersRoutes({ app, deps }: IdentityApi): void {
  /** Target of the user rules: the user when it exists (so policy decides before any 404). */
  const userTarget = async (req: FastifyRequest) => {
    const id = params(req).user_id ?? ''
    const u = await findUser(deps.db, id)
    return { user_id: id, target: { user: u ?? { id } } }
  }

  app.route({
    method: 'POST',
    url: '/v3/users',
    access: { rule: 'identity:create_user' },
    handler: async (req, reply) => {
      const body = envelope(req.body, 'user')
      const u = await createUser(deps, {
        name: body.name,
        domain_id: optionalText(body.domain_id, 'domain_id') ?? defaultDomainFor(req.auth),
        enabled: optionalBool(body.enabled, 'enabled'),
        default_project_id: optionalText(body.default_project_id, 'default_project_id'),
        password: body.password,
        options: body.options,
        extra: splitExtra(body, USER_COLUMNS),
      })
      void reply.code(201)
      return { user: userView(req.raw, u) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/users',
    access: {
      rule: 'identity:list_users',
      target: (req) => ({
        target: { domain_id: (req.query as Record<string, unknown>).domain_id },
      }),
    },
    handler: async (req) => {
      const query = req.query as Record<string, unknown>
      const filters = readFilters(query, ['name', 'enabled', 'domain_id'])
      let q = deps.db.selectFrom('user').selectAll()
      for (const col of ['name', 'domain_id'] as const) {
        const v = filters.exact.get(col)
        if (v !== undefined) q = q.where(col, '=', v)
      }
      const enabled = filters.exact.get('enabled')
      if (enabled !== undefined) q = q.where('enabled', '=', toFlag(queryBool(enabled)))
      const rows = applyInexact(
        await q.orderBy('name').execute(),
        filters.inexact,
        (r, a) => r[a as keyof User],
      )
      return collection(
        req.raw,
        'users',
        rows.map((u) => userView(req.raw, u)),
        deps.config.listLimit,
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/users/:user_id',
    access: { rule: 'identity:get_user', target: userTarget },
    handler: async (req) => ({
      user: userView(req.raw, await getUser(deps.db, params(req.raw).user_id ?? '')),
    }),
  })

  app.route({
    method: 'PATCH',
    url: '/v3/users/:user_id',
    access: { rule: 'identity:update_user', target: userTarget },
    handler: async (req) => {
      const body = envelope(req.body, 'user')
      requireSomething(body, 'user')
      const current = await getUser(deps.db, params(req.raw).user_id ?? '')
      const updated = await updateUser(deps, current, {
        id: body.id,
        name: body.name,
        domain_id: body.domain_id,
        enabled: optionalBool(body.enabled, 'enabled'),
        default_project_id: optionalText(body.default_project_id, 'default_project_id'),
        password: body.password,
        options: body.options,
        extra: splitExtra(body, USER_COLUMNS),
      })
      return { user: userView(req.raw, updated) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/users/:user_id',
    access: { rule: 'identity:delete_user', target: userTarget },
    handler: async (req, reply) => {
      const u = await getUser(deps.db, params(req.raw).user_id ?? '')
      await deleteUserRows(deps, u.id)
      void reply.code(204)
    },
  })

  // Not policy-enforced in Keystone: knowing the original password is the proof.
  app.route({
    method: 'POST',
    url: '/v3/users/:user_id/password',
    access: 'public',
    body: PasswordChange,
    handler: async (req, reply) => {
      await changePassword(
        deps,
        params(req.raw).user_id ?? '',
        req.body.user.original_password,
        req.body.user.password,
      )
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/users/:user_id/groups',
    access: { rule: 'identity:list_groups_for_user', target: userTarget },
    handler: async (req) => {
      const user = await getUser(deps.db, params(req.raw).user_id ?? '')
      let q = deps.db
        .selectFrom('user_group')
        .innerJoin('group_membership', 'group_membership.group_id', 'user_group.id')
        .selectAll('user_group')
        .where('group_membership.user_id', '=', user.id)
      const name = (req.query as Record<string, unknown>).name
      if (typeof name === 'string') q = q.where('user_group.name', '=', name)
      const groups = await q.orderBy('user_group.name').execute()
      return collection(
        req.raw,
        'groups',
        groups.map((g) => ({ ...groupView(req.raw, g), membership_expires_at: null })),
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/users/:user_id/projects',
    access: { rule: 'identity:list_user_projects', target: userTarget },
    handler: async (req) => {
      const user = await findUser(deps.db, params(req.raw).user_id ?? '')
      if (!user) throw notFound('user', params(req.raw).user_id ?? '')
      const ids = await projectIdsOfUser(deps.db, user.id)
      const query = req.query as Record<string, unknown>
      const filters = readFilters(query, ['name', 'enabled', 'domain_id'])
      let rows =
        ids.length === 0
          ? []
          : await deps.db
              .selectFrom('project')
              .selectAll()
              .where('id', 'in', ids)
              .where('is_domain', '=', 0)
              .orderBy('name')
              .execute()
      const name = filters.exact.get('name')
      const domainId = filters.exact.get('domain_id')
      const enabled = filters.exact.get('enabled')
      rows = rows.filter(
        (p) =>
          (name === undefined || p.name === name) &&
          (domainId === undefined || p.domain_id === domainId) &&
          (enabled === undefined || (p.enabled === 1) === queryBool(enabled)),
      )
      const tags = await loadTags(
        deps.db,
        rows.map((p) => p.id),
      )
      return collection(
        req.raw,
        'projects',
        rows.map((p) => projectView(req.raw, p, tags.get(p.id) ?? [])),
      )
    },
  })
}
