/**
 * @module /os-hosts (admin, up to 2.42; 404 from 2.43): the services by host and zone, a compute
 * host's resources, enabling or maintaining a host, and host power actions. The last two go to
 * the host's compute agent, whose driver may not support them (501, as with libvirt).
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  hostPowerAction,
  hostResources,
  listHostRows,
  setHostEnabled,
  setHostMaintenance,
} from '../core/hosts.js'
import { computeErrors } from '../errors.js'
import { HOST_POWER_ACTIONS } from '../virt/driver.js'
import { type ComputeApi, enforce, mv, param, validateBody, validateQuery } from './compute-api.js'
import { multi } from './paging.js'

const SWITCH = Type.String({
  enum: ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE'],
})
// Nova meant to require one of the two, but its anyOf sits inside `properties`, so `{}` passes
// and gets `{"host": <name>}` back.
const UPDATE = Type.Object(
  { status: Type.Optional(SWITCH), maintenance_mode: Type.Optional(SWITCH) },
  { additionalProperties: false },
)
// Unknown query parameters stay allowed: the API was frozen before 2.75 made them errors.
const INDEX_QUERY = Type.Object({ zone: multi(Type.String()) })

/** The policy names of the power actions (startup's is `start`). */
const POWER_POLICIES = { startup: 'start', shutdown: 'shutdown', reboot: 'reboot' } as const

function isEnable(value: string): boolean {
  return value.trim().toLowerCase() === 'enable'
}

export function hostsRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const policy = (req: FastifyRequest, action: string) => {
    enforce(api, req, `os_compute_api:os-hosts:${action}`, {})
  }
  const removedAt243 = (req: FastifyRequest) => {
    if (mv(req, '2.43')) throw computeErrors.notFound('The resource could not be found.')
  }

  app.route({
    method: 'GET',
    url: '/v2.1/os-hosts',
    access: 'token',
    handler: async (req) => {
      removedAt243(req.raw)
      validateQuery(INDEX_QUERY, { ...(req.query as object) })
      policy(req.raw, 'list')
      // SAFETY: Fastify's query parser yields strings or arrays of strings.
      const raw = (req.query as Record<string, string | string[] | undefined>).zone
      // webob's GET.get answers the last of repeated values; an empty zone filters nothing.
      const zone = Array.isArray(raw) ? raw[raw.length - 1] : raw
      return { hosts: await listHostRows(deps, zone) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.1/os-hosts/:host',
    access: 'token',
    handler: async (req) => {
      removedAt243(req.raw)
      policy(req.raw, 'show')
      const resources = await hostResources(deps, param(req.raw, 'host'))
      return { host: resources.map((resource) => ({ resource })) }
    },
  })

  app.route({
    method: 'PUT',
    url: '/v2.1/os-hosts/:host',
    access: 'token',
    handler: async (req) => {
      removedAt243(req.raw)
      const body = validateBody(UPDATE, req.body)
      policy(req.raw, 'update')
      const host = param(req.raw, 'host')
      const result: Record<string, string> = { host }
      if (body.status !== undefined)
        result.status = await setHostEnabled(deps, host, isEnable(body.status))
      if (body.maintenance_mode !== undefined)
        result.maintenance_mode = await setHostMaintenance(
          deps,
          host,
          isEnable(body.maintenance_mode),
        )
      return result
    },
  })

  for (const action of HOST_POWER_ACTIONS) {
    app.route({
      method: 'GET',
      url: `/v2.1/os-hosts/:host/${action}`,
      access: 'token',
      handler: async (req) => {
        removedAt243(req.raw)
        policy(req.raw, POWER_POLICIES[action])
        const host = param(req.raw, 'host')
        return { host, power_action: await hostPowerAction(deps, host, action) }
      },
    })
  }
}
