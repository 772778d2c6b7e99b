/**
 * @module /os-quota-sets/{project}: limits (show), limits with usage (detail), defaults, and the
 * admin's update and delete, for a project or, with `?user_id=`, a user in it. Which
 * resources appear depends on the microversion (2.36 drops the nova-network ones, 2.57 the
 * personality ones).
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  checkSettable,
  deleteQuotaLimits,
  quotaUsages,
  setQuotaLimits,
  settableRanges,
} from '../core/quota-sets.js'
import {
  classLimits,
  projectLimits,
  QUOTA_RESOURCES,
  type QuotaLimits,
  type QuotaResource,
} from '../core/quotas.js'
import type { ComputeDeps } from '../core/deps.js'
import { computeErrors } from '../errors.js'
import {
  type ComputeApi,
  enforce,
  mv,
  param,
  queryValue,
  validateBody,
  validateQuery,
} from './compute-api.js'
import { NOVA_BOOLEAN, novaBool, numberInRange } from './nova-params.js'

export const NETWORK_QUOTAS: readonly QuotaResource[] = [
  'fixed_ips',
  'floating_ips',
  'security_group_rules',
  'security_groups',
]
export const PERSONALITY_QUOTAS: readonly QuotaResource[] = [
  'injected_files',
  'injected_file_content_bytes',
  'injected_file_path_bytes',
]

/** The resources os-quota-sets shows at the request's microversion. */
function quotaSetKeys(req: FastifyRequest): QuotaResource[] {
  const hidden = mv(req, '2.57')
    ? [...NETWORK_QUOTAS, ...PERSONALITY_QUOTAS]
    : mv(req, '2.36')
      ? NETWORK_QUOTAS
      : []
  return QUOTA_RESOURCES.filter((r) => !hidden.includes(r))
}

/** Nova's common_quota: an integer or an integer string, -1 (unlimited) .. 2^31-1. */
export const QUOTA_VALUE = Type.Unsafe<number | string>({
  type: ['integer', 'string'],
  pattern: '^-?[0-9]+$',
})
const MAX_INT = 0x7fffffff

export function quotaValue(resource: string, value: number | string): number {
  return numberInRange(resource, value, -1, MAX_INT)
}

/** The resources of a validated update body in body order, as numbers (400 when out of range). */
export function quotaValues(body: Record<string, unknown>): [QuotaResource, number][] {
  const values: [QuotaResource, number][] = []
  for (const [key, raw] of Object.entries(body)) {
    const resource = QUOTA_RESOURCES.find((r) => r === key)
    if (resource !== undefined && (typeof raw === 'number' || typeof raw === 'string'))
      values.push([resource, quotaValue(resource, raw)])
  }
  return values
}

function updateSchema(keys: readonly string[], withNetworks: boolean) {
  const properties: Record<string, typeof QUOTA_VALUE | typeof NOVA_BOOLEAN> = {}
  for (const k of keys) properties[k] = Type.Optional(QUOTA_VALUE)
  if (withNetworks) properties.networks = Type.Optional(QUOTA_VALUE)
  properties.force = Type.Optional(NOVA_BOOLEAN)
  return Type.Object(
    { quota_set: Type.Object(properties, { additionalProperties: false }) },
    { additionalProperties: false },
  )
}
const withoutNetwork = QUOTA_RESOURCES.filter((r) => !NETWORK_QUOTAS.includes(r))
const UPDATE = updateSchema(QUOTA_RESOURCES, true)
const UPDATE_236 = updateSchema(withoutNetwork, false)
const UPDATE_257 = updateSchema(
  withoutNetwork.filter((r) => !PERSONALITY_QUOTAS.includes(r)),
  false,
)

const querySchema = (strict: boolean) => ({
  type: 'object',
  properties: { user_id: { type: 'array', items: { type: 'string' } } },
  additionalProperties: !strict,
})
const QUERY = querySchema(false)
const QUERY_275 = querySchema(true)

