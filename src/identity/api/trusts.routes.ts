/**
 * @module /v3/OS-TRUST/trusts: create (by the trustor only), list, show, delete trusts and
 * read their delegated roles. Unknown, expired or used-up trusts are 404 before any policy
 * check, as Keystone answers. Tokens from delegated methods (application credentials, EC2,
 * OAuth1) may not touch trusts; trust-scoped tokens may, which is how redelegation works.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { hexId } from '../../lib/ids/ids.js'
import type { AuthContext } from '../../lib/http/auth-context.js'
import {
  delegableRoleIds,
  extrasOf,
  forbiddenAction,
  isDelegatedMethod,
  loadRoles,
  parseExpiresAt,
  resolveRoleRefs,
} from '../core/delegation.js'
import { TRUST_ATTRIBUTES, createTrust, deleteTrust, getTrust, listTrusts } from '../core/trusts.js'
import { findUser } from '../core/users.js'
import { notFound } from '../errors.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import { IdString, RoleRefs } from './delegation.schemas.js'
import { trustRoleView, trustRolesLinks, trustSummary, trustView } from './trusts.view.js'

const UserIdString = Type.String({ minLength: 1, maxLength: 64 })

const TrustCreate = Type.Object({
  trust: Type.Object({
    trustor_user_id: UserIdString,
    trustee_user_id: UserIdString,
    impersonation: Type.Boolean(),
    project_id: Type.Optional(Type.Union([IdString, Type.Null()])),
    remaining_uses: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    expires_at: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    allow_redelegation: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    redelegation_count: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    roles: Type.Optional(RoleRefs),
  }),
})

const TrustParams = Type.Object({ trust_id: Type.String() })
const TrustRoleParams = Type.Object({ trust_id: Type.String(), role_id: Type.String() })

/** Keystone's _check_delegated_token for trusts. */
function checkDelegated(auth: AuthContext): void {
  if (isDelegatedMethod(auth)) throw forbiddenAction('Delegated tokens cannot manage trusts.')
}

