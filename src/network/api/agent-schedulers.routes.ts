/**
 * @module Neutron's dhcp_agent_scheduler and l3_agent_scheduler extensions (admins only): the
 * networks a DHCP agent hosts and the DHCP agents of a network, the routers an L3 agent hosts
 * and the L3 agents of a router; operators add and remove them by hand. Both have one shape,
 * so one table drives their routes.
 */
import type { FastifyRequest } from 'fastify'
import {
  addNetworkToDhcpAgent,
  addRouterToL3Agent,
  agentsHosting,
  hostedIds,
  removeNetworkFromDhcpAgent,
  removeRouterFromL3Agent,
} from '../core/agent-scheduler.js'
import type { Caller, NetworkDeps } from '../core/deps.js'
import { findRouter } from '../core/l3-db.js'
import { findNetwork, networkItems } from '../core/networks.js'
import { routerItems } from '../core/routers.js'
import { networkErrors } from '../errors.js'
import { callerOf, type NetworkApi } from './collection.js'

interface Scheduled {
  kind: 'network' | 'router'
  /** Under /v2.0/agents/{id}/ (Neutron's resource and its member name in policy rules). */
  agentPath: 'dhcp-networks' | 'l3-routers'
  member: 'dhcp-network' | 'l3-router'
  /** Under /v2.0/{collection}/{id}/. */
  collection: 'networks' | 'routers'
  hostsPath: 'dhcp-agents' | 'l3-agents'
  bodyKey: 'network_id' | 'router_id'
  find(deps: NetworkDeps, caller: Caller, id: string): Promise<{ id: string }>
  items(deps: NetworkDeps, ids: string[]): Promise<Record<string, unknown>[]>
  add(deps: NetworkDeps, agentId: string, id: string): Promise<void>
  remove(deps: NetworkDeps, agentId: string, id: string): Promise<void>
}

const SCHEDULED: readonly Scheduled[] = [
  {
    kind: 'network',
    agentPath: 'dhcp-networks',
    member: 'dhcp-network',
    collection: 'networks',
    hostsPath: 'dhcp-agents',
    bodyKey: 'network_id',
    find: findNetwork,
    items: async (deps, ids) =>
      networkItems(
        deps,
        await deps.db.selectFrom('network').selectAll().where('id', 'in', ids).execute(),
      ),
    add: addNetworkToDhcpAgent,
    remove: removeNetworkFromDhcpAgent,
  },
  {
    kind: 'router',
    agentPath: 'l3-routers',
    member: 'l3-router',
    collection: 'routers',
    hostsPath: 'l3-agents',
    bodyKey: 'router_id',
    find: findRouter,
    items: async (deps, ids) =>
      routerItems(
        deps,
        await deps.db.selectFrom('router').selectAll().where('id', 'in', ids).execute(),
      ),
    add: addRouterToL3Agent,
    remove: removeRouterFromL3Agent,
  },
]

function idIn(body: unknown, key: string): string {
  const value =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined
  if (typeof value !== 'string' || value === '')
    throw networkErrors.badRequest(
      `Failed to parse request. Required attribute '${key}' not specified`,
    )
  return value
}

export function agentSchedulersRoutes({ app, deps }: NetworkApi): void {
  const allow = (req: FastifyRequest, rule: string) => app.enforce(rule, {}, req.auth)
  const param = (req: FastifyRequest, name: string) =>
    (req.params as Record<string, string>)[name] ?? ''

  for (const s of SCHEDULED) {
    const base = `/v2.0/agents/:id/${s.agentPath}`
    app.route({
      method: 'GET',
      url: base,
      access: 'token',
      handler: async (req) => {
        allow(req.raw, `get_${s.agentPath}`)
        const ids = await hostedIds(deps, param(req.raw, 'id'), s.kind)
        return { [s.collection]: ids.length === 0 ? [] : await s.items(deps, ids) }
      },
    })
    app.route({
      method: 'POST',
      url: base,
      access: 'token',
      handler: async (req, reply) => {
        allow(req.raw, `create_${s.member}`)
        const target = await s.find(deps, callerOf(req.raw), idIn(req.body, s.bodyKey))
        await s.add(deps, param(req.raw, 'id'), target.id)
        // Neutron answers the nothing its plugin returns.
        return reply.code(201).header('content-type', 'application/json').send('null')
      },
    })
    app.route({
      method: 'DELETE',
      url: `${base}/:resource_id`,
      access: 'token',
      handler: async (req, reply) => {
        allow(req.raw, `delete_${s.member}`)
        await s.remove(deps, param(req.raw, 'id'), param(req.raw, 'resource_id'))
        return reply.code(204).send()
      },
    })
    app.route({
      method: 'GET',
      url: `/v2.0/${s.collection}/:id/${s.hostsPath}`,
      access: 'token',
      handler: async (req) => {
        allow(req.raw, `get_${s.hostsPath}`)
        return { agents: await agentsHosting(deps, s.kind, param(req.raw, 'id')) }
      },
    })
  }
}