/** Validates the query; the user whose quota is meant, if any. */
function userOf(req: FastifyRequest): string | undefined {
  validateQuery(mv(req, '2.75') ? QUERY_275 : QUERY, { ...(req.query as object) })
  return queryValue(req, 'user_id') || undefined
}

/** Nova asks identity whether the project exists before showing or changing its quotas. */
export async function verifyProject(deps: Pick<ComputeDeps, 'projects'>, id: string) {
  if (!(await deps.projects.exists(id)))
    throw computeErrors.badRequest(`Project ID ${id} is not a valid project.`)
}

function pick<T>(keys: readonly QuotaResource[], value: (r: QuotaResource) => T) {
  return Object.fromEntries(keys.map((r) => [r, value(r)]))
}

export function quotaSetRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const rule = (action: string) => `os_compute_api:os-quota-sets:${action}`
  const limitsOf = (projectId: string, userId: string | undefined): Promise<QuotaLimits> =>
    userId === undefined ? projectLimits(deps, projectId) : projectLimits(deps, projectId, userId)

  app.route({
    method: 'GET',
    url: '/v2.1/os-quota-sets/:id',
    access: 'token',
    handler: async (req) => {
      const id = param(req.raw, 'id')
      const userId = userOf(req.raw)
      enforce(api, req.raw, rule('show'), { project_id: id })
      await verifyProject(deps, id)
      const limits = await limitsOf(id, userId)
      return { quota_set: { id, ...pick(quotaSetKeys(req.raw), (r) => limits[r]) } }
    },
  })
  app.route({
    method: 'GET',
    url: '/v2.1/os-quota-sets/:id/detail',
    access: 'token',
    handler: async (req) => {
      const id = param(req.raw, 'id')
      const userId = userOf(req.raw)
      enforce(api, req.raw, rule('detail'), { project_id: id })
      await verifyProject(deps, id)
      const limits = await limitsOf(id, userId)
      const used = await quotaUsages(deps, id, userId)
      const detail = (r: QuotaResource) => ({ limit: limits[r], in_use: used[r], reserved: 0 })
      return { quota_set: { id, ...pick(quotaSetKeys(req.raw), detail) } }
    },
  })
  app.route({
    method: 'GET',
    url: '/v2.1/os-quota-sets/:id/defaults',
    access: 'token',
    handler: async (req) => {
      const id = param(req.raw, 'id')
      enforce(api, req.raw, rule('defaults'), { project_id: id })
      await verifyProject(deps, id)
      const limits = await classLimits(deps)
      return { quota_set: { id, ...pick(quotaSetKeys(req.raw), (r) => limits[r]) } }
    },
  })
  app.route({
    method: 'PUT',
    url: '/v2.1/os-quota-sets/:id',
    access: 'token',
    handler: async (req) => {
      const schema = mv(req.raw, '2.57') ? UPDATE_257 : mv(req.raw, '2.36') ? UPDATE_236 : UPDATE
      const body = validateBody(schema, req.body).quota_set
      const wanted = quotaValues(body)
      const id = param(req.raw, 'id')
      const userId = userOf(req.raw)
      enforce(api, req.raw, rule('update'), { project_id: id })
      await verifyProject(deps, id)
      if ('networks' in body) throw computeErrors.badRequest('The networks quota has been removed')
      if (!novaBool(body.force, false)) {
        const ranges = await settableRanges(deps, id, userId)
        for (const [resource, value] of wanted) checkSettable(resource, value, ranges[resource])
      }
      await setQuotaLimits(deps, id, userId ?? '', Object.fromEntries(wanted))
      const limits = await limitsOf(id, userId)
      return { quota_set: pick(quotaSetKeys(req.raw), (r) => limits[r]) }
    },
  })
  app.route({
    method: 'DELETE',
    url: '/v2.1/os-quota-sets/:id',
    access: 'token',
    handler: async (req, reply) => {
      const id = param(req.raw, 'id')
      const userId = userOf(req.raw)
      enforce(api, req.raw, rule('delete'), { project_id: id })
      await deleteQuotaLimits(deps, id, userId)
      void reply.code(202)
      return undefined
    },
  })
}