export function trustsRoutes({ app, deps }: IdentityApi): void {
  /** The trust, loaded before the policy check: an unusable trust is a 404 for everyone. */
  const trustTarget = async (req: FastifyRequest) => {
    // SAFETY: the routes using this declare the trust_id path parameter.
    const p = req.params as { trust_id: string }
    const t = await getTrust(deps, p.trust_id)
    return { ...p, target: { trust: trustSummary(req, t) } }
  }

  app.route({
    method: 'POST',
    url: '/v3/OS-TRUST/trusts',
    access: {
      rule: 'identity:create_trust',
      target: (req) => {
        // SAFETY: the raw body, read before validation (policy first); only probed below.
        const body = req.body as { trust?: unknown } | undefined
        const trust = typeof body?.trust === 'object' && body.trust !== null ? body.trust : {}
        return { target: { trust } }
      },
    },
    body: TrustCreate,
    handler: async (req, reply) => {
      const body = req.body.trust
      const auth = req.auth
      checkDelegated(auth)
      const projectId = body.project_id ?? null
      if (projectId !== null && (body.roles ?? []).length === 0)
        throw forbiddenAction('At least one role should be specified')
      if (auth.userId !== body.trustor_user_id)
        throw forbiddenAction('The authenticated user should match the trustor')
      if (!(await findUser(deps.db, body.trustee_user_id)))
        throw notFound('user', body.trustee_user_id)
      const roleIds = await resolveRoleRefs(deps.db, body.roles ?? [])
      let held = new Set<string>()
      if (projectId !== null) {
        const project = await deps.db
          .selectFrom('project')
          .select('id')
          .where('id', '=', projectId)
          .executeTakeFirst()
        if (!project) throw notFound('project', projectId)
        held = await delegableRoleIds(deps.db, body.trustor_user_id, projectId)
      }
      // A trustor can only delegate roles it holds on the project (domain-specific ones included).
      for (const roleId of roleIds) if (!held.has(roleId)) throw notFound('role', roleId)
      const expires =
        body.expires_at === undefined || body.expires_at === null
          ? undefined
          : parseExpiresAt(body.expires_at, deps.clock.nowMs())
      const parent = auth.trustId === undefined ? undefined : await getTrust(deps, auth.trustId)
      const trust = await createTrust(
        deps,
        {
          id: hexId(),
          trustorUserId: body.trustor_user_id,
          trusteeUserId: body.trustee_user_id,
          projectId,
          impersonation: body.impersonation,
          roleIds,
          expires,
          remainingUses: body.remaining_uses ?? null,
          allowRedelegation: body.allow_redelegation === true,
          redelegationCount: body.redelegation_count,
          extra: extrasOf(body, TRUST_ATTRIBUTES),
        },
        parent,
      )
      void reply.code(201)
      return { trust: trustView(req.raw, trust, await loadRoles(deps.db, trust.roleIds)) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/OS-TRUST/trusts',
    access: 'token',
    handler: async (req) => {
      // SAFETY: Fastify parses the query string into an object of strings.
      const query = req.query as Record<string, unknown>
      const trustor = typeof query.trustor_user_id === 'string' ? query.trustor_user_id : ''
      const trustee = typeof query.trustee_user_id === 'string' ? query.trustee_user_id : ''
      if (trustor !== '')
        app.enforce(
          'identity:list_trusts_for_trustor',
          { target: { trust: { trustor_user_id: trustor } } },
          req.auth,
        )
      else if (trustee !== '')
        app.enforce(
          'identity:list_trusts_for_trustee',
          { target: { trust: { trustee_user_id: trustee } } },
          req.auth,
        )
      else app.enforce('identity:list_trusts', {}, req.auth)
      checkDelegated(req.auth)
      // Keystone lists everything only for a bare request; any other query lists nothing.
      const trusts =
        Object.keys(query).length === 0
          ? await listTrusts(deps.db, {})
          : trustor !== '' || trustee !== ''
            ? await listTrusts(
                deps.db,
                trustor !== '' ? { trustorUserId: trustor } : { trusteeUserId: trustee },
              )
            : []
      return collection(
        req.raw,
        'trusts',
        trusts.map((t) => trustSummary(req.raw, t)),
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/OS-TRUST/trusts/:trust_id',
    access: { rule: 'identity:get_trust', target: trustTarget },
    params: TrustParams,
    handler: async (req) => {
      checkDelegated(req.auth)
      const trust = await getTrust(deps, req.params.trust_id)
      return { trust: trustView(req.raw, trust, await loadRoles(deps.db, trust.roleIds)) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/OS-TRUST/trusts/:trust_id',
    access: { rule: 'identity:delete_trust', target: trustTarget },
    params: TrustParams,
    handler: async (req, reply) => {
      checkDelegated(req.auth)
      await deleteTrust(deps, req.params.trust_id)
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/OS-TRUST/trusts/:trust_id/roles',
    access: { rule: 'identity:list_roles_for_trust', target: trustTarget },
    params: TrustParams,
    handler: async (req) => {
      checkDelegated(req.auth)
      const trust = await getTrust(deps, req.params.trust_id)
      const roles = await loadRoles(deps.db, trust.roleIds)
      return {
        roles: roles.map((r) => trustRoleView(req.raw, r)),
        links: trustRolesLinks(req.raw, trust),
      }
    },
  })

  // HEAD on this route answers 200 with no body (Tempest's check_trust_role expects 200).
  app.route({
    method: 'GET',
    url: '/v3/OS-TRUST/trusts/:trust_id/roles/:role_id',
    access: { rule: 'identity:get_role_for_trust', target: trustTarget },
    params: TrustRoleParams,
    handler: async (req) => {
      checkDelegated(req.auth)
      const trust = await getTrust(deps, req.params.trust_id)
      const [role] = trust.roleIds.includes(req.params.role_id)
        ? await loadRoles(deps.db, [req.params.role_id])
        : []
      if (!role) throw notFound('role', req.params.role_id)
      return { role: trustRoleView(req.raw, role) }
    },
  })
}
