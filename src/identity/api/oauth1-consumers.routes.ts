/**
 * @module /v3/OS-OAUTH1/consumers: OAuth1 consumer CRUD (admin only). Keystone accepts a
 * missing body or envelope here (an empty consumer), so bodies are checked by hand.
 */
import type { FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import {
  CONSUMER_ATTRIBUTES,
  type Consumer,
  createConsumer,
  deleteConsumer,
  getConsumer,
  listConsumers,
  updateConsumer,
} from '../core/consumers.js'
import { extrasOf, normalizeKeys } from '../core/delegation.js'
import { badRequest } from '../errors.js'
import type { IdentityApi } from './identity-api.js'
import { collection, entityLink } from './links.js'

const ConsumerParams = Type.Object({ consumer_id: Type.String() })

function consumerView(
  req: FastifyRequest,
  c: Consumer,
  withSecret = false,
): Record<string, unknown> {
  return {
    ...c.extra,
    id: c.id,
    description: c.description,
    ...(withSecret ? { secret: c.secret } : {}),
    links: entityLink(req, `OS-OAUTH1/consumers/${c.id}`),
  }
}

/** `body.consumer`, `{}` when absent; 400 unless an object whose description is text or null. */
function consumerBody(body: unknown): Record<string, unknown> {
  // SAFETY: an object (checked inline); its consumer key is validated below.
  const value =
    typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>).consumer
      : undefined
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest(
      `Invalid input for field '/': ${JSON.stringify(value)} is not of type 'object'`,
    )
  // SAFETY: checked to be a non-array object just above.
  const consumer = value as Record<string, unknown>
  const d = consumer.description
  if (d !== undefined && d !== null && typeof d !== 'string')
    throw badRequest(
      `Invalid input for field 'description': ${JSON.stringify(d)} is not of type 'string', 'null'`,
    )
  return consumer
}

export function oauth1ConsumersRoutes({ app, deps }: IdentityApi): void {
  app.route({
    method: 'POST',
    url: '/v3/OS-OAUTH1/consumers',
    access: { rule: 'identity:create_consumer' },
    handler: async (req, reply) => {
      const body = normalizeKeys(consumerBody(req.body))
      const c = await createConsumer(deps.db, {
        description: typeof body.description === 'string' ? body.description : null,
        extra: extrasOf(body, CONSUMER_ATTRIBUTES),
      })
      void reply.code(201)
      return { consumer: consumerView(req.raw, c, true) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/OS-OAUTH1/consumers',
    access: { rule: 'identity:list_consumers' },
    handler: async (req) => {
      const consumers = await listConsumers(deps.db)
      return collection(
        req.raw,
        'consumers',
        consumers.map((c) => consumerView(req.raw, c)),
      )
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/OS-OAUTH1/consumers/:consumer_id',
    access: { rule: 'identity:get_consumer' },
    params: ConsumerParams,
    handler: async (req) => ({
      consumer: consumerView(req.raw, await getConsumer(deps.db, req.params.consumer_id)),
    }),
  })

  app.route({
    method: 'PATCH',
    url: '/v3/OS-OAUTH1/consumers/:consumer_id',
    access: { rule: 'identity:update_consumer' },
    params: ConsumerParams,
    handler: async (req) => {
      const raw = consumerBody(req.body)
      if (Object.keys(raw).length === 0)
        throw badRequest("Invalid input for field '/': {} does not have enough properties")
      if ('secret' in raw)
        throw badRequest("Invalid input for field '/': the consumer secret cannot be updated")
      const patch = normalizeKeys(raw)
      if (patch.id !== undefined && patch.id !== null && patch.id !== req.params.consumer_id)
        throw badRequest('Cannot change ID')
      const c = await updateConsumer(deps.db, req.params.consumer_id, {
        ...('description' in patch
          ? { description: typeof patch.description === 'string' ? patch.description : null }
          : {}),
        extra: extrasOf(patch, CONSUMER_ATTRIBUTES),
      })
      return { consumer: consumerView(req.raw, c) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/OS-OAUTH1/consumers/:consumer_id',
    access: { rule: 'identity:delete_consumer' },
    params: ConsumerParams,
    handler: async (req, reply) => {
      await deleteConsumer(deps, req.params.consumer_id)
      void reply.code(204)
    },
  })
}
