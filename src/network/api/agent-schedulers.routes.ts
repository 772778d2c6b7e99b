/**
 * @module Neutron's dhcp_agent_scheduler and l3_agent_scheduler extensions (admins only): the
 * networks a DHCP agent hosts and the DHCP agents of a network, the routers an L3 agent hosts
 * and the L3 agents of a router; operators add and remove them by hand.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  addNetworkToDhcpAgent,
  addRouterToL3Agent,
  agentsHosting,
  hostedIds,
  removeNetworkFromDhcpAgent,
  removeRouterFromL3Agent,
} from '../core/agent-scheduler.js'
import { findNetwork, networkItems } from '../core/networks.js'
import { findRouter } from '../core/l3-db.js'
import { routerItems } from '../core/routers.js'
import { networkErrors } from '../errors.js'
import { callerOf, type NetworkApi } from './collection.js'

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
  const created = (reply: FastifyReply) =>
    reply.code(201).header('content-type', 'application/json').send('null')

  app.route({
    method: 'GET',
    url: '/v2.0/agents/:id/dhcp-networks',
    access: 'token',
    handler: async (req) => {
      allow(req.raw, 'get_dhcp-networks')
      const ids = await hostedIds(deps, param(req.raw, 'id'), 'network')
      const rows =
        ids.length === 0
          ? []
          : await deps.db.selectFrom('network').selectAll().where('id', 'in', ids).execute()
      return { networks: await networkItems(deps, rows) }
    },
  })
  app.route({
    method: 'POST',
    url: '/v2.0/agents/:id/dhcp-networks',
    access: 'token',
    handler: async (req, reply) => {
      allow(req.raw, 'create_dhcp-network')
      const network = await findNetwork(deps, callerOf(req.raw), idIn(req.body, 'network_id'))
      await addNetworkToDhcpAgent(deps, param(req.raw, 'id'), network.id)
      return created(reply)
    },
  })
  app.route({
    method: 'DELETE',
    url: '/v2.0/agents/:id/dhcp-networks/:network_id',
    access: 'token',
    handler: async (req, reply) => {
      allow(req.raw, 'delete_dhcp-network')
      await removeNetworkFromDhcpAgent(deps, param(req.raw, 'id'), param(req.raw, 'network_id'))
      return reply.code(204).send()
    },
  })
  app.route({
    method: 'GET',
    url: '/v2.0/networks/:id/dhcp-agents',
    access: 'token',
    handler: async (req) => {
      allow(req.raw, 'get_dhcp-agents')
      return { agents: await agentsHosting(deps, 'network', param(req.raw, 'id')) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.0/agents/:id/l3-routers',
    access: 'token',
    handler: async (req) => {
      allow(req.raw, 'get_l3-routers')
      const ids = await hostedIds(deps, param(req.raw, 'id'), 'router')
      const rows =
        ids.length === 0
          ? []
          : await deps.db.selectFrom('router').selectAll().where('id', 'in', ids).execute()
      return { routers: await routerItems(deps, rows) }
    },
  })
  app.route({
    method: 'POST',
    url: '/v2.0/agents/:id/l3-routers',
    access: 'token',
    handler: async (req, reply) => {
      allow(req.raw, 'create_l3-router')
      const router = await findRouter(deps, callerOf(req.raw), idIn(req.body, 'router_id'))
      await addRouterToL3Agent(deps, param(req.raw, 'id'), router.id)
      return created(reply)
    },
  })
  app.route({
    method: 'DELETE',
    url: '/v2.0/agents/:id/l3-routers/:router_id',
    access: 'token',
    handler: async (req, reply) => {
      allow(req.raw, 'delete_l3-router')
      await removeRouterFromL3Agent(deps, param(req.raw, 'id'), param(req.raw, 'router_id'))
      return reply.code(204).send()
    },
  })
  app.route({
    method: 'GET',
    url: '/v2.0/routers/:id/l3-agents',
    access: 'token',
    handler: async (req) => {
      allow(req.raw, 'get_l3-agents')
      return { agents: await agentsHosting(deps, 'router', param(req.raw, 'id')) }
    },
  })
}
