/**
 * @module /os-quota-class-sets/{class} (admin): the limits of a quota class; the `default`
 * class supplies every project's defaults. Server group quotas appear from 2.50, when the
 * nova-network ones go; the personality ones go at 2.57.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { setClassLimits } from '../core/quota-sets.js'
import { classLimits, QUOTA_RESOURCES, type QuotaResource } from '../core/quotas.js'
import { computeErrors } from '../errors.js'
import { type ComputeApi, enforce, mv, param, validateBody } from './compute-api.js'
import {
  NETWORK_QUOTAS,
  PERSONALITY_QUOTAS,
  QUOTA_VALUE,
  quotaValues,
} from './quota-sets.routes.js'

const SERVER_GROUP_QUOTAS: readonly QuotaResource[] = ['server_groups', 'server_group_members']

function classKeys(req: FastifyRequest): QuotaResource[] {
  const hidden = mv(req, '2.57')
    ? [...NETWORK_QUOTAS, ...PERSONALITY_QUOTAS]
    : mv(req, '2.50')
      ? NETWORK_QUOTAS
      : SERVER_GROUP_QUOTAS
  return QUOTA_RESOURCES.filter((r) => !hidden.includes(r))
}

/** The update schema of a band; before 2.50 it also takes (and ignores) `networks`. */
function updateSchema(keys: readonly string[], withNetworks: boolean) {
  const properties: Record<string, typeof QUOTA_VALUE> = {}
  for (const k of keys) properties[k] = Type.Optional(QUOTA_VALUE)
  if (withNetworks) properties.networks = Type.Optional(QUOTA_VALUE)
  return Type.Object(
    { quota_class_set: Type.Object(properties, { additionalProperties: false }) },
    { additionalProperties: false },
  )
}
const withoutNetwork = QUOTA_RESOURCES.filter((r) => !NETWORK_QUOTAS.includes(r))
const UPDATE = updateSchema(QUOTA_RESOURCES, true)
const UPDATE_250 = updateSchema(withoutNetwork, false)
const UPDATE_257 = updateSchema(
  withoutNetwork.filter((r) => !PERSONALITY_QUOTAS.includes(r)),
  false,
)

export function quotaClassSetRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const view = async (req: FastifyRequest, name: string) => {
    const limits = await classLimits(deps, name)
    return Object.fromEntries(classKeys(req).map((r) => [r, limits[r]]))
  }
  app.route({
    method: 'GET',
    url: '/v2.1/os-quota-class-sets/:id',
    access: 'token',
    handler: async (req) => {
      enforce(api, req.raw, 'os_compute_api:os-quota-class-sets:show', {})
      const id = param(req.raw, 'id')
      return { quota_class_set: { id, ...(await view(req.raw, id)) } }
    },
  })
  app.route({
    method: 'PUT',
    url: '/v2.1/os-quota-class-sets/:id',
    access: 'token',
    handler: async (req) => {
      const schema = mv(req.raw, '2.57') ? UPDATE_257 : mv(req.raw, '2.50') ? UPDATE_250 : UPDATE
      const values = quotaValues(validateBody(schema, req.body).quota_class_set)
      enforce(api, req.raw, 'os_compute_api:os-quota-class-sets:update', {})
      const id = param(req.raw, 'id')
      if (id.length > 255)
        throw computeErrors.badRequest(
          `quota_class_name has ${id.length} characters, more than 255.`,
        )
      await setClassLimits(deps, id, Object.fromEntries(values))
      return { quota_class_set: await view(req.raw, id) }
    },
  })
}
