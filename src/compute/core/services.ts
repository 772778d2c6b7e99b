/**
 * @module Service records (Nova's `services` table): one per host and binary, kept alive by
 * heartbeats. A service is up while its last heartbeat is younger than
 * `[compute] service_down_time` and nobody forced it down. The conductor and the scheduler
 * register themselves on the process host, as nova-conductor and nova-scheduler do.
 */
import { hostname } from 'node:os'
import type { Selectable } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import { ensureSequence, nextValue } from '../../lib/db/sequence.js'
import { uuid } from '../../lib/ids/ids.js'
import type { ComputeTables, ServiceTable } from '../db/tables.js'
import { computeErrors } from '../errors.js'
import type { ComputeDeps } from './deps.js'
import { noteFleetChange } from './fleet-generation.js'

export type ServiceRow = Selectable<ServiceTable>

/** API services are not RPC services: Nova hides them from os-services and zones. */
export const API_BINARIES: readonly string[] = ['nova-osapi_compute', 'nova-metadata']

/** Nova's service version of Zed (what the compute API checks feature support against). */
const SERVICE_VERSION = 61

/** The host this process presents for its non-compute services (`[compute] host`). */
export function processHost(deps: Pick<ComputeDeps, 'config'>): string {
  return deps.config.host ?? hostname()
}

/** Records a heartbeat of `binary` on `host`, creating the service on the first one. */
export async function recordHeartbeat(
  deps: Pick<ComputeDeps, 'db' | 'clock'>,
  service: { host: string; binary: string; topic: string },
): Promise<void> {
  const { db } = deps
  const now = deps.clock.now().toISOString()
  const found = await db
    .selectFrom('compute_service')
    .select(['id', 'report_count'])
    .where('host', '=', service.host)
    .where('binary', '=', service.binary)
    .executeTakeFirst()
  if (found) {
    await db
      .updateTable('compute_service')
      .set({ report_count: found.report_count + 1, last_seen_up: now, updated_at: now })
      .where('id', '=', found.id)
      .execute()
    return
  }
  await ensureSequence(db, 'compute_service')
  try {
    await db.transaction().execute(async (trx) => {
      const seq = await nextValue<ComputeTables>(trx, 'compute_service')
      await trx
        .insertInto('compute_service')
        .values({
          id: uuid(),
          seq,
          host: service.host,
          binary: service.binary,
          topic: service.topic,
          disabled: 0,
          disabled_reason: null,
          forced_down: 0,
          report_count: 1,
          last_seen_up: now,
          version: SERVICE_VERSION,
          created_at: now,
          updated_at: now,
        })
        .execute()
    })
  } catch (err) {
    // Another heartbeat of the same service created it first.
    if (!isUniqueViolation(err)) throw err
  }
}

/**
 * Registers a control-plane service of this process and keeps it alive every
 * `[compute] report_interval` seconds until stopped.
 */
export async function startServiceHeartbeat(
  deps: Pick<ComputeDeps, 'db' | 'clock' | 'config' | 'log'>,
  binary: string,
  topic: string,
): Promise<{ stop(): void }> {
  const service = { host: processHost(deps), binary, topic }
  await recordHeartbeat(deps, service)
  const timer = setInterval(() => {
    recordHeartbeat(deps, service).catch((err: unknown) => {
      deps.log.warn({ err, binary }, 'service heartbeat failed')
    })
  }, deps.config.reportInterval * 1000)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}

/** Nova's DB servicegroup driver: up unless forced down or silent for service_down_time. */
export function isServiceUp(deps: Pick<ComputeDeps, 'clock' | 'config'>, s: ServiceRow): boolean {
  if (s.forced_down === 1) return false
  const last = Date.parse(s.last_seen_up ?? s.created_at)
  return Math.abs(deps.clock.nowMs() - last) <= deps.config.serviceDownTime * 1000
}

/** Every service but the API ones, oldest first. */
export async function listServices(deps: Pick<ComputeDeps, 'db'>): Promise<ServiceRow[]> {
  return deps.db
    .selectFrom('compute_service')
    .selectAll()
    .where('binary', 'not in', [...API_BINARIES])
    .orderBy('seq')
    .execute()
}

/** The nova-compute service of a host (Nova's Service.get_by_compute_host). */
export async function findComputeService(
  deps: Pick<ComputeDeps, 'db'>,
  host: string,
): Promise<ServiceRow | undefined> {
  return deps.db
    .selectFrom('compute_service')
    .selectAll()
    .where('host', '=', host)
    .where('binary', '=', 'nova-compute')
    .executeTakeFirst()
}

