/**
 * @module /os-keypairs in every microversion band: 2.1 (create 200, delete 202, no type), 2.2
 * (`type`, 201/204), 2.10 (`user_id` for admins), 2.35 (paging), 2.75 (unknown query
 * parameters refused).
 */
import { type Static, type TProperties, Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  createKeyPair,
  deleteKeyPair,
  getKeyPair,
  type KeyPairRow,
  listKeyPairs,
} from '../core/keypairs.js'
import {
  callerOf,
  type ComputeApi,
  enforce,
  mv,
  nextLinks,
  param,
  queryValue,
  validateBody,
  validateQuery,
} from './compute-api.js'
import { multi, NON_NEGATIVE } from './nova-params.js'
import { checkKeypairName } from './name-checks.js'
import { isoMicros } from './time-format.js'

const querySchemas = new Map<string, object>()

/** Nova's query schema of a band: user_id from 2.10, paging from 2.35, strict from 2.75. */
function querySchema(req: FastifyRequest, paging: boolean): object {
  const withUser = mv(req, '2.10')
  const withPaging = paging && mv(req, '2.35')
  const strict = mv(req, '2.75')
  const key = `${withUser}/${withPaging}/${strict}`
  let schema = querySchemas.get(key)
  if (!schema) {
    schema = {
      type: 'object',
      properties: {
        ...(withUser ? { user_id: multi({ type: 'string' }) } : {}),
        ...(withPaging ? { limit: multi(NON_NEGATIVE), marker: multi({ type: 'string' }) } : {}),
      },
      additionalProperties: !strict,
    }
    querySchemas.set(key, schema)
  }
  return schema
}

/** Validates the query and returns whose key pairs are meant (`?user_id=` from 2.10). */
function targetUser(req: FastifyRequest, paging: boolean): string {
  validateQuery(querySchema(req, paging), { ...(req.query as object) })
  const fromQuery = mv(req, '2.10') ? queryValue(req, 'user_id') : undefined
  return fromQuery || callerOf(req).userId
}

const KEY_TYPE = Type.Unsafe<'ssh' | 'x509'>({ type: 'string', enum: ['ssh', 'x509'] })

const NAME = Type.String({ minLength: 1, maxLength: 255 })
const strictObject = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: false })
const CREATE_21 = strictObject({
  keypair: strictObject({ name: NAME, public_key: Type.Optional(Type.String()) }),
})
const CREATE_22 = strictObject({
  keypair: strictObject({
    name: NAME,
    public_key: Type.Optional(Type.String()),
    type: Type.Optional(KEY_TYPE),
  }),
})
const CREATE_210 = strictObject({
  keypair: strictObject({
    name: NAME,
    public_key: Type.Optional(Type.String()),
    type: Type.Optional(KEY_TYPE),
    user_id: Type.Optional(Type.String()),
  }),
})

function listItem(req: FastifyRequest, k: KeyPairRow) {
  return {
    keypair: {
      name: k.name,
      public_key: k.public_key,
      fingerprint: k.fingerprint,
      ...(mv(req, '2.2') ? { type: k.type } : {}),
    },
  }
}

function showView(req: FastifyRequest, k: KeyPairRow) {
  return {
    keypair: {
      name: k.name,
      public_key: k.public_key,
      fingerprint: k.fingerprint,
      user_id: k.user_id,
      created_at: isoMicros(k.created_at),
      deleted: false,
      deleted_at: null,
      id: k.id,
      updated_at: null,
      ...(mv(req, '2.2') ? { type: k.type } : {}),
    },
  }
}

export function keypairRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const rule = (action: string) => `os_compute_api:os-keypairs:${action}`
  app.route({
    method: 'GET',
    url: '/v2.1/os-keypairs',
    access: 'token',
    handler: async (req) => {
      const userId = targetUser(req.raw, true)
      enforce(api, req.raw, rule('index'), { user_id: userId })
      if (!mv(req.raw, '2.35')) {
        const rows = await listKeyPairs(deps, userId)
        return { keypairs: rows.map((k) => listItem(req.raw, k)) }
      }
      const maxLimit = deps.config.osapiMaxLimit
      const limitText = queryValue(req.raw, 'limit')
      const limit = limitText === undefined ? maxLimit : Math.min(maxLimit, Number(limitText))
      const rows = await listKeyPairs(deps, userId, {
        limit,
        marker: queryValue(req.raw, 'marker'),
      })
      const links = nextLinks(req.raw, 'os-keypairs', rows.length, limit, rows.at(-1)?.name)
      return {
        keypairs: rows.map((k) => listItem(req.raw, k)),
        ...(links ? { keypairs_links: links } : {}),
      }
    },
  })
  app.route({
    method: 'POST',
    url: '/v2.1/os-keypairs',
    access: 'token',
    handler: async (req, reply) => {
      const schema = mv(req.raw, '2.10') ? CREATE_210 : mv(req.raw, '2.2') ? CREATE_22 : CREATE_21
      const body: Static<typeof CREATE_210> = validateBody(schema, req.body)
      const k = body.keypair
      checkKeypairName(k.name)
      const caller = callerOf(req.raw)
      const userId = k.user_id || caller.userId
      enforce(api, req.raw, rule('create'), { user_id: userId })
      const created = await createKeyPair(deps, caller.projectId, {
        userId,
        name: k.name.trim(),
        type: k.type ?? 'ssh',
        publicKey: k.public_key,
      })
      const row = created.row
      if (mv(req.raw, '2.2')) void reply.code(201)
      return {
        keypair: {
          ...(created.privateKey === undefined ? {} : { private_key: created.privateKey }),
          ...(mv(req.raw, '2.2') ? { type: row.type } : {}),
          name: row.name,
          public_key: row.public_key,
          fingerprint: row.fingerprint,
          user_id: row.user_id,
        },
      }
    },
  })
  app.route({
    method: 'GET',
    url: '/v2.1/os-keypairs/:name',
    access: 'token',
    handler: async (req) => {
      const userId = targetUser(req.raw, false)
      enforce(api, req.raw, rule('show'), { user_id: userId })
      return showView(req.raw, await getKeyPair(deps, userId, param(req.raw, 'name')))
    },
  })
  app.route({
    method: 'DELETE',
    url: '/v2.1/os-keypairs/:name',
    access: 'token',
    handler: async (req, reply) => {
      const userId = targetUser(req.raw, false)
      enforce(api, req.raw, rule('delete'), { user_id: userId })
      await deleteKeyPair(deps, userId, param(req.raw, 'name'))
      void reply.code(mv(req.raw, '2.2') ? 204 : 202)
      return undefined
    },
  })
}
