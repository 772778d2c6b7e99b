/**
 * @module /v3/policies: Keystone's deprecated policy-blob store, still served (admin only).
 * OS-ENDPOINT-POLICY associations are not served (no Tempest identity test uses them).
 */
import { Type } from '@sinclair/typebox'
import { applyInexact, readFilters } from '../core/list-filters.js'
import {
  POLICY_COLUMNS,
  createPolicyBlob,
  deletePolicyBlob,
  getPolicyBlob,
  updatePolicyBlob,
} from '../core/policies-blob.js'
import { splitExtra } from '../core/projects.js'
import type { IdentityApi } from './identity-api.js'
import { collection } from './links.js'
import { policyBlobView } from './policies.view.js'

const PolicyType = Type.String({ maxLength: 255 })
const PolicyCreate = Type.Object({ policy: Type.Object({ blob: Type.String(), type: PolicyType }) })
const PolicyUpdate = Type.Object({
  policy: Type.Object(
    {
      id: Type.Optional(Type.Unknown()),
      blob: Type.Optional(Type.String()),
      type: Type.Optional(PolicyType),
    },
    { minProperties: 1 },
  ),
})
const PolicyParams = Type.Object({ policy_id: Type.String() })

export function policiesRoutes({ app, deps }: IdentityApi): void {
  app.route({
    method: 'GET',
    url: '/v3/policies',
    access: { rule: 'identity:list_policies' },
    handler: async (req) => {
      // SAFETY: Fastify parses every query string into an object.
      const filters = readFilters(req.raw.query as Record<string, unknown>, ['type'])
      let q = deps.db.selectFrom('policy').selectAll()
      const type = filters.exact.get('type')
      if (type !== undefined) q = q.where('type', '=', type)
      const rows = applyInexact(await q.execute(), filters.inexact, (p) => p.type)
      return collection(
        req.raw,
        'policies',
        rows.map((p) => policyBlobView(req.raw, p)),
        deps.config.listLimit,
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/policies/:policy_id',
    access: { rule: 'identity:get_policy' },
    params: PolicyParams,
    handler: async (req) => ({
      policy: policyBlobView(req.raw, await getPolicyBlob(deps.db, req.params.policy_id)),
    }),
  })

  app.route({
    method: 'POST',
    url: '/v3/policies',
    access: { rule: 'identity:create_policy' },
    body: PolicyCreate,
    handler: async (req, reply) => {
      const body = req.body.policy
      const policy = await createPolicyBlob(deps, {
        blob: body.blob,
        type: body.type,
        extra: splitExtra(body, POLICY_COLUMNS),
      })
      void reply.code(201)
      return { policy: policyBlobView(req.raw, policy) }
    },
  })

  app.route({
    method: 'PATCH',
    url: '/v3/policies/:policy_id',
    access: { rule: 'identity:update_policy' },
    params: PolicyParams,
    body: PolicyUpdate,
    handler: async (req) => {
      const body = req.body.policy
      const policy = await updatePolicyBlob(deps, req.params.policy_id, {
        id: body.id,
        blob: body.blob,
        type: body.type,
        extra: splitExtra(body, POLICY_COLUMNS),
      })
      return { policy: policyBlobView(req.raw, policy) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/policies/:policy_id',
    access: { rule: 'identity:delete_policy' },
    params: PolicyParams,
    handler: async (req, reply) => {
      await deletePolicyBlob(deps, req.params.policy_id)
      void reply.code(204)
    },
  })
}