/** Servers (not deleted) placed on a host. */
export async function countInstancesOnHost(
  deps: Pick<ComputeDeps, 'db'>,
  host: string,
): Promise<number> {
  const row = await deps.db
    .selectFrom('instance')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('host', '=', host)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** A service by uuid (2.53) or integer id; undefined when absent. */
export async function findService(
  deps: Pick<ComputeDeps, 'db'>,
  id: string,
  isUuid: boolean,
): Promise<ServiceRow | undefined> {
  const q = deps.db.selectFrom('compute_service').selectAll()
  return (
    isUuid ? q.where('id', '=', id.toLowerCase()) : q.where('seq', '=', Number(id))
  ).executeTakeFirst()
}

export interface ServiceChanges {
  disabled?: boolean
  disabled_reason?: string | null
  forced_down?: boolean
}

/** Saves status / forced_down changes; schedulers see them at their next decision. */
export async function updateService(
  deps: Pick<ComputeDeps, 'db' | 'clock'>,
  id: string,
  changes: ServiceChanges,
): Promise<ServiceRow> {
  await deps.db
    .updateTable('compute_service')
    .set({
      ...(changes.disabled === undefined ? {} : { disabled: changes.disabled ? 1 : 0 }),
      ...(changes.disabled_reason === undefined
        ? {}
        : { disabled_reason: changes.disabled_reason }),
      ...(changes.forced_down === undefined ? {} : { forced_down: changes.forced_down ? 1 : 0 }),
      updated_at: deps.clock.now().toISOString(),
    })
    .where('id', '=', id)
    .execute()
  await noteFleetChange(deps.db)
  return deps.db
    .selectFrom('compute_service')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

/** Migration states that still hold resources on their hosts. */
const DONE_MIGRATION_STATES = [
  'confirmed',
  'reverted',
  'error',
  'failed',
  'completed',
  'cancelled',
  'done',
]

/**
 * Deletes a service. A compute service hosting servers or in-progress migrations is refused
 * (409, Nova's wording); otherwise its host leaves every aggregate and its hypervisors go.
 */
export async function deleteService(
  deps: Pick<ComputeDeps, 'db'>,
  service: ServiceRow,
): Promise<void> {
  if (service.binary === 'nova-compute') {
    if ((await countInstancesOnHost(deps, service.host)) > 0)
      throw computeErrors.conflict(
        'Unable to delete compute service that is hosting instances. Migrate or delete the instances first.',
      )
    const migrating = await deps.db
      .selectFrom('migration')
      .select('id')
      .where((eb) =>
        eb.or([eb('source_compute', '=', service.host), eb('dest_compute', '=', service.host)]),
      )
      .where('status', 'not in', DONE_MIGRATION_STATES)
      .executeTakeFirst()
    if (migrating)
      throw computeErrors.conflict(
        'Unable to delete compute service that has in-progress migrations. Complete the migrations or delete the instances first.',
      )
  }
  await deps.db.transaction().execute(async (trx) => {
    if (service.binary === 'nova-compute') {
      await trx.deleteFrom('aggregate_host').where('host', '=', service.host).execute()
      const nodes = await trx
        .selectFrom('compute_node')
        .select('id')
        .where('host', '=', service.host)
        .execute()
      if (nodes.length > 0) {
        const ids = nodes.map((n) => n.id)
        await trx.deleteFrom('allocation').where('node_id', 'in', ids).execute()
        await trx.deleteFrom('compute_node').where('id', 'in', ids).execute()
      }
    }
    await trx.deleteFrom('compute_service').where('id', '=', service.id).execute()
  })
  await noteFleetChange(deps.db)
}

/** Forcing a host back up while `done` evacuations remain would let it destroy their servers. */
export async function assertNoDoneEvacuations(
  deps: Pick<ComputeDeps, 'db'>,
  host: string,
): Promise<void> {
  const done = await deps.db
    .selectFrom('migration')
    .select('id')
    .where('source_compute', '=', host)
    .where('status', '=', 'done')
    .where('migration_type', '=', 'evacuation')
    .executeTakeFirst()
  if (done)
    throw computeErrors.badRequest(
      `Unable to force up host ${host} as \`done\` evacuation migration records remain associated with the host. Ensure the compute service has been restarted, allowing these records to move to \`completed\` before retrying this request.`,
    )
}
