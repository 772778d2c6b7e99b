/**
 * @module Role grants by path: /v3/projects|domains/{id}/users|groups/{id}/roles[/{role}],
 * /v3/system/users|groups/{id}/roles[/{role}] and their OS-INHERIT forms. Success is 204
 * with no body (PUT, GET/HEAD check, DELETE); lists are `{roles, links}`. The plain paths look
 * every entity up before policy (404 first; DELETE tolerates a missing actor); OS-INHERIT paths
 * let policy see empty entities and check existence afterwards, as Keystone does.
 */
import type { FastifyRequest } from 'fastify'
import { DOMAIN_ROOT } from '../db/tables.js'
import { notFound } from '../errors.js'
import {
  type ActorKind,
  type Grant,
  type GrantScope,
  type TargetKind,
  SYSTEM_TARGET,
  checkGrant,
  createGrant,
  deleteGrant,
  listGrantedRoles,
} from '../core/grants.js'
import { findRole } from '../core/role-admin.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import { params } from './request-helpers.js'
import { roleTarget, roleView } from './roles.view.js'

interface GrantPath {
  /** Up to and including `/roles`. */
  base: string
  target: TargetKind
  actor: ActorKind
  inherited: boolean
  /** Whether a list route exists (not for project-level OS-INHERIT). */
  list: boolean
}

type Verb = 'list' | 'check' | 'create' | 'revoke'

const PATHS: GrantPath[] = (['user', 'group'] as const).flatMap((actor) => [
  {
    base: `/v3/projects/:project_id/${actor}s/:${actor}_id/roles`,
    target: 'project',
    actor,
    inherited: false,
    list: true,
  },
  {
    base: `/v3/domains/:domain_id/${actor}s/:${actor}_id/roles`,
    target: 'domain',
    actor,
    inherited: false,
    list: true,
  },
  {
    base: `/v3/system/${actor}s/:${actor}_id/roles`,
    target: 'system',
    actor,
    inherited: false,
    list: true,
  },
  {
    base: `/v3/OS-INHERIT/domains/:domain_id/${actor}s/:${actor}_id/roles`,
    target: 'domain',
    actor,
    inherited: true,
    list: true,
  },
  {
    base: `/v3/OS-INHERIT/projects/:project_id/${actor}s/:${actor}_id/roles`,
    target: 'project',
    actor,
    inherited: true,
    list: false,
  },
])

function ruleOf(path: GrantPath, verb: Verb): string {
  if (path.target !== 'system')
    return verb === 'list' ? 'identity:list_grants' : `identity:${verb}_grant`
  return verb === 'list'
    ? `identity:list_system_grants_for_${path.actor}`
    : `identity:${verb}_system_grant_for_${path.actor}`
}

export function grantsRoutes({ app, deps }: IdentityApi): void {
  const db = deps.db

  function scopeOf(path: GrantPath, req: FastifyRequest): GrantScope {
    const p = params(req)
    const targetId =
      path.target === 'project'
        ? p.project_id
        : path.target === 'domain'
          ? p.domain_id
          : SYSTEM_TARGET
    return {
      actor: path.actor,
      actorId: (path.actor === 'user' ? p.user_id : p.group_id) ?? '',
      target: path.target,
      targetId: targetId ?? '',
      inherited: path.inherited,
    }
  }

  function grantOf(path: GrantPath, req: FastifyRequest): Grant {
    return { ...scopeOf(path, req), roleId: params(req).role_id ?? '' }
  }

  /** The actor as policy sees it; undefined when it does not exist. */
  async function actorTarget(scope: GrantScope): Promise<Record<string, unknown> | undefined> {
    if (scope.actor === 'user') {
      const u = await db
        .selectFrom('user')
        .select(['id', 'name', 'domain_id', 'enabled'])
        .where('id', '=', scope.actorId)
        .executeTakeFirst()
      return u && { ...u, enabled: u.enabled === 1 }
    }
    const g = await db
      .selectFrom('user_group')
      .select(['id', 'name', 'domain_id', 'description'])
      .where('id', '=', scope.actorId)
      .executeTakeFirst()
    return g
  }

  /** The project or domain as policy sees it; undefined when it does not exist. */
  async function scopeTarget(scope: GrantScope): Promise<Record<string, unknown> | undefined> {
    const row = await db
      .selectFrom('project')
      .selectAll()
      .where('id', '=', scope.targetId)
      .executeTakeFirst()
    if (!row) return undefined
    if (scope.target === 'domain')
      return row.is_domain === 1
        ? { id: row.id, name: row.name, enabled: row.enabled === 1 }
        : undefined
    return {
      id: row.id,
      name: row.name,
      domain_id: row.domain_id === DOMAIN_ROOT ? null : row.domain_id,
      parent_id: row.parent_id,
      is_domain: row.is_domain === 1,
      enabled: row.enabled === 1,
    }
  }

  /**
   * Keystone's enforcement target: `{role, user|group, project|domain}`. Plain paths raise 404
   * for a missing entity (in Keystone's order); OS-INHERIT paths put `{}` in its place.
   */
  async function buildTarget(path: GrantPath, req: FastifyRequest, verb: Verb) {
    const scope = scopeOf(path, req)
    const roleId = params(req).role_id
    const soft = path.inherited
    const target: Record<string, unknown> = {}
    const need = <T>(value: T | undefined, kind: string, id: string): T | Record<string, never> => {
      if (value !== undefined) return value
      if (soft) return {}
      throw notFound(kind, id)
    }
    const addScope = async () => {
      if (path.target !== 'system')
        target[path.target] = need(await scopeTarget(scope), path.target, scope.targetId)
    }
    if (path.target === 'domain' && !soft) await addScope()
    if (roleId !== undefined) {
      const role = await findRole(db, roleId)
      target.role = need(role && roleTarget(role), 'role', roleId)
    }
    const actor = await actorTarget(scope)
    if (actor !== undefined) target[path.actor] = actor
    else if (verb !== 'revoke' || soft) target[path.actor] = need(actor, path.actor, scope.actorId)
    if (path.target !== 'domain' || soft) await addScope()
    return { ...params(req), target }
  }

  for (const path of PATHS) {
    const suffix = path.inherited ? '/inherited_to_projects' : ''
    const member = `${path.base}/:role_id${suffix}`
    const access = (verb: Verb) => ({
      rule: ruleOf(path, verb),
      target: (req: FastifyRequest) => buildTarget(path, req, verb),
    })

    if (path.list)
      app.route({
        method: 'GET',
        url: `${path.base}${suffix}`,
        access: access('list'),
        handler: async (req) => {
          const roles = await listGrantedRoles(db, scopeOf(path, req.raw))
          return collection(
            req.raw,
            'roles',
            roles.map((r) => roleView(req.raw, r)),
          )
        },
      })

    app.route({
      method: 'PUT',
      url: member,
      access: access('create'),
      handler: async (req, reply) => {
        await createGrant(deps, grantOf(path, req.raw))
        void reply.code(204)
      },
    })

    // GET and its HEAD: a check that answers 204 or 404.
    app.route({
      method: 'GET',
      url: member,
      access: access('check'),
      handler: async (req, reply) => {
        await checkGrant(db, grantOf(path, req.raw))
        void reply.code(204)
      },
    })

    app.route({
      method: 'DELETE',
      url: member,
      access: access('revoke'),
      handler: async (req, reply) => {
        await deleteGrant(deps, grantOf(path, req.raw))
        void reply.code(204)
      },
    })
  }
}
