/**
 * @module /servers/{id}/os-instance-actions[/{request_id}]: what was done to a server (newest
 * first), readable after the server is deleted from 2.21; 2.58 pages by request id and adds
 * updated_at and changes-since (2.66 changes-before); events for admins, or for anyone from
 * 2.51; host and hostId of events from 2.62.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { Selectable } from 'kysely'
import { loadInstance } from '../core/servers/records.js'
import type { InstanceActionEventTable, InstanceActionTable } from '../db/tables.js'
import { computeErrors } from '../errors.js'
import {
  allows,
  callerOf,
  type ComputeApi,
  enforce,
  mv,
  nextLinks,
  param,
  queryValue,
  validateQuery,
} from './compute-api.js'
import { limitAndMarker, single } from './paging.js'
import { nonNegativeInteger } from './parameter-types.js'
import { hostId } from './servers.view.js'
import { isoMicros } from './time-format.js'

type ActionRow = Selectable<InstanceActionTable>
type EventRow = Selectable<InstanceActionEventTable>

const querySchemas = new Map<boolean, object>()
function querySchema(req: FastifyRequest): object {
  const v266 = mv(req, '2.66')
  let s = querySchemas.get(v266)
  if (!s) {
    const time = single(Type.String())
    s = Type.Object(
      {
        limit: single(nonNegativeInteger),
        marker: single(Type.String()),
        'changes-since': time,
        ...(v266 ? { 'changes-before': time } : {}),
      },
      { additionalProperties: false },
    )
    querySchemas.set(v266, s)
  }
  return s
}

function queryTime(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined
  const zoned = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`
  const ms = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/.test(value) ? Date.parse(zoned.replace(' ', 'T')) : NaN
  if (Number.isNaN(ms))
    throw computeErrors.badRequest(
      `Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not a 'date-time'`,
    )
  return new Date(ms).toISOString()
}

function actionView(req: FastifyRequest, a: ActionRow): Record<string, unknown> {
  return {
    action: a.action,
    instance_uuid: a.instance_id,
    request_id: a.request_id,
    user_id: a.user_id,
    project_id: a.project_id,
    start_time: isoMicros(a.start_time),
    message: a.message,
    ...(mv(req, '2.58') ? { updated_at: isoMicros(a.updated_at) } : {}),
  }
}

export function instanceActionsRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const base = '/v2.1/servers/:server_id/os-instance-actions'

  async function server(req: FastifyRequest, rule: string) {
    const row = await loadInstance(deps, callerOf(req), param(req, 'server_id'), {
      includeDeleted: mv(req, '2.21'),
    })
    enforce(api, req, rule, { project_id: row.project_id })
    return row
  }

  app.route({
    method: 'GET',
    url: base,
    access: 'token',
    handler: async (req) => {
      const paged = mv(req.raw, '2.58')
      if (paged) validateQuery(querySchema(req.raw), { ...(req.query as object) })
      const row = await server(req.raw, 'os_compute_api:os-instance-actions:list')
      let q = deps.db.selectFrom('instance_action').selectAll().where('instance_id', '=', row.id)
      if (!paged) {
        const rows = await q.orderBy('start_time', 'desc').execute()
        return { instanceActions: rows.map((a) => actionView(req.raw, a)) }
      }
      const since = queryTime(queryValue(req.raw, 'changes-since'), 'changes-since')
      const before = mv(req.raw, '2.66')
        ? queryTime(queryValue(req.raw, 'changes-before'), 'changes-before')
        : undefined
      if (since !== undefined && before !== undefined && before < since)
        throw computeErrors.badRequest(
          'The value of changes-since must be less than or equal to changes-before.',
        )
      if (since !== undefined) q = q.where('updated_at', '>=', since)
      if (before !== undefined) q = q.where('updated_at', '<=', before)
      const { limit, marker } = limitAndMarker(api, req.raw)
      if (marker !== undefined) {
        const m = await deps.db
          .selectFrom('instance_action')
          .select(['id', 'start_time'])
          .where('instance_id', '=', row.id)
          .where('request_id', '=', marker)
          .executeTakeFirst()
        if (!m) throw computeErrors.badRequest(`Marker ${marker} could not be found.`)
        q = q.where((eb) =>
          eb.or([
            eb('start_time', '<', m.start_time),
            eb.and([eb('start_time', '=', m.start_time), eb('id', '<', m.id)]),
          ]),
        )
      }
      const rows =
        limit === 0
          ? []
          : await q.orderBy('start_time', 'desc').orderBy('id', 'desc').limit(limit).execute()
      const links = nextLinks(
        req.raw,
        `servers/${param(req.raw, 'server_id')}/os-instance-actions`,
        rows.length,
        limit,
        rows.at(-1)?.request_id,
      )
      return {
        instanceActions: rows.map((a) => actionView(req.raw, a)),
        ...(links ? { links } : {}),
      }
    },
  })

  app.route({
    method: 'GET',
    url: `${base}/:request_id`,
    access: 'token',
    handler: async (req) => {
      const row = await server(req.raw, 'os_compute_api:os-instance-actions:show')
      const requestId = param(req.raw, 'request_id')
      const action = await deps.db
        .selectFrom('instance_action')
        .selectAll()
        .where('instance_id', '=', row.id)
        .where('request_id', '=', requestId)
        .orderBy('start_time', 'desc')
        .executeTakeFirst()
      if (!action) throw computeErrors.notFound(`Action ${requestId} not found`)
      const view = actionView(req.raw, action)
      const admin = allows(api, req.raw, 'os_compute_api:os-instance-actions:events', {
        project_id: row.project_id,
      })
      if (admin || mv(req.raw, '2.51')) {
        const events = await deps.db
          .selectFrom('instance_action_event')
          .selectAll()
          .where('action_id', '=', action.id)
          .orderBy('start_time', 'desc')
          .execute()
        const project = action.project_id || row.project_id
        view.events = events.map((e: EventRow) => ({
          event: e.event,
          start_time: isoMicros(e.start_time),
          finish_time: isoMicros(e.finish_time),
          result: e.result,
          ...(admin ? { traceback: e.traceback } : {}),
          ...(admin && mv(req.raw, '2.62') ? { host: e.host ?? '' } : {}),
          ...(mv(req.raw, '2.62') ? { hostId: hostId(project, e.host) } : {}),
        }))
      }
      return { instanceAction: view }
    },
  })
}
