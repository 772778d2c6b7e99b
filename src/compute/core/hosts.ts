/**
 * @module The legacy os-hosts view of the fleet (Nova's HostAPI): one row per enabled RPC
 * service, a compute host's capacity next to what its servers take, and requests on a host
 * itself, which its compute agent hands to the virt driver.
 */
import { rpcClient } from '../../lib/rpc/define-rpc.js'
import { computeAgentRpc } from '../agent/rpc.js'
import { computeErrors } from '../errors.js'
import type { HostPowerAction } from '../virt/driver.js'
import { serviceZones } from './availability-zones.js'
import type { ComputeDeps } from './deps.js'
import { nodeUsage } from './hypervisors.js'
import { type ServiceRow, findComputeService, listServices } from './services.js'

export interface HostRow {
  host_name: string
  /** The service's RPC topic: compute, conductor, scheduler. */
  service: string
  zone: string
}

/** Enabled services (not API ones), optionally only those in `zone`. */
export async function listHostRows(
  deps: Pick<ComputeDeps, 'db' | 'config'>,
  zone: string | undefined,
): Promise<HostRow[]> {
  const services = (await listServices(deps)).filter((s) => s.disabled === 0)
  const zones = await serviceZones(deps, services)
  const rows = services.map((s, i) => ({
    host_name: s.host,
    service: s.topic,
    zone: zones[i] ?? deps.config.defaultAvailabilityZone,
  }))
  return zone ? rows.filter((r) => r.zone === zone) : rows
}

/**
 * The compute service of a host. Nova knows a host once it is mapped to a cell, which happens
 * when its compute service registers; any other name is 404 with the mapping's wording.
 */
export async function getComputeHost(
  deps: Pick<ComputeDeps, 'db'>,
  host: string,
): Promise<ServiceRow> {
  const service = await findComputeService(deps, host)
  if (!service) throw computeErrors.notFound(`Host '${host}' is not mapped to any cell`)
  return service
}

export interface HostResource {
  host: string
  /** A project id, or `(total)`, `(used_now)`, `(used_max)`. */
  project: string
  cpu: number
  memory_mb: number
  disk_gb: number
}

/**
 * What a compute host has (its first node), what the node reports in use, what its servers
 * were given in total, and the same per project in the order servers were created.
 */
export async function hostResources(
  deps: Pick<ComputeDeps, 'db'>,
  host: string,
): Promise<HostResource[]> {
  await getComputeHost(deps, host)
  const node = await deps.db
    .selectFrom('compute_node')
    .selectAll()
    .where('host', '=', host)
    .orderBy('seq')
    .executeTakeFirst()
  if (!node) throw computeErrors.notFound(`Compute host ${host} could not be found.`)
  const servers = await deps.db
    .selectFrom('instance')
    .select(['project_id', 'vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb'])
    .where('host', '=', host)
    .where('deleted_at', 'is', null)
    .orderBy('seq')
    .execute()
  const usage = nodeUsage(node)
  const row = (project: string, cpu: number, memoryMb: number, diskGb: number) => ({
    host,
    project,
    cpu,
    memory_mb: memoryMb,
    disk_gb: diskGb,
  })
  const usedMax = row('(used_max)', 0, 0, 0)
  const byProject = new Map<string, HostResource>()
  for (const s of servers) {
    const project = byProject.get(s.project_id) ?? row(s.project_id, 0, 0, 0)
    byProject.set(s.project_id, project)
    for (const r of [usedMax, project]) {
      r.cpu += s.vcpus
      r.memory_mb += s.memory_mb
      r.disk_gb += s.root_gb + s.ephemeral_gb
    }
  }
  return [
    row('(total)', node.vcpus, node.memory_mb, node.local_gb),
    row('(used_now)', node.vcpus_used, usage.memoryMbUsed, usage.localGbUsed),
    usedMax,
    ...byProject.values(),
  ]
}

/** Nova's legacy HostAPI notifications around a host request (`HostAPI.<what>.start/end`). */
async function announced<T>(
  deps: Pick<ComputeDeps, 'notifier'>,
  what: string,
  payload: Record<string, unknown>,
  request: () => Promise<T>,
): Promise<T> {
  deps.notifier.notify(`HostAPI.${what}.start`, payload)
  const result = await request()
  deps.notifier.notify(`HostAPI.${what}.end`, payload)
  return result
}

/**
 * Nova's set_host_enabled. It never touches the service's disabled flag: the compute host only
 * flags its resource provider until its next resource report, which restores the flag from the
 * service; and drivers answer the requested state (libvirt cannot refuse). So the lasting effect
 * is none and the answer is the requested state, for a known host.
 */
export async function setHostEnabled(
  deps: Pick<ComputeDeps, 'db' | 'notifier'>,
  host: string,
  enabled: boolean,
): Promise<'enabled' | 'disabled'> {
  await getComputeHost(deps, host)
  return announced(deps, 'set_enabled', { host_name: host, enabled }, () =>
    Promise.resolve(enabled ? 'enabled' : 'disabled'),
  )
}

/** Starts or ends a host's maintenance window through its agent (501 if its driver cannot). */
export async function setHostMaintenance(
  deps: Pick<ComputeDeps, 'db' | 'bus' | 'notifier'>,
  host: string,
  enabled: boolean,
): Promise<string> {
  await getComputeHost(deps, host)
  const agent = rpcClient(deps.bus, computeAgentRpc, { server: host })
  const result = await announced(deps, 'set_maintenance', { host_name: host, mode: enabled }, () =>
    agent.hostMaintenanceMode({ enabled }),
  )
  if (result !== 'on_maintenance' && result !== 'off_maintenance')
    throw computeErrors.badRequest(result)
  return result
}

/** Starts up, shuts down or reboots a host through its agent (501 if its driver cannot). */
export async function hostPowerAction(
  deps: Pick<ComputeDeps, 'db' | 'bus' | 'notifier'>,
  host: string,
  action: HostPowerAction,
): Promise<string> {
  await getComputeHost(deps, host)
  const agent = rpcClient(deps.bus, computeAgentRpc, { server: host })
  return announced(deps, 'power_action', { host_name: host, action }, () =>
    agent.hostPowerAction({ action }),
  )
}
