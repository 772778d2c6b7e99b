/**
 * @module /v3/credentials: a user's stored secrets (EC2 keys, TOTP seeds, ...). Owners manage
 * their own, admins everyone's; delegated tokens (trusts, application credentials, EC2) may
 * not touch credentials at all, so a delegation cannot mint lasting secrets.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { applyInexact, readFilters } from '../core/list-filters.js'
import {
  CREDENTIAL_COLUMNS,
  assertEc2ScopeUnchanged,
  createCredential,
  deleteCredential,
  findCredential,
  getCredential,
  hashAccessKey,
  listCredentials,
  parseEc2Blob,
  updateCredential,
} from '../core/credentials.js'
import { extrasOf, isDelegated, normalizeKeys, requirePrimaryAuth } from '../core/delegation.js'
import { badRequest } from '../errors.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import { credentialDict, credentialView } from './credentials.view.js'

const CredentialCreate = Type.Object({
  credential: Type.Object({
    blob: Type.String(),
    type: Type.String(),
    user_id: Type.String(),
    project_id: Type.Optional(Type.String()),
  }),
})

// Upstream Keystone's schema (the Debian build's blob-only hardening breaks Tempest).
const CredentialUpdate = Type.Object({
  credential: Type.Object(
    {
      blob: Type.Optional(Type.String()),
      project_id: Type.Optional(Type.String()),
      type: Type.Optional(Type.String()),
      user_id: Type.Optional(Type.String()),
    },
    { minProperties: 1 },
  ),
})

const CredentialParams = Type.Object({ credential_id: Type.String() })

function credentialId(req: FastifyRequest): string {
  // SAFETY: every route using this declares the credential_id path parameter.
  return (req.params as { credential_id: string }).credential_id
}

export function credentialsRoutes({ app, deps }: IdentityApi): void {
  /** The credential when it exists; otherwise an empty target, so non-admins get 403 before 404. */
  const credentialTarget = async (req: FastifyRequest) => {
    const c = await findCredential(deps, credentialId(req))
    return { credential_id: credentialId(req), target: c ? { credential: credentialDict(c) } : {} }
  }

  app.route({
    method: 'POST',
    url: '/v3/credentials',
    access: {
      rule: 'identity:create_credential',
      target: (req) => {
        // SAFETY: the raw body, read before validation (policy first); only probed below.
        const body = req.body as { credential?: unknown } | undefined
        const cred =
          typeof body?.credential === 'object' && body.credential !== null ? body.credential : {}
        return { target: { credential: cred } }
      },
    },
    body: CredentialCreate,
    handler: async (req, reply) => {
      const input = req.body.credential
      if (input.type === 'ec2' && input.project_id === undefined)
        throw badRequest(
          "Invalid input for field 'credential': 'project_id' is a required property",
        )
      requirePrimaryAuth(req.auth)
      const body = normalizeKeys(input)
      const id =
        input.type.toLowerCase() === 'ec2'
          ? hashAccessKey(String(parseEc2Blob(input.blob).access))
          : undefined
      const c = await createCredential(deps, {
        id,
        user_id: input.user_id,
        project_id: input.project_id ?? null,
        type: input.type,
        blob: input.blob,
        extra: extrasOf(body, CREDENTIAL_COLUMNS),
      })
      void reply.code(201)
      return { credential: credentialView(req.raw, c) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/credentials',
    access: {
      rule: 'identity:list_credentials',
      target: (req) =>
        req.auth?.system ? {} : { target: { credential: { user_id: req.auth?.userId } } },
    },
    handler: async (req) => {
      // SAFETY: Fastify parses the query string into an object of strings.
      const filters = readFilters(req.query as Record<string, unknown>, ['user_id', 'type'])
      const rows = await listCredentials(deps, {
        user_id: filters.exact.get('user_id'),
        type: filters.exact.get('type'),
      })
      // Each credential is checked on its own: members see only theirs, delegated tokens none.
      const visible = applyInexact(
        rows,
        filters.inexact,
        (c, attr) => credentialDict(c)[attr],
      ).filter(
        (c) =>
          !isDelegated(req.auth) &&
          app.allows(
            'identity:get_credential',
            { target: { credential: credentialDict(c) } },
            req.auth,
          ),
      )
      return collection(
        req.raw,
        'credentials',
        visible.map((c) => credentialView(req.raw, c)),
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/credentials/:credential_id',
    access: { rule: 'identity:get_credential', target: credentialTarget },
    params: CredentialParams,
    handler: async (req) => {
      const c = await getCredential(deps, req.params.credential_id)
      requirePrimaryAuth(req.auth)
      return { credential: credentialView(req.raw, c) }
    },
  })

  app.route({
    method: 'PATCH',
    url: '/v3/credentials/:credential_id',
    access: { rule: 'identity:update_credential', target: credentialTarget },
    params: CredentialParams,
    body: CredentialUpdate,
    handler: async (req) => {
      const patch = req.body.credential
      const current = await getCredential(deps, req.params.credential_id)
      requirePrimaryAuth(req.auth)
      if (current.type.toLowerCase() === 'ec2' && patch.blob !== undefined)
        assertEc2ScopeUnchanged(current, patch.blob)
      // SAFETY: the schema allows extra attributes; they are read as unknown values.
      const raw = patch as Record<string, unknown>
      if (raw.id !== undefined && raw.id !== null && raw.id !== current.id)
        throw badRequest('Cannot change ID')
      // The owner may not hand the credential to someone else.
      app.enforce(
        'identity:update_credential',
        { target: { credential: { ...credentialDict(current), ...raw } } },
        req.auth,
      )
      const c = await updateCredential(deps, current, {
        ...patch,
        extra: extrasOf(raw, CREDENTIAL_COLUMNS),
      })
      return { credential: credentialView(req.raw, c) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/credentials/:credential_id',
    access: { rule: 'identity:delete_credential', target: credentialTarget },
    params: CredentialParams,
    handler: async (req, reply) => {
      await getCredential(deps, req.params.credential_id)
      requirePrimaryAuth(req.auth)
      await deleteCredential(deps.db, req.params.credential_id)
      void reply.code(204)
    },
  })
}
