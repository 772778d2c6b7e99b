/**
 * @module Hypervisors (compute nodes) as the API shows them: each node with the nova-compute
 * service of its host (nodes whose service was deleted are left out, as Nova does), the servers
 * on it, and usage figures Nova's resource tracker would report (reserved RAM and disk count as
 * used).
 */
import type { Selectable } from 'kysely'
import type { ComputeNodeTable } from '../db/tables.js'
import { computeErrors } from '../errors.js'
import type { ComputeDeps } from './deps.js'
import type { ServiceRow } from './services.js'

export type NodeRow = Selectable<ComputeNodeTable>

export interface Hypervisor {
  node: NodeRow
  service: ServiceRow
}

/** Task states Nova's resource tracker counts as I/O work (the `current_workload` figure). */
const WORKLOAD_TASK_STATES = [
  'resize_migrating',
  'rebuilding',
  'resize_prep',
  'image_snapshot',
  'image_backup',
  'rescuing',
  'unshelving',
]

async function withServices(
  deps: Pick<ComputeDeps, 'db'>,
  nodes: NodeRow[],
): Promise<Hypervisor[]> {
  if (nodes.length === 0) return []
  const services = await deps.db
    .selectFrom('compute_service')
    .selectAll()
    .where('binary', '=', 'nova-compute')
    .where('host', 'in', [...new Set(nodes.map((n) => n.host))])
    .execute()
  const byHost = new Map(services.map((s) => [s.host, s]))
  const out: Hypervisor[] = []
  for (const node of nodes) {
    const service = byHost.get(node.host)
    if (service) out.push({ node, service })
  }
  return out
}

/**
 * A page of hypervisors in id order. The marker is the last node's uuid (2.53) or integer id;
 * an unknown one is 400 "marker [x] not found".
 */
export async function listHypervisors(
  deps: Pick<ComputeDeps, 'db'>,
  page: { limit?: number; marker?: string; markerIsUuid?: boolean } = {},
): Promise<Hypervisor[]> {
  let q = deps.db.selectFrom('compute_node').selectAll().orderBy('seq')
  if (page.marker !== undefined) {
    const marker = page.markerIsUuid
      ? await deps.db
          .selectFrom('compute_node')
          .select('seq')
          .where('id', '=', page.marker)
          .executeTakeFirst()
      : /^\d+$/.test(page.marker)
        ? await deps.db
            .selectFrom('compute_node')
            .select('seq')
            .where('seq', '=', Number(page.marker))
            .executeTakeFirst()
        : undefined
    if (!marker) throw computeErrors.badRequest(`marker [${page.marker}] not found`)
    q = q.where('seq', '>', marker.seq)
  }
  if (page.limit !== undefined) q = q.limit(page.limit)
  return withServices(deps, await q.execute())
}

/** Nodes whose hypervisor_hostname contains `pattern` (SQL LIKE '%pattern%'); none is 404. */
export async function searchHypervisors(
  deps: Pick<ComputeDeps, 'db'>,
  pattern: string,
): Promise<Hypervisor[]> {
  const nodes = await deps.db.selectFrom('compute_node').selectAll().orderBy('seq').execute()
  const wanted = pattern.toLowerCase()
  const matching = nodes.filter((n) => n.hypervisor_hostname.toLowerCase().includes(wanted))
  if (matching.length === 0)
    throw computeErrors.notFound(`No hypervisor matching '${pattern}' could be found.`)
  return withServices(deps, matching)
}

/** One hypervisor by uuid or integer id; 404 (Nova's wording) when absent or serviceless. */
export async function getHypervisor(
  deps: Pick<ComputeDeps, 'db'>,
  id: string,
  isUuid: boolean,
): Promise<Hypervisor> {
  const notFound = computeErrors.notFound(`Hypervisor with ID '${id}' could not be found.`)
  let q = deps.db.selectFrom('compute_node').selectAll()
  q = isUuid ? q.where('id', '=', id.toLowerCase()) : q.where('seq', '=', Number(id))
  const node = await q.executeTakeFirst()
  if (!node) throw notFound
  const [found] = await withServices(deps, [node])
  if (!found) throw notFound
  return found
}

export interface HostServer {
  name: string
  uuid: string
}

/** Servers on each host, by Nova's instance name (instance-%08x). */
export async function serversOnHosts(
  deps: Pick<ComputeDeps, 'db'>,
  hosts: readonly string[],
): Promise<Map<string, HostServer[]>> {
  const out = new Map<string, HostServer[]>()
  if (hosts.length === 0) return out
  const rows = await deps.db
    .selectFrom('instance')
    .select(['id', 'seq', 'host'])
    .where('host', 'in', [...new Set(hosts)])
    .where('deleted_at', 'is', null)
    .orderBy('seq')
    .execute()
  for (const r of rows) {
    if (r.host === null) continue
    const list = out.get(r.host) ?? []
    list.push({ name: `instance-${r.seq.toString(16).padStart(8, '0')}`, uuid: r.id })
    out.set(r.host, list)
  }
  return out
}

/** Servers in I/O-heavy task states per host. */
export async function workloads(
  deps: Pick<ComputeDeps, 'db'>,
  hosts: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  if (hosts.length === 0) return out
  const rows = await deps.db
    .selectFrom('instance')
    .select('host')
    .where('host', 'in', [...new Set(hosts)])
    .where('deleted_at', 'is', null)
    .where('task_state', 'in', WORKLOAD_TASK_STATES)
    .execute()
  for (const r of rows) if (r.host !== null) out.set(r.host, (out.get(r.host) ?? 0) + 1)
  return out
}

/** The usage figures of a node as Nova's resource tracker reports them. */
export function nodeUsage(node: NodeRow): {
  memoryMbUsed: number
  localGbUsed: number
  freeRamMb: number
  freeDiskGb: number
} {
  const memoryMbUsed = node.memory_mb_used + node.reserved_memory_mb
  const localGbUsed = node.local_gb_used + Math.floor(node.reserved_disk_mb / 1024)
  return {
    memoryMbUsed,
    localGbUsed,
    freeRamMb: node.memory_mb - memoryMbUsed,
    freeDiskGb: node.local_gb - localGbUsed,
  }
}
