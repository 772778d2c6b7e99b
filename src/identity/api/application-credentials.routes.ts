/**
 * @module /v3/users/{user_id}/application_credentials: a user hands some of its roles on the
 * token's project to a named secret. Only the user itself may create one (not even an admin
 * for someone else), only with roles its token carries, and never through a trust; a token
 * from an application credential may manage others only when that one is unrestricted.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { AuthContext } from '../../lib/http/auth-context.js'
import {
  createAppCred,
  deleteAppCred,
  findAppCred,
  generateSecret,
  getAppCred,
  listAppCreds,
  type AppCred,
} from '../core/application-credentials.js'
import type { IdentityDeps } from '../core/deps.js'
import {
  forbiddenAction,
  forbiddenGeneric,
  isDelegated,
  loadRoles,
  parseExpiresAt,
  resolveRoleRefs,
} from '../core/delegation.js'
import { applyInexact, readFilters } from '../core/list-filters.js'
import { badRequest } from '../errors.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import { appCredView } from './application-credentials.view.js'
import { IdString, Name, NullableString, RoleRefs } from './delegation.schemas.js'

const AppCredCreate = Type.Object({
  application_credential: Type.Object({
    name: Name,
    description: Type.Optional(NullableString),
    secret: Type.Optional(NullableString),
    expires_at: Type.Optional(NullableString),
    roles: Type.Optional(RoleRefs),
    unrestricted: Type.Optional(Type.Boolean()),
    access_rules: Type.Optional(
      Type.Array(
        Type.Object(
          {
            path: Type.Optional(Type.String({ maxLength: 225, pattern: '^/.*' })),
            method: Type.Optional(Type.String({ pattern: '^(POST|GET|HEAD|PATCH|PUT|DELETE)$' })),
            service: Type.Optional(IdString),
            id: Type.Optional(IdString),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  }),
})

const UserParams = Type.Object({ user_id: Type.String() })
const CredParams = Type.Object({ user_id: Type.String(), application_credential_id: Type.String() })

/** Trusts, OAuth1 and EC2 tokens may not manage application credentials (app-cred tokens are judged apart). */
export function blockDelegatedForAppCreds(auth: AuthContext): void {
  if (auth.methods.includes('application_credential')) return
  if (isDelegated(auth)) throw forbiddenGeneric()
}

/** A token from a restricted application credential may not manage application credentials. */
async function requireUnrestricted(deps: IdentityDeps, auth: AuthContext): Promise<void> {
  if (!auth.methods.includes('application_credential')) return
  const own =
    auth.applicationCredentialId === undefined
      ? undefined
      : await findAppCred(deps.db, auth.applicationCredentialId)
  if (own?.unrestricted !== true)
    throw forbiddenAction(
      "Using method 'application_credential' is not allowed for managing additional application credentials.",
    )
}

export function applicationCredentialsRoutes({ app, deps }: IdentityApi): void {
  async function render(req: FastifyRequest, c: AppCred, secret?: string) {
    return appCredView(req, c, await loadRoles(deps.db, c.roleIds), secret)
  }

  /**
   * The owner of the credential, not the user named in the path, is who the policy checks:
   * otherwise anyone could read another user's credential by putting their own id in the path.
   */
  const ownerTarget = async (req: FastifyRequest) => {
    // SAFETY: the routes using this declare both path parameters.
    const p = req.params as { user_id: string; application_credential_id: string }
    const cred = await findAppCred(deps.db, p.application_credential_id)
    return { ...p, user_id: cred?.userId ?? p.user_id }
  }

  app.route({
    method: 'GET',
    url: '/v3/users/:user_id/application_credentials',
    access: { rule: 'identity:list_application_credentials' },
    params: UserParams,
    handler: async (req) => {
      blockDelegatedForAppCreds(req.auth)
      // SAFETY: Fastify parses the query string into an object of strings.
      const filters = readFilters(req.query as Record<string, unknown>, ['name'])
      const rows = await listAppCreds(deps.db, req.params.user_id, filters.exact.get('name'))
      const creds = applyInexact(rows, filters.inexact, (c, attr) =>
        attr === 'name' ? c.name : undefined,
      )
      const items = await Promise.all(creds.map((c) => render(req.raw, c)))
      return collection(req.raw, 'application_credentials', items)
    },
  })

  app.route({
    method: 'POST',
    url: '/v3/users/:user_id/application_credentials',
    access: { rule: 'identity:create_application_credential' },
    params: UserParams,
    body: AppCredCreate,
    handler: async (req, reply) => {
      const input = req.body.application_credential
      const auth = req.auth
      blockDelegatedForAppCreds(auth)
      await requireUnrestricted(deps, auth)
      if (auth.userId !== req.params.user_id)
        throw forbiddenAction('Cannot create an application credential for another user.')
      let roleIds: string[]
      if (input.roles !== undefined && input.roles.length > 0) {
        roleIds = await resolveRoleRefs(deps.db, input.roles)
        // Never more than the caller's token carries (roles are computed live for the token).
        const tokenRoles = new Set(auth.roleIds)
        if (roleIds.some((id) => !tokenRoles.has(id)))
          throw badRequest(
            'Invalid application credential: Cannot create an application credential with unassigned role',
          )
      } else roleIds = [...auth.roleIds]
      const secret =
        input.secret !== undefined && input.secret !== null && input.secret !== ''
          ? input.secret
          : generateSecret()
      const expires =
        input.expires_at === undefined || input.expires_at === null || input.expires_at === ''
          ? undefined
          : parseExpiresAt(input.expires_at, deps.clock.nowMs())
      const cred = await createAppCred(deps, {
        name: input.name,
        description: input.description ?? null,
        secret,
        userId: req.params.user_id,
        projectId: auth.projectId ?? null,
        expires,
        unrestricted: input.unrestricted,
        roleIds,
        accessRules: input.access_rules ?? [],
      })
      void reply.code(201)
      return { application_credential: await render(req.raw, cred, secret) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/users/:user_id/application_credentials/:application_credential_id',
    access: { rule: 'identity:get_application_credential', target: ownerTarget },
    params: CredParams,
    handler: async (req) => {
      blockDelegatedForAppCreds(req.auth)
      const cred = await getAppCred(deps.db, req.params.application_credential_id)
      return { application_credential: await render(req.raw, cred) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/users/:user_id/application_credentials/:application_credential_id',
    access: { rule: 'identity:delete_application_credential', target: ownerTarget },
    params: CredParams,
    handler: async (req, reply) => {
      blockDelegatedForAppCreds(req.auth)
      await requireUnrestricted(deps, req.auth)
      await deleteAppCred(deps.db, req.params.application_credential_id)
      void reply.code(204)
    },
  })
}
