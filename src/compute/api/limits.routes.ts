/**
 * @module GET /limits: the caller's project limits and usage in Nova's absolute-limit names
 * (`?tenant_id=` another project's, admin only). Rate limits are long gone: always `[]`.
 * Keys disappear with the microversion: nova-network ones at 2.36, maxImageMeta at 2.39,
 * personality ones at 2.57.
 */
import type { FastifyRequest } from 'fastify'
import { quotaUsages } from '../core/quota-sets.js'
import { projectLimits, type QuotaLimits, type QuotaResource } from '../core/quotas.js'
import { callerOf, type ComputeApi, enforce, mv, validateQuery } from './compute-api.js'

const LIMIT_NAMES: [QuotaResource, string][] = [
  ['ram', 'maxTotalRAMSize'],
  ['instances', 'maxTotalInstances'],
  ['cores', 'maxTotalCores'],
  ['key_pairs', 'maxTotalKeypairs'],
  ['floating_ips', 'maxTotalFloatingIps'],
  ['metadata_items', 'maxServerMeta'],
  ['metadata_items', 'maxImageMeta'],
  ['injected_files', 'maxPersonality'],
  ['injected_file_content_bytes', 'maxPersonalitySize'],
  ['security_groups', 'maxSecurityGroups'],
  ['security_group_rules', 'maxSecurityGroupRules'],
  ['server_groups', 'maxServerGroups'],
  ['server_group_members', 'maxServerGroupMembers'],
]

const USED_NAMES: [QuotaResource, string][] = [
  ['ram', 'totalRAMUsed'],
  ['cores', 'totalCoresUsed'],
  ['instances', 'totalInstancesUsed'],
  ['floating_ips', 'totalFloatingIpsUsed'],
  ['security_groups', 'totalSecurityGroupsUsed'],
  ['server_groups', 'totalServerGroupsUsed'],
]

const querySchema = (strict: boolean) => ({
  type: 'object',
  properties: { tenant_id: { type: 'array', items: { type: 'string' } } },
  additionalProperties: !strict,
})
const QUERY = querySchema(false)
const QUERY_275 = querySchema(true)

function absolute(req: FastifyRequest, limits: QuotaLimits, used: QuotaLimits) {
  const hidden: QuotaResource[] = []
  if (mv(req, '2.36')) hidden.push('floating_ips', 'security_groups', 'security_group_rules')
  if (mv(req, '2.57')) hidden.push('injected_files', 'injected_file_content_bytes')
  const out: Record<string, number> = {}
  for (const [resource, name] of LIMIT_NAMES) {
    if (hidden.includes(resource) || (name === 'maxImageMeta' && mv(req, '2.39'))) continue
    out[name] = limits[resource]
  }
  for (const [resource, name] of USED_NAMES)
    if (!hidden.includes(resource)) out[name] = used[resource]
  return out
}

export function limitsRoutes(api: ComputeApi): void {
  const { app, deps } = api
  app.route({
    method: 'GET',
    url: '/v2.1/limits',
    access: 'token',
    handler: async (req) => {
      validateQuery(mv(req.raw, '2.75') ? QUERY_275 : QUERY, { ...(req.query as object) })
      enforce(api, req.raw, 'os_compute_api:limits', {})
      // SAFETY: Fastify's query parser yields strings or arrays of strings.
      const query = req.query as Record<string, string | string[] | undefined>
      let projectId = callerOf(req.raw).projectId
      if ('tenant_id' in query) {
        const v = query.tenant_id
        projectId = (Array.isArray(v) ? v[0] : v) ?? ''
        enforce(api, req.raw, 'os_compute_api:limits:other_project')
      }
      const limits = await projectLimits(deps, projectId)
      const used = await quotaUsages(deps, projectId)
      return { limits: { rate: [], absolute: absolute(req.raw, limits, used) } }
    },
  })
}
