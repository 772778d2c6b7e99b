/**
 * @module /v3/users/{user_id}/credentials/OS-EC2: EC2-style access/secret pairs, stored as
 * /v3/credentials entries of type `ec2` whose id is sha256(access). Delegated tokens are
 * refused outright, so a trust or application credential cannot mint lasting keys.
 */
import { randomUUID } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  createCredential,
  findCredential,
  hashAccessKey,
  listCredentials,
  deleteCredential,
} from '../core/credentials.js'
import { pyJsonDumps, requirePrimaryAuth } from '../core/delegation.js'
import { findUser } from '../core/users.js'
import { notFound, unauthorized } from '../errors.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import { credentialDict, ec2View } from './credentials.view.js'

const UserParams = Type.Object({ user_id: Type.String() })
const AccessParams = Type.Object({ user_id: Type.String(), credential_id: Type.String() })

function pathParams(req: FastifyRequest): { user_id: string; credential_id?: string } {
  // SAFETY: the routes below declare these path parameters.
  return req.params as { user_id: string; credential_id?: string }
}

export function ec2CredentialsRoutes({ app, deps }: IdentityApi): void {
  async function requireUser(userId: string): Promise<void> {
    if (!(await findUser(deps.db, userId))) throw notFound('user', userId)
  }

  /** The credential named by its access key; 404 before the policy check, as Keystone. */
  const ec2Target = async (req: FastifyRequest) => {
    const p = pathParams(req)
    const id = hashAccessKey(p.credential_id ?? '')
    const c = await findCredential(deps, id)
    if (!c) throw notFound('credential', id)
    return { user_id: p.user_id, target: { credential: credentialDict(c) } }
  }

  async function loadEc2(accessKey: string) {
    const c = await findCredential(deps, hashAccessKey(accessKey))
    if (!c) throw notFound('credential', hashAccessKey(accessKey))
    // Keystone: "EC2 access key not found." (a 401 whose detail is hidden).
    if (c.type !== 'ec2') throw unauthorized()
    return c
  }

  app.route({
    method: 'GET',
    url: '/v3/users/:user_id/credentials/OS-EC2',
    access: { rule: 'identity:ec2_list_credentials' },
    params: UserParams,
    handler: async (req) => {
      requirePrimaryAuth(req.auth)
      await requireUser(req.params.user_id)
      const creds = await listCredentials(deps, { user_id: req.params.user_id, type: 'ec2' })
      return collection(
        req.raw,
        'credentials',
        creds.map((c) => ec2View(req.raw, c)),
      )
    },
  })

  app.route({
    method: 'POST',
    url: '/v3/users/:user_id/credentials/OS-EC2',
    access: {
      rule: 'identity:ec2_create_credential',
      target: (req) => {
        const userId = pathParams(req).user_id
        return { user_id: userId, target: { credential: { user_id: userId } } }
      },
    },
    params: UserParams,
    handler: async (req, reply) => {
      await requireUser(req.params.user_id)
      const body: unknown = req.body
      // SAFETY: an object checked just before; Keystone reads tenant_id unvalidated.
      // SAFETY: an object (checked inline); Keystone reads tenant_id unvalidated.
      const tenant =
        typeof body === 'object' && body !== null
          ? (body as Record<string, unknown>).tenant_id
          : undefined
      const projectId = typeof tenant === 'string' ? tenant : undefined
      const project =
        projectId === undefined
          ? undefined
          : await deps.db
              .selectFrom('project')
              .select('id')
              .where('id', '=', projectId)
              .executeTakeFirst()
      if (!project) throw notFound('project', projectId ?? 'None')
      requirePrimaryAuth(req.auth)
      const access = randomUUID().replaceAll('-', '')
      const secret = randomUUID().replaceAll('-', '')
      const c = await createCredential(deps, {
        id: hashAccessKey(access),
        user_id: req.params.user_id,
        project_id: project.id,
        type: 'ec2',
        blob: pyJsonDumps({ access, secret, trust_id: null }),
        extra: {},
      })
      void reply.code(201)
      return { credential: ec2View(req.raw, c) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/users/:user_id/credentials/OS-EC2/:credential_id',
    access: { rule: 'identity:ec2_get_credential', target: ec2Target },
    params: AccessParams,
    handler: async (req) => {
      await requireUser(req.params.user_id)
      const c = await loadEc2(req.params.credential_id)
      requirePrimaryAuth(req.auth)
      return { credential: ec2View(req.raw, c) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/users/:user_id/credentials/OS-EC2/:credential_id',
    access: { rule: 'identity:ec2_delete_credential', target: ec2Target },
    params: AccessParams,
    handler: async (req, reply) => {
      await requireUser(req.params.user_id)
      const c = await loadEc2(req.params.credential_id)
      requirePrimaryAuth(req.auth)
      await deleteCredential(deps.db, c.id)
      void reply.code(204)
    },
  })
}
