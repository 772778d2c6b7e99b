/**
 * @module GET /os-migrations (admin): every migration (resize, cold and live migration,
 * evacuation) filtered by host, status, instance_uuid, source_compute, migration_type. 2.23
 * adds migration_type and links for live migrations in progress; 2.59 adds uuid, paging
 * (newest first) and changes-since; 2.66 changes-before.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { Selectable } from 'kysely'
import type { MigrationTable } from '../db/tables.js'
import { computeErrors } from '../errors.js'
import {
  type ComputeApi,
  enforce,
  mv,
  nextLinks,
  queryValue,
  resourceLinks,
  validateQuery,
} from './compute-api.js'
import { limitAndMarker, multi, single } from './paging.js'
import { nonNegativeInteger, toBool } from './parameter-types.js'
import { isoMicros } from './time-format.js'

type MigrationRow = Selectable<MigrationTable>

const FILTERS = ['hidden', 'host', 'instance_uuid', 'source_compute', 'status', 'migration_type']
const LIVE_IN_PROGRESS = ['queued', 'preparing', 'running', 'post-migrating']

function querySchema(req: FastifyRequest) {
  const filters = Object.fromEntries(FILTERS.map((f) => [f, multi(Type.String())]))
  if (!mv(req, '2.59')) return Type.Object(filters, { additionalProperties: true })
  const time = single(Type.String())
  return Type.Object(
    {
      ...filters,
      limit: single(nonNegativeInteger),
      marker: single(Type.String()),
      'changes-since': time,
      ...(mv(req, '2.66') ? { 'changes-before': time } : {}),
    },
    { additionalProperties: false },
  )
}

/** Flavor ids as Nova's integer instance-type ids (null when a flavor id is not a number). */
function flavorNumber(id: string | null): number | null {
  return id !== null && /^\d+$/.test(id) ? Number(id) : null
}

/** An ISO 8601 query time (UTC when it names no zone) as a stored timestamp. */
function isoTime(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined
  const full = /^\d{4}-\d\d-\d\d$/.test(value) ? `${value}T00:00:00` : value
  const zoned = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(full) ? full : `${full}Z`
  const ms = /^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?/.test(value)
    ? Date.parse(zoned.replace(' ', 'T'))
    : Number.NaN
  if (Number.isNaN(ms))
    throw computeErrors.badRequest(
      `Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not a 'date-time'`,
    )
  return new Date(ms).toISOString()
}

function migrationView(req: FastifyRequest, m: MigrationRow): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: m.id,
    status: m.status,
    instance_uuid: m.instance_uuid,
    source_compute: m.source_compute,
    dest_compute: m.dest_compute,
    source_node: m.source_node,
    dest_node: m.dest_node,
    dest_host: m.dest_host,
    old_instance_type_id: flavorNumber(m.old_flavor_id),
    new_instance_type_id: flavorNumber(m.new_flavor_id),
    created_at: isoMicros(m.created_at),
    updated_at: isoMicros(m.updated_at),
  }
  if (mv(req, '2.23')) {
    view.migration_type = m.migration_type
    if (m.migration_type === 'live-migration' && LIVE_IN_PROGRESS.includes(m.status))
      view.links = resourceLinks(req, `servers/${m.instance_uuid}/migrations`, String(m.id))
  }
  if (mv(req, '2.59')) view.uuid = m.uuid
  return view
}

export function migrationsRoutes(api: ComputeApi): void {
  const { app, deps } = api

  app.route({
    method: 'GET',
    url: '/v2.1/os-migrations',
    access: 'token',
    handler: async (req) => {
      validateQuery(querySchema(req.raw), { ...(req.query as object) })
      enforce(api, req.raw, 'os_compute_api:os-migrations:index', {})
      const q = (name: string) => queryValue(req.raw, name)
      let query = deps.db.selectFrom('migration').selectAll()
      const status = q('status')
      if (status !== undefined) query = query.where('status', '=', status)
      const host = q('host')
      const source = q('source_compute')
      if (host !== undefined)
        query = query.where((eb) =>
          eb.or([eb('source_compute', '=', host), eb('dest_compute', '=', host)]),
        )
      else if (source !== undefined) query = query.where('source_compute', '=', source)
      const type = q('migration_type')
      if (type !== undefined) query = query.where('migration_type', '=', type)
      const instance = q('instance_uuid')
      if (instance !== undefined) query = query.where('instance_uuid', '=', instance)
      // Migrations are never hidden here (hidden ones only exist for cross-cell moves).
      const hidden = q('hidden')
      if (hidden !== undefined && toBool(hidden)) return { migrations: [] }
      if (!mv(req.raw, '2.59')) {
        const rows = await query.orderBy('id').execute()
        return { migrations: rows.map((m) => migrationView(req.raw, m)) }
      }
      const since = isoTime(q('changes-since'), 'changes-since')
      const before = mv(req.raw, '2.66')
        ? isoTime(q('changes-before'), 'changes-before')
        : undefined
      if (since !== undefined && before !== undefined && before < since)
        throw computeErrors.badRequest(
          'The value of changes-since must be less than or equal to changes-before.',
        )
      if (since !== undefined) query = query.where('updated_at', '>=', since)
      if (before !== undefined) query = query.where('updated_at', '<=', before)
      const { limit, marker } = limitAndMarker(api, req.raw)
      if (marker !== undefined) {
        const m = await deps.db
          .selectFrom('migration')
          .select(['id', 'created_at'])
          .where('uuid', '=', marker)
          .executeTakeFirst()
        if (!m) throw computeErrors.badRequest(`Marker ${marker} could not be found.`)
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', m.created_at),
            eb.and([eb('created_at', '=', m.created_at), eb('id', '<', m.id)]),
          ]),
        )
      }
      const rows =
        limit === 0
          ? []
          : await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
      const migrations = rows.map((m) => migrationView(req.raw, m))
      const links = nextLinks(req.raw, 'os-migrations', rows.length, limit, rows.at(-1)?.uuid)
      return { migrations, ...(links ? { migrations_links: links } : {}) }
    },
  })
}
