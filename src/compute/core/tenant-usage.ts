/**
 * @module Simple tenant usage: the servers (deleted ones included) that ran during a period,
 * each charged for the hours it ran within it, summed per project. A server counts when it
 * launched before the period ended and was not terminated before it began.
 */
import { fromJson } from '../../lib/db/values.js'
import { computeErrors } from '../errors.js'
import type { ComputeDeps } from './deps.js'

export interface ServerUsage {
  instance_id: string
  name: string
  hours: number
  memory_mb: number
  local_gb: number
  vcpus: number
  tenant_id: string
  flavor: string
  /** ISO strings (the view formats them). */
  started_at: string
  ended_at: string | null
  state: string
  uptime: number
}

export interface TenantUsage {
  tenant_id: string
  server_usages: ServerUsage[]
  total_local_gb_usage: number
  total_vcpus_usage: number
  total_memory_mb_usage: number
  total_hours: number
}

/** Hours of [launched, terminated] inside [start, stop]. */
function hoursWithin(
  launched: number,
  terminated: number | undefined,
  start: number,
  stop: number,
): number {
  if (terminated !== undefined && terminated < start) return 0
  if (launched > stop) return 0
  const from = Math.max(launched, start)
  const to = terminated === undefined ? stop : Math.min(stop, terminated)
  return (to - from) / 3_600_000
}

/**
 * Usage per project over [start, stop], in (project, server id) order, paged by server: at most
 * `limit` servers after `marker` (a server id; unknown → 400 "Marker <id> could not be found.").
 */
export async function tenantUsages(
  deps: Pick<ComputeDeps, 'db' | 'clock'>,
  period: { start: Date; stop: Date },
  options: { projectId?: string; limit: number; marker?: string },
): Promise<{ usages: TenantUsage[]; servers: ServerUsage[] }> {
  const startIso = period.start.toISOString()
  const stopIso = period.stop.toISOString()
  let q = deps.db
    .selectFrom('instance')
    .selectAll()
    .where((eb) => eb.or([eb('terminated_at', 'is', null), eb('terminated_at', '>', startIso)]))
    .where('launched_at', 'is not', null)
    .where('launched_at', '<', stopIso)
    .orderBy('project_id')
    .orderBy('id')
  if (options.projectId !== undefined) q = q.where('project_id', '=', options.projectId)
  if (options.marker !== undefined) {
    const marker = await deps.db
      .selectFrom('instance')
      .select(['id', 'project_id'])
      .where('id', '=', options.marker)
      .executeTakeFirst()
    if (!marker) throw computeErrors.badRequest(`Marker ${options.marker} could not be found.`)
    q = q.where((eb) =>
      eb.or([
        eb('project_id', '>', marker.project_id),
        eb.and([eb('project_id', '=', marker.project_id), eb('id', '>', marker.id)]),
      ]),
    )
  }
  const rows = await q.limit(options.limit).execute()
  const now = deps.clock.nowMs()
  const usages = new Map<string, TenantUsage>()
  const servers: ServerUsage[] = []
  for (const r of rows) {
    const launched = Date.parse(r.launched_at ?? startIso)
    const terminated = r.terminated_at === null ? undefined : Date.parse(r.terminated_at)
    const flavor = fromJson<{ name?: string }>(r.flavor, {})
    const hours = hoursWithin(launched, terminated, period.start.getTime(), period.stop.getTime())
    const usage: ServerUsage = {
      instance_id: r.id,
      name: r.display_name,
      hours,
      memory_mb: r.memory_mb,
      local_gb: r.root_gb + r.ephemeral_gb,
      vcpus: r.vcpus,
      tenant_id: r.project_id,
      flavor: flavor.name ?? '',
      started_at: r.launched_at ?? startIso,
      ended_at: r.terminated_at,
      state: r.terminated_at === null ? r.vm_state : 'terminated',
      uptime: Math.trunc(((terminated ?? now) - launched) / 1000),
    }
    const summary = usages.get(r.project_id) ?? {
      tenant_id: r.project_id,
      server_usages: [],
      total_local_gb_usage: 0,
      total_vcpus_usage: 0,
      total_memory_mb_usage: 0,
      total_hours: 0,
    }
    summary.total_local_gb_usage += usage.local_gb * hours
    summary.total_vcpus_usage += usage.vcpus * hours
    summary.total_memory_mb_usage += usage.memory_mb * hours
    summary.total_hours += hours
    summary.server_usages.push(usage)
    usages.set(r.project_id, summary)
    servers.push(usage)
  }
  return { usages: [...usages.values()], servers }
}
