/**
 * @module /v2.0/quotas (Neutron's quotas, quota_details and quota-check-limit extensions): a
 * project reads its own limits; admins read anyone's, list the projects with limits of their
 * own, set and reset them.
 */
import type { FastifyRequest } from 'fastify'
import { type AttributeMap, intRange, prepareUpdate, toBoolean } from './attributes.js'
import { callerOf, type NetworkApi } from './collection.js'
import { pyStr } from '../core/security-group-errors.js'
import {
  allQuotaSets,
  defaultQuotaSet,
  deleteQuotaSet,
  QUOTA_NAMES,
  quotaDetails,
  quotaSet,
  updateQuotaSet,
} from '../core/quota-sets.js'
import type { QuotaResource } from '../core/quotas.js'
import { networkErrors, neutronError } from '../errors.js'

/** neutron-lib's convert_to_int: Python's int(), else InvalidInput. */
function convertToInt(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v)
  throw networkErrors.invalidInput(`'${pyStr(v)}' is not an integer`)
}

/** Every quota resource is writable, an integer from -1 (unlimited) to the DB's largest. */
const QUOTA_ATTRIBUTES: AttributeMap = Object.fromEntries(
  QUOTA_NAMES.map((name) => [
    name,
    { put: true, convert: convertToInt, validate: intRange(-1, 2147483647) },
  ]),
)

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

export function quotasRoutes({ app, deps }: NetworkApi): void {
  /** Neutron's validate_policy: the rule is checked against the caller's own project. */
  const checkPolicy = (req: FastifyRequest, rule: string) => {
    if (!app.allows(rule, { project_id: callerOf(req).projectId }, req.auth))
      throw networkErrors.policy(rule)
  }
  /** Reading another project's quotas takes get_quota; one's own is always allowed. */
  const checkRead = (req: FastifyRequest, projectId: string) => {
    if (projectId !== callerOf(req).projectId) checkPolicy(req, 'get_quota')
  }
  const idOf = (req: { params: unknown }) => (req.params as { id: string }).id

  app.route({
    method: 'GET',
    url: '/v2.0/quotas',
    access: 'token',
    handler: async (req) => {
      checkPolicy(req.raw, 'get_quota')
      return { quotas: await allQuotaSets(deps) }
    },
  })
  app.route({
    method: 'POST',
    url: '/v2.0/quotas',
    access: 'token',
    handler: () => {
      throw neutronError(
        'NotImplemented',
        'HTTPNotImplemented',
        'POST requests are not supported on this resource.',
      )
    },
  })
  for (const key of ['project', 'tenant'] as const)
    app.route({
      method: 'GET',
      url: `/v2.0/quotas/${key}`,
      access: 'token',
      handler: (req) => {
        const projectId = callerOf(req.raw).projectId
        if (!projectId)
          throw neutronError(
            'BadRequest',
            'QuotaMissingTenant',
            'Tenant-id was missing from quota request.',
          )
        return { [key]: { [`${key}_id`]: projectId } }
      },
    })
  app.route({
    method: 'GET',
    url: '/v2.0/quotas/:id',
    access: 'token',
    handler: async (req) => {
      checkRead(req.raw, idOf(req))
      return { quota: await quotaSet(deps, idOf(req)) }
    },
  })
  app.route({
    method: 'GET',
    url: '/v2.0/quotas/:id/default',
    access: 'token',
    handler: (req) => {
      checkRead(req.raw, idOf(req))
      return { quota: defaultQuotaSet(deps) }
    },
  })
  app.route({
    method: 'GET',
    url: '/v2.0/quotas/:id/details',
    access: 'token',
    handler: async (req) => {
      const caller = callerOf(req.raw)
      if (idOf(req) !== caller.projectId && !caller.isAdmin)
        throw neutronError(
          'Forbidden',
          'AdminRequired',
          'User does not have admin privileges: Only admin is authorized to access quotas for another project.',
        )
      return { quota: await quotaDetails(deps, idOf(req)) }
    },
  })
  app.route({
    method: 'PUT',
    url: '/v2.0/quotas/:id',
    access: 'token',
    handler: async (req) => {
      checkPolicy(req.raw, 'update_quota')
      const body = req.body
      if (!isObject(body)) throw networkErrors.badRequest('Resource body required')
      if (!('quota' in body))
        throw networkErrors.badRequest("Unable to find 'quota' in request body")
      if (!isObject(body.quota))
        throw networkErrors.badRequest("Object 'quota' contains invalid data")
      // `force` and `check_limit` steer the update; they are not limits.
      const { force: _force, check_limit: checkLimit, ...rest } = body.quota
      const clean = prepareUpdate(QUOTA_ATTRIBUTES, 'quota', rest, callerOf(req.raw))
      const limits: Partial<Record<QuotaResource, number>> = {}
      for (const name of QUOTA_NAMES) {
        const limit = clean[name]
        if (typeof limit === 'number') limits[name] = limit
      }
      return {
        quota: await updateQuotaSet(
          deps,
          idOf(req),
          limits,
          checkLimit !== undefined && checkLimit !== null && toBoolean(checkLimit) === true,
        ),
      }
    },
  })
  app.route({
    method: 'DELETE',
    url: '/v2.0/quotas/:id',
    access: 'token',
    handler: async (req, reply) => {
      checkPolicy(req.raw, 'delete_quota')
      await deleteQuotaSet(deps, idOf(req))
      return reply.code(204).send()
    },
  })
}
