/**
 * @module /os-services (admin): list (filters host, binary), update and delete. Before 2.53
 * updates are actions named in the URL (`PUT /os-services/disable` with host and binary in the
 * body); from 2.53 the service uuid is in the URL and the body says what changes. Only
 * nova-compute services can be updated; a compute service hosting servers cannot be deleted.
 */
import { type Static, Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { serviceZones } from '../core/availability-zones.js'
import {
  type ServiceRow,
  assertNoDoneEvacuations,
  deleteService,
  findService,
  isServiceUp,
  listServices,
  updateService,
} from '../core/services.js'
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
import { multi } from './paging.js'
import { boolean, fqdn, toBool } from './parameter-types.js'
import { isoMicros } from './time-format.js'

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i
const REASON = Type.String({ minLength: 1, maxLength: 255 })

const LEGACY_UPDATE = Type.Object(
  {
    host: fqdn,
    binary: Type.String({ minLength: 1, maxLength: 255 }),
    disabled_reason: Type.Optional(REASON),
  },
  { additionalProperties: false },
)
const LEGACY_UPDATE_211 = Type.Object(
  {
    host: fqdn,
    binary: Type.String({ minLength: 1, maxLength: 255 }),
    disabled_reason: Type.Optional(REASON),
    forced_down: Type.Optional(boolean),
  },
  { additionalProperties: false },
)
const UPDATE_253 = Type.Object(
  {
    status: Type.Optional(Type.String({ enum: ['enabled', 'disabled'] })),
    disabled_reason: Type.Optional(REASON),
    forced_down: Type.Optional(boolean),
  },
  { additionalProperties: false },
)
const INDEX_QUERY = {
  host: multi(Type.String()),
  binary: multi(Type.String()),
}

function notComputeService(binary: string): Error {
  return computeErrors.badRequest(
    `Updating a ${binary} service is not supported. Only nova-compute services can be updated.`,
  )
}

export function servicesRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const policy = (req: FastifyRequest, action: string) => {
    enforce(api, req, `os_compute_api:os-services:${action}`, {})
  }

  async function serviceViews(
    req: FastifyRequest,
    services: ServiceRow[],
    withForcedDown: boolean,
  ): Promise<Record<string, unknown>[]> {
    const zones = await serviceZones(deps, services)
    return services.map((s, i) => ({
      binary: s.binary,
      host: s.host,
      id: mv(req, '2.53') ? s.id : s.seq,
      zone: zones[i],
      status: s.disabled === 1 ? 'disabled' : 'enabled',
      state: isServiceUp(deps, s) ? 'up' : 'down',
      updated_at: isoMicros(s.updated_at),
      disabled_reason: s.disabled_reason,
      ...(withForcedDown ? { forced_down: s.forced_down === 1 } : {}),
    }))
  }

  app.route({
    method: 'GET',
    url: '/v2.1/os-services',
    access: 'token',
    handler: async (req) => {
      validateQuery(Type.Object(INDEX_QUERY, { additionalProperties: !mv(req.raw, '2.75') }), {
        ...(req.query as object),
      })
      policy(req.raw, 'list')
      const host = queryValue(req.raw, 'host') ?? ''
      const binary = queryValue(req.raw, 'binary') ?? ''
      const services = (await listServices(deps)).filter(
        (s) => (host === '' || s.host === host) && (binary === '' || s.binary === binary),
      )
      return { services: await serviceViews(req.raw, services, mv(req.raw, '2.11')) }
    },
  })

  /** Before 2.53: enable, disable, disable-log-reason and (2.11) force-down by host and binary. */
  async function legacyUpdate(req: FastifyRequest, body: unknown) {
    const b: Static<typeof LEGACY_UPDATE_211> = mv(req, '2.11')
      ? validateBody(LEGACY_UPDATE_211, body)
      : validateBody(LEGACY_UPDATE, body)
    policy(req, 'update')
    const action = param(req, 'id')
    const actions = [
      'enable',
      'disable',
      'disable-log-reason',
      ...(mv(req, '2.11') ? ['force-down'] : []),
    ]
    if (!actions.includes(action)) throw computeErrors.notFound('Unknown action')
    let reason: string | undefined
    if (action === 'disable-log-reason') {
      if (b.disabled_reason === undefined)
        throw computeErrors.badRequest('Missing disabled reason field')
      reason = b.disabled_reason
    }
    let forcedDown: boolean | undefined
    if (action === 'force-down') {
      if (b.forced_down === undefined) throw computeErrors.badRequest('Missing forced_down field')
      forcedDown = toBool(b.forced_down)
    }
    if (b.binary !== 'nova-compute') throw notComputeService(b.binary)
    const service = (await listServices(deps)).find(
      (s) => s.host === b.host && s.binary === 'nova-compute',
    )
    if (!service) throw computeErrors.notFound(`Host '${b.host}' is not mapped to any cell`)
    if (forcedDown === false) await assertNoDoneEvacuations(deps, b.host)
    if (forcedDown !== undefined) {
      await updateService(deps, service.id, { forced_down: forcedDown })
      return { service: { host: b.host, binary: b.binary, forced_down: forcedDown } }
    }
    const disabled = action !== 'enable'
    await updateService(deps, service.id, { disabled, disabled_reason: reason ?? null })
    return {
      service: {
        host: b.host,
        binary: b.binary,
        status: disabled ? 'disabled' : 'enabled',
        ...(reason === undefined ? {} : { disabled_reason: reason }),
      },
    }
  }

  app.route({
    method: 'PUT',
    url: '/v2.1/os-services/:id',
    access: 'token',
    handler: async (req) => {
      if (!mv(req.raw, '2.53')) return legacyUpdate(req.raw, req.body)
      const b = validateBody(UPDATE_253, req.body)
      const id = param(req.raw, 'id')
      if (!UUID_RE.test(id)) throw computeErrors.badRequest(`Invalid uuid ${id}`)
      policy(req.raw, 'update')
      const service = await findService(deps, id, true)
      if (!service) throw computeErrors.notFound(`Service ${id} could not be found.`)
      if (service.binary !== 'nova-compute') throw notComputeService(service.binary)
      const changes: Parameters<typeof updateService>[2] = {}
      if (b.status === 'enabled') {
        if (b.disabled_reason !== undefined)
          throw computeErrors.badRequest(
            "Specifying 'disabled_reason' with status 'enabled' is invalid.",
          )
        changes.disabled = false
        changes.disabled_reason = null
      } else if (b.status === 'disabled') {
        changes.disabled = true
        changes.disabled_reason = b.disabled_reason ?? null
      }
      if (b.forced_down !== undefined) {
        changes.forced_down = toBool(b.forced_down)
        if (!changes.forced_down) await assertNoDoneEvacuations(deps, service.host)
      }
      if (Object.keys(changes).length === 0)
        throw computeErrors.badRequest(
          "No updates were requested. Fields 'status' or 'forced_down' should be specified.",
        )
      const updated = await updateService(deps, service.id, changes)
      const [view] = await serviceViews(req.raw, [updated], true)
      return { service: view }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v2.1/os-services/:id',
    access: 'token',
    handler: async (req, reply) => {
      policy(req.raw, 'delete')
      const id = param(req.raw, 'id')
      const isUuid = mv(req.raw, '2.53')
      if (isUuid && !UUID_RE.test(id)) throw computeErrors.badRequest(`Invalid uuid ${id}`)
      if (!isUuid && !/^\s*[-+]?\d+\s*$/.test(id))
        throw computeErrors.badRequest('Invalid input received: id must be an integer')
      const service = await findService(
        deps,
        isUuid ? id : String(Number.parseInt(id.trim(), 10)),
        isUuid,
      )
      if (!service) throw computeErrors.notFound(`Service ${id} not found.`)
      await deleteService(deps, service)
      void reply.code(204)
      return undefined
    },
  })
}
