/**
 * @module The nova-network era security group proxies up to 2.35 (404 from 2.36):
 * /os-security-groups and /os-security-group-rules, answered from the network service in
 * Nova's shapes; and /servers/{id}/os-security-groups (every microversion), the groups of the
 * server's ports.
 */
import type { FastifyRequest } from 'fastify'
import { computeErrors } from '../errors.js'
import { type NetworkClient, withStatuses } from '../network-client.js'
import { type ComputeApi, callerOf, enforce, mv, param, queryValue } from './compute-api.js'
import {
  checkGroupId,
  checkLegacyProperty,
  checkProperty,
  groupViews,
  ruleExists,
  ruleRequest,
  ruleView,
} from './security-groups.view.js'
import { serverFor } from './servers.routes.js'

/** Nova's MAX_PROXY_API_SUPPORT_VERSION: the proxies end at 2.35. */
export function proxyGone(req: FastifyRequest): void {
  if (mv(req, '2.36')) throw computeErrors.notFound('The resource could not be found.')
}

/** The network service, or the answer Nova gives without one (no group can exist). */
function networkOf(api: ComputeApi): NetworkClient {
  const network = api.deps.network
  if (!network) throw computeErrors.notImplemented('The requested functionality is not supported.')
  return network
}

/** Nova's _from_body. */
function fromBody(body: unknown, key: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Object.keys(body).length === 0)
    throw computeErrors.badRequest("The request body can't be empty")
  const value = (body as Record<string, unknown>)[key]
  if (value === undefined || value === null)
    throw computeErrors.badRequest(`Missing parameter ${key}`)
  if (typeof value !== 'object' || Array.isArray(value))
    throw computeErrors.badRequest(`Missing parameter ${key}`)
  return value as Record<string, unknown>
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
/** Python's sort by (tenant_id, name): code point order. */
const byTenantAndName = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  cmp(String(a.tenant_id), String(b.tenant_id)) || cmp(String(a.name), String(b.name))

/** The security group statuses of Nova's proxy: a missing group is 404, the rest 400. */
const GROUP_STATUSES = { SecurityGroupNotFound: 'NotFound', Invalid: 'BadRequest' } as const

function nonNegative(req: FastifyRequest, name: string): number | undefined {
  const v = queryValue(req, name)
  if (v === undefined) return undefined
  if (!/^\d+$/.test(v))
    throw computeErrors.badRequest(`Invalid input for query parameters ${name}. Value: ${v}.`)
  return Number(v)
}

