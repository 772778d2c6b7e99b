/**
 * @module /v2.0/agents (admins only: others list nothing and find nothing) and
 * /v2.0/availability_zones (anyone), as Neutron's agent and availability_zone extensions.
 */
import type { FastifyRequest } from 'fastify'
import { type AttributeMap, isBoolean, memberBody, prepareUpdate, toBoolean } from './attributes.js'
import { callerOf, type NetworkApi } from './collection.js'
import { filterItems, type Query, selectFields, sortAndPage } from './list-query.js'
import {
  deleteAgent,
  listAgents,
  listAvailabilityZones,
  showAgent,
  updateAgent,
} from '../core/agents.js'
import { networkErrors, neutronError } from '../errors.js'

const descriptionOrNull = (v: unknown) =>
  v === null
    ? undefined
    : typeof v !== 'string'
      ? `'${JSON.stringify(v)}' is not a valid string`
      : v.length > 255
        ? `'${v}' exceeds maximum length of 255`
        : undefined

const AGENT_ATTRIBUTES: AttributeMap = {
  id: {},
  agent_type: {},
  binary: {},
  topic: {},
  host: {},
  admin_state_up: { put: true, convert: toBoolean, validate: isBoolean },
  created_at: {},
  started_at: {},
  heartbeat_timestamp: {},
  alive: {},
  configurations: {},
  description: { put: true, validate: descriptionOrNull },
  availability_zone: {},
  resources_synced: {},
}

/** A policy refusal on what the caller may not even see: Neutron pretends it is not there. */
function hidden(): Error {
  return neutronError('NotFound', 'HTTPNotFound', 'The resource could not be found.')
}

export function agentsRoutes({ app, deps }: NetworkApi): void {
  const base = '/v2.0/agents'
  const may = (req: FastifyRequest, rule: string) => app.allows(rule, {}, req.auth)
  const idOf = (req: { params: unknown }) => (req.params as { id: string }).id

  app.route({
    method: 'GET',
    url: base,
    access: 'token',
    handler: async (req) => {
      // SAFETY: Fastify's query parser yields strings and string arrays.
      const query = req.query as Query
      // Agents the caller may not see are left out, so non-admins get an empty list.
      const visible = may(req.raw, 'get_agent') ? await listAgents(deps) : []
      const filtered = filterItems(visible, query, {
        filterable: new Set(Object.keys(AGENT_ATTRIBUTES)),
      })
      const page = sortAndPage(filtered, query, {
        sortable: new Set(Object.keys(AGENT_ATTRIBUTES)),
        selfUrl: `${deps.publicUrl}${base}`,
        maxLimit: deps.config.paginationMaxLimit,
        markerNotFound: (id) => networkErrors.notFound('agent', id),
      })
      return {
        agents: page.items.map((i) => selectFields(i, query)),
        ...(page.links.length > 0 ? { agents_links: page.links } : {}),
      }
    },
  })
  app.route({
    method: 'GET',
    url: `${base}/:id`,
    access: 'token',
    handler: async (req) => {
      if (!may(req.raw, 'get_agent')) throw hidden()
      return { agent: selectFields(await showAgent(deps, idOf(req)), req.query as Query) }
    },
  })
  app.route({
    method: 'PUT',
    url: `${base}/:id`,
    access: 'token',
    handler: async (req) => {
      const attrs = prepareUpdate(
        AGENT_ATTRIBUTES,
        'agent',
        memberBody(req.body, 'agent'),
        callerOf(req.raw),
      )
      await showAgent(deps, idOf(req))
      if (!may(req.raw, 'update_agent')) throw hidden()
      return {
        agent: await updateAgent(deps, idOf(req), {
          ...(typeof attrs.admin_state_up === 'boolean'
            ? { admin_state_up: attrs.admin_state_up }
            : {}),
          ...('description' in attrs ? { description: attrs.description as string | null } : {}),
        }),
      }
    },
  })
  app.route({
    method: 'DELETE',
    url: `${base}/:id`,
    access: 'token',
    handler: async (req, reply) => {
      await showAgent(deps, idOf(req))
      if (!may(req.raw, 'delete_agent')) throw hidden()
      await deleteAgent(deps, idOf(req))
      return reply.code(204).send()
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.0/availability_zones',
    access: 'token',
    handler: async (req) => {
      const query = req.query as Query
      const zones = filterItems(await listAvailabilityZones(deps), query, {
        filterable: new Set(['name', 'resource', 'state']),
      })
      return { availability_zones: zones.map((z) => selectFields(z, query)) }
    },
  })
}
