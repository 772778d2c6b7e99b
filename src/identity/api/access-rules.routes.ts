/**
 * @module /v3/users/{user_id}/access_rules: the access rules a user's application credentials
 * use. Only the user itself (or a system reader/admin) may see or delete them; a rule still
 * used by an application credential cannot be deleted.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  type AccessRule,
  deleteAccessRule,
  getAccessRule,
  listAccessRules,
} from '../core/application-credentials.js'
import { applyInexact, readFilters } from '../core/list-filters.js'
import { findUser } from '../core/users.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import { accessRuleView } from './application-credentials.view.js'
import { blockDelegatedForAppCreds } from './application-credentials.routes.js'

const UserParams = Type.Object({ user_id: Type.String() })
const RuleParams = Type.Object({ user_id: Type.String(), access_rule_id: Type.String() })

function attrOf(r: AccessRule, attr: string): string | undefined {
  if (attr === 'service') return r.service
  if (attr === 'path') return r.path
  if (attr === 'method') return r.method
  return undefined
}

export function accessRulesRoutes({ app, deps }: IdentityApi): void {
  /** The path's user when it exists (the rules check `target.user.id`; an unknown user matches no one). */
  const userTarget = async (req: FastifyRequest) => {
    // SAFETY: the routes using this declare the user_id path parameter.
    const p = req.params as Record<string, string>
    const user = await findUser(deps.db, p.user_id ?? '')
    return {
      ...p,
      target: user ? { user: { id: user.id, domain_id: user.domain_id, name: user.name } } : {},
    }
  }

  app.route({
    method: 'GET',
    url: '/v3/users/:user_id/access_rules',
    access: { rule: 'identity:list_access_rules', target: userTarget },
    params: UserParams,
    handler: async (req) => {
      blockDelegatedForAppCreds(req.auth)
      // SAFETY: Fastify parses the query string into an object of strings.
      const filters = readFilters(req.query as Record<string, unknown>, [
        'service',
        'path',
        'method',
      ])
      const rules = (await listAccessRules(deps.db, req.params.user_id)).filter((r) =>
        [...filters.exact].every(([attr, value]) => attrOf(r, attr) === value),
      )
      const visible = applyInexact(rules, filters.inexact, attrOf)
      return collection(
        req.raw,
        'access_rules',
        visible.map((r) => accessRuleView(req.raw, r)),
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/users/:user_id/access_rules/:access_rule_id',
    access: { rule: 'identity:get_access_rule', target: userTarget },
    params: RuleParams,
    handler: async (req) => {
      blockDelegatedForAppCreds(req.auth)
      const rule = await getAccessRule(deps.db, req.params.user_id, req.params.access_rule_id)
      return { access_rule: accessRuleView(req.raw, rule) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/users/:user_id/access_rules/:access_rule_id',
    access: { rule: 'identity:delete_access_rule', target: userTarget },
    params: RuleParams,
    handler: async (req, reply) => {
      blockDelegatedForAppCreds(req.auth)
      await deleteAccessRule(deps.db, req.params.user_id, req.params.access_rule_id)
      void reply.code(204)
    },
  })
}