export function securityGroupsRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const rule = (name: string) => `os_compute_api:os-security-groups:${name}`
  const legacy = api.deps.network?.legacy !== undefined

  app.route({
    method: 'GET',
    url: '/v2.1/os-security-groups',
    access: 'token',
    handler: async (req) => {
      proxyGone(req.raw)
      const offset = nonNegative(req.raw, 'offset') ?? 0
      const limit = nonNegative(req.raw, 'limit') || deps.config.osapiMaxLimit
      enforce(api, req.raw, rule('get'))
      const caller = callerOf(req.raw)
      const network = networkOf(api)
      const all = queryValue(req.raw, 'all_tenants') !== undefined
      const groups = (await network.listSecurityGroups(caller, all)).slice(
        offset,
        offset + Math.min(limit, deps.config.osapiMaxLimit),
      )
      const views = await groupViews(network, caller, groups)
      return { security_groups: views.sort(byTenantAndName) }
    },
  })

  app.route({
    method: 'POST',
    url: '/v2.1/os-security-groups',
    access: 'token',
    handler: async (req) => {
      proxyGone(req.raw)
      enforce(api, req.raw, rule('create'))
      const body = fromBody(req.body, 'security_group')
      const check = legacy ? checkLegacyProperty : checkProperty
      const name = check(body.name, 'name')
      const description = check(body.description, 'description')
      const caller = callerOf(req.raw)
      const network = networkOf(api)
      // nova-network kept names unique in a project (Neutron does not).
      if (legacy && (await network.listSecurityGroups(caller, false)).some((g) => g.name === name))
        throw computeErrors.badRequest(`Security group ${name} already exists`)
      const group = await network
        .createSecurityGroup(caller, name, description)
        .catch((err: unknown) => {
          throw withStatuses(err, {
            Invalid: 'BadRequest',
            SecurityGroupLimitExceeded: 'Forbidden',
          })
        })
      const [view] = await groupViews(network, caller, [group])
      return { security_group: view }
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.1/os-security-groups/:id',
    access: 'token',
    handler: async (req) => {
      proxyGone(req.raw)
      enforce(api, req.raw, rule('show'))
      const id = checkGroupId(param(req.raw, 'id'), legacy)
      const caller = callerOf(req.raw)
      const network = networkOf(api)
      const group = await network.getSecurityGroup(caller, id).catch((err: unknown) => {
        throw withStatuses(err, GROUP_STATUSES)
      })
      const [view] = await groupViews(network, caller, [group])
      return { security_group: view }
    },
  })

  app.route({
    method: 'PUT',
    url: '/v2.1/os-security-groups/:id',
    access: 'token',
    handler: async (req) => {
      proxyGone(req.raw)
      enforce(api, req.raw, rule('update'))
      const id = checkGroupId(param(req.raw, 'id'), legacy)
      const caller = callerOf(req.raw)
      const network = networkOf(api)
      const fail = (err: unknown) => {
        throw withStatuses(err, GROUP_STATUSES)
      }
      await network.getSecurityGroup(caller, id).catch(fail)
      const body = fromBody(req.body, 'security_group')
      const name = checkProperty(body.name, 'name')
      const description = checkProperty(body.description, 'description')
      const group = await network.updateSecurityGroup(caller, id, { name, description }).catch(fail)
      const [view] = await groupViews(network, caller, [group])
      return { security_group: view }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v2.1/os-security-groups/:id',
    access: 'token',
    handler: async (req, reply) => {
      proxyGone(req.raw)
      enforce(api, req.raw, rule('delete'))
      const id = checkGroupId(param(req.raw, 'id'), legacy)
      await networkOf(api)
        .deleteSecurityGroup(callerOf(req.raw), id)
        .catch((err: unknown) => {
          throw withStatuses(err, GROUP_STATUSES)
        })
      void reply.code(202)
      return undefined
    },
  })

  app.route({
    method: 'POST',
    url: '/v2.1/os-security-group-rules',
    access: 'token',
    handler: async (req) => {
      proxyGone(req.raw)
      enforce(api, req.raw, rule('rule:create'))
      const body = fromBody(req.body, 'security_group_rule')
      const caller = callerOf(req.raw)
      const network = networkOf(api)
      const statuses = { ...GROUP_STATUSES, SecurityGroupLimitExceeded: 'Forbidden' } as const
      const fail = (err: unknown) => {
        throw withStatuses(err, statuses)
      }
      const parent = await network
        .getSecurityGroup(caller, checkGroupId(body.parent_group_id, legacy))
        .catch(fail)
      const groupId =
        body.group_id === undefined || body.group_id === null
          ? null
          : checkGroupId(body.group_id, legacy)
      const source =
        groupId === null ? undefined : await network.getSecurityGroup(caller, groupId).catch(fail)
      const wanted = ruleRequest({
        parentGroupId: parent.id,
        groupId,
        protocol: body.ip_protocol,
        fromPort: body.from_port,
        toPort: body.to_port,
        cidr: body.cidr,
      })
      if (!wanted) throw computeErrors.badRequest('Not enough parameters to build a valid rule.')
      if (wanted.cidr !== null) {
        const [net = '', len] = wanted.cidr.split('/')
        if (net !== '0.0.0.0' && net !== '::' && len === '0')
          throw computeErrors.badRequest(`Bad prefix for network in cidr ${wanted.cidr}`)
      }
      if (ruleExists(parent, wanted))
        throw computeErrors.badRequest(`This rule already exists in group ${parent.id}`)
      const made = await network.createSecurityGroupRule(caller, wanted).catch(fail)
      return {
        security_group_rule: ruleView(
          made,
          source ? { name: source.name, tenant_id: source.projectId } : undefined,
        ),
      }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v2.1/os-security-group-rules/:id',
    access: 'token',
    handler: async (req, reply) => {
      proxyGone(req.raw)
      enforce(api, req.raw, rule('rule:delete'))
      const id = checkGroupId(param(req.raw, 'id'), legacy, 'Rule')
      const caller = callerOf(req.raw)
      const network = networkOf(api)
      const fail = (err: unknown) => {
        throw withStatuses(err, { ...GROUP_STATUSES, NoUniqueMatch: 'Conflict' })
      }
      const found = await network.getSecurityGroupRule(caller, id).catch(fail)
      await network.getSecurityGroup(caller, found.parentGroupId).catch(fail)
      await network.deleteSecurityGroupRule(caller, id).catch(fail)
      void reply.code(202)
      return undefined
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.1/servers/:server_id/os-security-groups',
    access: 'token',
    handler: async (req) => {
      const row = await serverFor(api, req.raw, rule('list'))
      const network = deps.network
      if (!network) return { security_groups: [] }
      const caller = callerOf(req.raw)
      const groups = await network.serverSecurityGroups(caller, row.id).catch((err: unknown) => {
        throw withStatuses(err, { SecurityGroupNotFound: 'NotFound' })
      })
      const views = await groupViews(network, caller, groups)
      return { security_groups: views.sort(byTenantAndName) }
    },
  })
}
