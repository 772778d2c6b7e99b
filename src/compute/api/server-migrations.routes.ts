/**
 * @module /servers/{id}/migrations (admin): in-progress live migrations (2.23), forcing one to
 * complete (2.22) and aborting it (2.24; queued/preparing ones too from 2.65). Live migrations
 * of the fake driver finish at once, so these mostly answer Nova's refusals.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { MigrationRow } from '../core/servers/migrations.js'
import { checkLock, checkState } from '../core/servers/guards.js'
import { startAction } from '../core/instance-actions.js'
import { computeErrors } from '../errors.js'
import { callerOf, type ComputeApi, mv, param, validateBody } from './compute-api.js'
import { serverFor } from './servers.routes.js'
import { isoMicros } from './time-format.js'

const IN_PROGRESS = ['queued', 'preparing', 'running', 'post-migrating']
const R = 'os_compute_api:servers:migrations'

function view(req: FastifyRequest, m: MigrationRow): Record<string, unknown> {
  return {
    created_at: isoMicros(m.created_at),
    dest_compute: m.dest_compute,
    dest_host: m.dest_host,
    dest_node: m.dest_node,
    disk_processed_bytes: null,
    disk_remaining_bytes: null,
    disk_total_bytes: null,
    id: m.id,
    memory_processed_bytes: null,
    memory_remaining_bytes: null,
    memory_total_bytes: null,
    server_uuid: m.instance_uuid,
    source_compute: m.source_compute,
    source_node: m.source_node,
    status: m.status,
    updated_at: isoMicros(m.updated_at),
    ...(mv(req, '2.59') ? { uuid: m.uuid } : {}),
  }
}

function requireVersion(req: FastifyRequest, version: string): void {
  if (!mv(req, version)) throw computeErrors.notFound('The resource could not be found.')
}

const forceCompleteBody = Type.Object(
  { force_complete: Type.Null() },
  { additionalProperties: false },
)

export function serverMigrationsRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const base = '/v2.1/servers/:server_id/migrations'

  const migrationOf = (serverId: string, id: string) =>
    /^\d+$/.test(id)
      ? deps.db
          .selectFrom('migration')
          .selectAll()
          .where('id', '=', Number(id))
          .where('instance_uuid', '=', serverId)
          .executeTakeFirst()
      : Promise.resolve(undefined)

  app.route({
    method: 'GET',
    url: base,
    access: 'token',
    handler: async (req) => {
      requireVersion(req.raw, '2.23')
      const row = await serverFor(api, req.raw, `${R}:index`)
      const rows = await deps.db
        .selectFrom('migration')
        .selectAll()
        .where('instance_uuid', '=', row.id)
        .where('migration_type', '=', 'live-migration')
        .where('status', 'in', IN_PROGRESS)
        .orderBy('id')
        .execute()
      return { migrations: rows.map((m) => view(req.raw, m)) }
    },
  })

  app.route({
    method: 'GET',
    url: `${base}/:migration_id`,
    access: 'token',
    handler: async (req) => {
      requireVersion(req.raw, '2.23')
      const row = await serverFor(api, req.raw, `${R}:show`)
      const id = param(req.raw, 'migration_id')
      const m = await migrationOf(row.id, id)
      const sid = param(req.raw, 'server_id')
      if (!m)
        throw computeErrors.notFound(
          `In-progress live migration ${id} is not found for server ${sid}.`,
        )
      if (m.migration_type !== 'live-migration')
        throw computeErrors.notFound(`Migration ${id} for server ${sid} is not live-migration.`)
      if (!IN_PROGRESS.includes(m.status))
        throw computeErrors.notFound(`Live migration ${id} for server ${sid} is not in progress.`)
      return { migration: view(req.raw, m) }
    },
  })

  app.route({
    method: 'POST',
    url: `${base}/:migration_id/action`,
    access: 'token',
    handler: async (req, reply) => {
      requireVersion(req.raw, '2.22')
      validateBody(forceCompleteBody, req.body)
      const row = await serverFor(api, req.raw, `${R}:force_complete`)
      const caller = callerOf(req.raw)
      checkLock(caller, row)
      checkState(row, 'force_complete', { vm: ['active'], task: ['migrating'] })
      const id = param(req.raw, 'migration_id')
      const m = await migrationOf(row.id, id)
      if (!m) throw computeErrors.badRequest(`Migration ${id} not found for instance ${row.id}`)
      if (m.status !== 'running')
        throw computeErrors.badRequest(
          `Migration ${id} state of instance ${row.id} is ${m.status}. Cannot force complete while the migration is in this state.`,
        )
      // The fake hypervisor has nothing to speed up: the migration completes on its own.
      await startAction(deps, caller, row.id, 'live_migration_force_complete')
      void reply.code(202)
      return undefined
    },
  })

  app.route({
    method: 'DELETE',
    url: `${base}/:migration_id`,
    access: 'token',
    handler: async (req, reply) => {
      requireVersion(req.raw, '2.24')
      const row = await serverFor(api, req.raw, `${R}:delete`)
      const caller = callerOf(req.raw)
      checkLock(caller, row)
      checkState(row, 'abort live migration', { task: ['migrating'], mustHaveLaunched: true })
      const id = param(req.raw, 'migration_id')
      const m = await migrationOf(row.id, id)
      if (!m) throw computeErrors.notFound(`Migration ${id} not found for instance ${row.id}`)
      const allowed = mv(req.raw, '2.65') ? ['running', 'queued', 'preparing'] : ['running']
      if (!allowed.includes(m.status))
        throw computeErrors.badRequest(
          `Migration ${id} state of instance ${row.id} is ${m.status}. Cannot abort live migration while the migration is in this state.`,
        )
      await startAction(deps, caller, row.id, 'live_migration_cancel')
      void reply.code(202)
      return undefined
    },
  })
}
