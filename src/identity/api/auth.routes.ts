/**
 * @module /v3/auth: issue, validate, check and revoke tokens; the catalog, projects, domains
 * and system a token's user can use.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { fromFlag } from '../../lib/db/values.js'
import { AppError } from '../../lib/errors/app-error.js'
import { authenticate } from '../core/authenticate.js'
import { buildCatalog } from '../core/catalog.js'
import { completeToken, type TokenData, TokenInvalid, validateToken } from '../core/token-model.js'
import { packPayload } from '../core/token-payload.js'
import { domainIdsOfUser, projectIdsOfUser } from '../core/user-projects.js'
import { systemRoles } from '../core/roles.js'
import { loadTags } from '../core/projects.js'
import { identityErrors } from '../errors.js'
import type { IdentityApi } from './identity-api.js'
import { collection, collectionLinks } from './links.js'
import { domainView, projectView } from './projects.view.js'
import { tokenView } from './token.view.js'

const DomainRef = Type.Object({
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
})
const AuthBody = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.String()),
      password: Type.Optional(
        Type.Object({
          user: Type.Optional(
            Type.Object({
              id: Type.Optional(Type.String()),
              name: Type.Optional(Type.String()),
              password: Type.Optional(Type.String()),
              domain: Type.Optional(DomainRef),
            }),
          ),
        }),
      ),
      token: Type.Optional(Type.Object({ id: Type.String() })),
    }),
    scope: Type.Optional(Type.Union([Type.Object({}), Type.String()])),
  }),
})

/** Query flags that are true when present (Keystone's query_filter_is_true for nocatalog). */
function present(query: unknown, key: string): boolean {
  return typeof query === 'object' && query !== null && key in query
}

function boolFromString(value: unknown): boolean {
  if (typeof value !== 'string') return false
  return ['1', 't', 'true', 'on', 'y', 'yes'].includes(value.toLowerCase())
}

function subjectToken(req: FastifyRequest): string {
  const value = req.headers['x-subject-token']
  const token = Array.isArray(value) ? value[0] : value
  if (token === undefined || token === '')
    throw identityErrors.validation({
      message:
        'Expecting to find X-Subject-Token in request headers. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.',
    })
  return token
}

export function authRoutes({ app, deps }: IdentityApi): void {
  async function render(req: FastifyRequest, t: TokenData) {
    const scoped = t.project !== undefined || t.domain !== undefined || t.system
    const catalog =
      present(req.query, 'nocatalog') || !scoped
        ? undefined
        : await buildCatalog(deps.db, {
            projectId: t.project?.id,
            userId: t.trust ? t.trust.trustorUserId : t.user.id,
          })
    return tokenView(t, catalog)
  }

  /** The subject token, validated once per request (the policy target needs it first). */
  const subjects = new WeakMap<FastifyRequest, TokenData>()
  async function loadSubject(req: FastifyRequest): Promise<TokenData> {
    const seen = subjects.get(req)
    if (seen) return seen
    const allowExpired = boolFromString((req.query as Record<string, unknown>).allow_expired)
    try {
      const data = await validateToken(deps, subjectToken(req), { allowExpired })
      subjects.set(req, data)
      return data
    } catch (err) {
      if (err instanceof TokenInvalid)
        throw identityErrors.tokenNotFound({ reason: 'Could not find token.' })
      throw err
    }
  }

  /**
   * Target of the token rules: the subject token's user. As in Keystone, the subject token is
   * validated while building the target, so a bad one is a 404 before the policy is asked; a
   * missing one leaves the target empty (a 403 for non-admins, then 404 for admins).
   */
  async function tokenTarget(req: FastifyRequest) {
    if (req.headers['x-subject-token'] === undefined) return {}
    const t = await loadSubject(req)
    return { target: { token: { user_id: t.user.id, user: { domain: { id: t.user.domain.id } } } } }
  }

  app.route({
    method: 'POST',
    url: '/v3/auth/tokens',
    access: 'public',
    body: AuthBody,
    handler: async (req, reply) => {
      // SAFETY: AuthBody validated the envelope; authenticate() checks the method-specific parts.
      const payload = await authenticate(deps, req.body.auth)
      const token = deps.tokenKeys.encrypt(packPayload(payload), payload.issuedAtMs / 1000)
      const data = await completeToken(deps, token, payload)
      void reply.code(201).header('x-subject-token', token)
      return render(req.raw, data)
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/auth/tokens',
    access: { rule: 'identity:validate_token', target: tokenTarget },
    handler: async (req, reply) => {
      const data = await loadSubject(req.raw)
      void reply.header('x-subject-token', data.token)
      return render(req.raw, data)
    },
  })

  // HEAD /v3/auth/tokens is the GET above without its body (Fastify's exposeHeadRoutes).

  app.route({
    method: 'DELETE',
    url: '/v3/auth/tokens',
    access: { rule: 'identity:revoke_token', target: tokenTarget },
    handler: async (req, reply) => {
      const data = await loadSubject(req.raw)
      await deps.revocations.revoke({
        auditId: data.payload.auditIds[0] ?? '',
        expiresAt: new Date(data.expiresAtMs).toISOString(),
      })
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/auth/catalog',
    access: { rule: 'identity:get_auth_catalog' },
    handler: async (req) => {
      const auth = req.auth
      if (auth.projectId === undefined && auth.domainId === undefined && auth.system === undefined)
        throw new AppError({
          code: 'IDENTITY_UNSCOPED_CATALOG',
          kind: 'Forbidden',
          message: 'A project-scoped token is required to produce a service catalog.',
        })
      const catalog = await buildCatalog(deps.db, {
        projectId: auth.projectId,
        userId: auth.userId,
      })
      return { catalog, links: collectionLinks(req.raw) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/auth/projects',
    access: { rule: 'identity:get_auth_projects' },
    handler: async (req) => {
      const ids = await projectIdsOfUser(deps.db, req.auth.userId)
      const rows =
        ids.length === 0
          ? []
          : await deps.db
              .selectFrom('project')
              .selectAll()
              .where('id', 'in', ids)
              .where('is_domain', '=', 0)
              .execute()
      const enabled = rows.filter((p) => fromFlag(p.enabled))
      const tags = await loadTags(
        deps.db,
        enabled.map((p) => p.id),
      )
      return collection(
        req.raw,
        'projects',
        enabled.map((p) => projectView(req.raw, p, tags.get(p.id) ?? [])),
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/auth/domains',
    access: { rule: 'identity:get_auth_domains' },
    handler: async (req) => {
      const ids = await domainIdsOfUser(deps.db, req.auth.userId)
      const rows =
        ids.length === 0
          ? []
          : await deps.db
              .selectFrom('project')
              .selectAll()
              .where('id', 'in', ids)
              .where('is_domain', '=', 1)
              .execute()
      const enabled = rows.filter((d) => fromFlag(d.enabled))
      const tags = await loadTags(
        deps.db,
        enabled.map((d) => d.id),
      )
      return collection(
        req.raw,
        'domains',
        enabled.map((d) => domainView(req.raw, d, tags.get(d.id) ?? [])),
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/auth/system',
    access: { rule: 'identity:get_auth_system' },
    handler: async (req) => {
      const roles = await systemRoles(deps.db, req.auth.userId)
      return { system: roles.length > 0 ? [{ all: true }] : [], links: collectionLinks(req.raw) }
    },
  })
}
