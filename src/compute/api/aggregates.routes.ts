/**
 * @module /os-aggregates (admin): list, create, show, update, delete, and the add_host,
 * remove_host and set_metadata actions. Nova checks policy before it validates the id, and
 * answers 200 (not 201/204) everywhere for backwards compatibility.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  type Aggregate,
  addAggregateHost,
  createAggregate,
  deleteAggregate,
  getAggregate,
  listAggregates,
  removeAggregateHost,
  setAggregateMetadata,
  updateAggregate,
} from '../core/aggregates.js'
import { computeErrors } from '../errors.js'
import { type ComputeApi, enforce, mv, param, validateBody } from './compute-api.js'
import { checkName } from './name-checks.js'
import { fqdn } from './parameter-types.js'
import { isoMicros } from './time-format.js'

const NAME = Type.String({ minLength: 1, maxLength: 255 })
const ZONE = Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()])

const CREATE = Type.Object(
  {
    aggregate: Type.Object(
      { name: NAME, availability_zone: Type.Optional(ZONE) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

const UPDATE = Type.Object(
  {
    aggregate: Type.Object(
      { name: Type.Optional(NAME), availability_zone: Type.Optional(ZONE) },
      {
        additionalProperties: false,
        anyOf: [{ required: ['name'] }, { required: ['availability_zone'] }],
      },
    ),
  },
  { additionalProperties: false },
)

const HOST = Type.Object({ host: fqdn }, { additionalProperties: false })
const ADD_HOST = Type.Object({ add_host: HOST }, { additionalProperties: false })
const REMOVE_HOST = Type.Object({ remove_host: HOST }, { additionalProperties: false })

const SET_METADATA = Type.Object(
  {
    set_metadata: Type.Object(
      {
        metadata: Type.Record(
          Type.String({ pattern: '^[a-zA-Z0-9-_:. ]{1,255}$' }),
          Type.Union([Type.String({ maxLength: 255 }), Type.Null()]),
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

const PRINTABLE_NO_COLON = /^[^\p{C}\p{Zl}\p{Zp}:]*$/u
const EDGE_SPACE = /^\p{Zs}|\p{Zs}$/u

/** Nova's az_name format: printable, no ':', no leading or trailing whitespace. */
function checkZoneName(zone: string | null | undefined): void {
  if (zone === null || zone === undefined) return
  if (!PRINTABLE_NO_COLON.test(zone) || EDGE_SPACE.test(zone))
    throw computeErrors.badRequest(
      "An invalid 'name' value was provided. The name must be: printable characters except :.Can not start or end with whitespace.",
    )
}

/** Nova's name_with_leading_trailing_spaces: at least one printable non-space character. */
function checkSpacedName(value: string): string {
  const trimmed = value.trim()
  if (trimmed === '' || !/^[^\p{C}\p{Zl}\p{Zp}]*$/u.test(value))
    throw computeErrors.badRequest(
      "An invalid 'name' value was provided. The name must be: printable characters with at least one non space character",
    )
  return trimmed
}

/** utils.validate_integer: Python's int() of the path id. */
function aggregateId(req: FastifyRequest): number {
  const raw = param(req, 'id')
  if (!/^\s*[-+]?\d+\s*$/.test(raw))
    throw computeErrors.badRequest('Invalid input received: id must be an integer')
  return Number.parseInt(raw.trim(), 10)
}

function aggregateView(
  req: FastifyRequest,
  a: Aggregate,
  withMembers = true,
): Record<string, unknown> {
  return {
    availability_zone: a.metadata.availability_zone ?? null,
    created_at: isoMicros(a.created_at),
    deleted: false,
    deleted_at: null,
    id: a.id,
    name: a.name,
    updated_at: isoMicros(a.updated_at),
    ...(withMembers ? { hosts: a.hosts, metadata: a.metadata } : {}),
    ...(mv(req, '2.41') ? { uuid: a.uuid } : {}),
  }
}

export function aggregatesRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const policy = (req: FastifyRequest, action: string) => {
    enforce(api, req, `os_compute_api:os-aggregates:${action}`, {})
  }

  app.route({
    method: 'GET',
    url: '/v2.1/os-aggregates',
    access: 'token',
    handler: async (req) => {
      policy(req.raw, 'index')
      const all = await listAggregates(deps)
      return { aggregates: all.map((a) => aggregateView(req.raw, a)) }
    },
  })

  app.route({
    method: 'POST',
    url: '/v2.1/os-aggregates',
    access: 'token',
    handler: async (req) => {
      const { aggregate } = validateBody(CREATE, req.body)
      checkName(aggregate.name)
      checkZoneName(aggregate.availability_zone)
      policy(req.raw, 'create')
      const created = await createAggregate(deps, aggregate.name, aggregate.availability_zone)
      return { aggregate: aggregateView(req.raw, created, false) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.1/os-aggregates/:id',
    access: 'token',
    handler: async (req) => {
      policy(req.raw, 'show')
      return {
        aggregate: aggregateView(req.raw, await getAggregate(deps.db, aggregateId(req.raw))),
      }
    },
  })

  app.route({
    method: 'PUT',
    url: '/v2.1/os-aggregates/:id',
    access: 'token',
    handler: async (req) => {
      const { aggregate } = validateBody(UPDATE, req.body)
      const name = aggregate.name === undefined ? undefined : checkSpacedName(aggregate.name)
      checkZoneName(aggregate.availability_zone)
      policy(req.raw, 'update')
      const id = aggregateId(req.raw)
      const updated = await updateAggregate(deps, id, {
        ...(name === undefined ? {} : { name }),
        ...('availability_zone' in aggregate
          ? { availability_zone: aggregate.availability_zone ?? null }
          : {}),
      })
      return { aggregate: aggregateView(req.raw, updated) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v2.1/os-aggregates/:id',
    access: 'token',
    handler: async (req) => {
      policy(req.raw, 'delete')
      await deleteAggregate(deps, aggregateId(req.raw))
      return undefined
    },
  })

  app.route({
    method: 'POST',
    url: '/v2.1/os-aggregates/:id/action',
    access: 'token',
    handler: async (req) => {
      const body = req.body
      const action = actionOf(body)
      if (action === 'add_host') {
        const host = validateBody(ADD_HOST, body).add_host.host
        policy(req.raw, 'add_host')
        const a = await addAggregateHost(deps, aggregateId(req.raw), host)
        return { aggregate: aggregateView(req.raw, a) }
      }
      if (action === 'remove_host') {
        const host = validateBody(REMOVE_HOST, body).remove_host.host
        policy(req.raw, 'remove_host')
        const a = await removeAggregateHost(deps, aggregateId(req.raw), host)
        return { aggregate: aggregateView(req.raw, a) }
      }
      if (action === 'set_metadata') {
        const { metadata } = validateBody(SET_METADATA, body).set_metadata
        policy(req.raw, 'set_metadata')
        const a = await setAggregateMetadata(deps, aggregateId(req.raw), metadata)
        return { aggregate: aggregateView(req.raw, a) }
      }
      throw computeErrors.badRequest(`There is no such action: ${action}`)
    },
  })
}

/** Nova's action dispatch: exactly one top-level key naming the action. */
function actionOf(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw computeErrors.badRequest('Malformed request body')
  const keys = Object.keys(body)
  if (keys.length !== 1 || keys[0] === undefined)
    throw computeErrors.badRequest('Malformed request body')
  return keys[0]
}
