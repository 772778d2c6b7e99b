/**
 * @module /os-hypervisors (admin): list, detail, show, statistics, uptime, and before 2.53 the
 * `{pattern}/search` and `{pattern}/servers` routes. 2.28 turns cpu_info into an object, 2.33
 * pages with limit/marker, 2.53 shows uuids and moves search into `hypervisor_hostname_pattern`
 * and `with_servers`, 2.75 always lists `servers` when asked.
 */
import { loadavg, uptime } from 'node:os'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  type Hypervisor,
  type HostServer,
  getHypervisor,
  listHypervisors,
  nodeUsage,
  searchHypervisors,
  serversOnHosts,
  workloads,
} from '../core/hypervisors.js'
import { isServiceUp } from '../core/services.js'
import { computeErrors } from '../errors.js'
import {
  type ComputeApi,
  enforce,
  mv,
  nextLinks,
  param,
  queryValue,
  validateQuery,
} from './compute-api.js'
import { PAGINATION, hasQuery, limitAndMarker, single } from './paging.js'
import { boolean, fqdn, nonNegativeInteger, toBool } from './parameter-types.js'

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

const LIST_233 = Type.Object(PAGINATION, { additionalProperties: true })
const LIST_253 = Type.Object(
  {
    limit: single(nonNegativeInteger),
    marker: single(Type.String()),
    hypervisor_hostname_pattern: single(fqdn),
    with_servers: single(boolean),
  },
  { additionalProperties: false },
)
const SHOW_253 = Type.Object({ with_servers: single(boolean) }, { additionalProperties: false })

/** The resource answer Nova gives a route that its microversion does not have. */
function versionNotFound(): Error {
  return computeErrors.notFound('The resource could not be found.')
}

/** `uptime`'s output, as the libvirt driver returns it. */
function uptimeText(now: Date): string {
  const seconds = Math.floor(uptime())
  const days = Math.floor(seconds / 86400)
  const hours = Math.floor((seconds % 86400) / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  const load = loadavg().map((l) => l.toFixed(2))
  return ` ${now.toISOString().slice(11, 19)} up ${String(days)} days, ${String(hours)}:${String(minutes).padStart(2, '0')},  1 user,  load average: ${load.join(', ')}`
}

export function hypervisorsRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const policy = (req: FastifyRequest, action: string) => {
    enforce(api, req, `os_compute_api:os-hypervisors:${action}`, {})
  }

  function summary(req: FastifyRequest, h: Hypervisor): Record<string, unknown> {
    return {
      id: mv(req, '2.53') ? h.node.id : h.node.seq,
      hypervisor_hostname: h.node.hypervisor_hostname,
      state: isServiceUp(deps, h.service) ? 'up' : 'down',
      status: h.service.disabled === 1 ? 'disabled' : 'enabled',
    }
  }

  function detail(req: FastifyRequest, h: Hypervisor, workload: number): Record<string, unknown> {
    const n = h.node
    const usage = nodeUsage(n)
    let cpuInfo: unknown = n.cpu_info
    if (mv(req, '2.28')) {
      try {
        cpuInfo = n.cpu_info === '' ? {} : (JSON.parse(n.cpu_info) as unknown)
      } catch {
        cpuInfo = {}
      }
      if (cpuInfo === null || typeof cpuInfo !== 'object') cpuInfo = {}
    }
    return {
      ...summary(req, h),
      hypervisor_type: n.hypervisor_type,
      hypervisor_version: n.hypervisor_version,
      host_ip: n.host_ip,
      service: {
        id: mv(req, '2.53') ? h.service.id : h.service.seq,
        host: n.host,
        disabled_reason: h.service.disabled_reason,
      },
      vcpus: n.vcpus,
      memory_mb: n.memory_mb,
      local_gb: n.local_gb,
      vcpus_used: n.vcpus_used,
      memory_mb_used: usage.memoryMbUsed,
      local_gb_used: usage.localGbUsed,
      free_ram_mb: usage.freeRamMb,
      free_disk_gb: usage.freeDiskGb,
      current_workload: workload,
      running_vms: n.running_vms,
      disk_available_least: usage.freeDiskGb,
      cpu_info: cpuInfo,
    }
  }

  /** The views of some hypervisors, with their servers when asked. */
  async function views(
    req: FastifyRequest,
    list: Hypervisor[],
    options: { detailed: boolean; withServers: boolean; alwaysServers?: boolean },
  ): Promise<Record<string, unknown>[]> {
    const hosts = list.map((h) => h.node.host)
    const servers = options.withServers ? await serversOnHosts(deps, hosts) : undefined
    const loads = options.detailed ? await workloads(deps, hosts) : undefined
    return list.map((h) => {
      const view = options.detailed ? detail(req, h, loads?.get(h.node.host) ?? 0) : summary(req, h)
      const onHost: HostServer[] = servers?.get(h.node.host) ?? []
      if (onHost.length > 0) view.servers = onHost
      else if (servers && (options.alwaysServers ?? mv(req, '2.75'))) view.servers = []
      return view
    })
  }

  async function list(req: FastifyRequest, detailed: boolean) {
    if (mv(req, '2.53')) validateQuery(LIST_253, { ...(req.query as object) })
    else if (mv(req, '2.33')) validateQuery(LIST_233, { ...(req.query as object) })
    policy(req, detailed ? 'list-detail' : 'list')
    const paged = mv(req, '2.33')
    const pattern = mv(req, '2.53') ? queryValue(req, 'hypervisor_hostname_pattern') : undefined
    const withServers = mv(req, '2.53') && toBool(queryValue(req, 'with_servers'))
    let found: Hypervisor[]
    let page: { limit: number; marker: string | undefined } | undefined
    if (pattern !== undefined) {
      if (hasQuery(req, 'limit') || queryValue(req, 'marker') !== undefined)
        throw computeErrors.badRequest(
          'Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.',
        )
      found = await searchHypervisors(deps, pattern)
    } else {
      page = paged ? limitAndMarker(api, req) : undefined
      found = await listHypervisors(deps, {
        ...(page ? { limit: page.limit } : {}),
        ...(page?.marker === undefined ? {} : { marker: page.marker }),
        markerIsUuid: mv(req, '2.53') && UUID_RE.test(page?.marker ?? ''),
      })
    }
    const hypervisors = await views(req, found, { detailed, withServers })
    const links =
      page === undefined
        ? undefined
        : nextLinks(
            req,
            detailed ? 'os-hypervisors/detail' : 'os-hypervisors',
            hypervisors.length,
            page.limit,
            hypervisors.length === 0 ? undefined : String(hypervisors.at(-1)?.id),
          )
    return { hypervisors, ...(links ? { hypervisors_links: links } : {}) }
  }

  /** Nova's _validate_id: a uuid from 2.53 (else 400), an integer before (else 404). */
  async function byId(req: FastifyRequest): Promise<Hypervisor> {
    const id = param(req, 'id')
    if (mv(req, '2.53')) {
      if (!UUID_RE.test(id)) throw computeErrors.badRequest(`Invalid uuid ${id}`)
      return getHypervisor(deps, id, true)
    }
    if (!/^\s*[-+]?\d+\s*$/.test(id))
      throw computeErrors.notFound(`Hypervisor with ID '${id}' could not be found.`)
    return getHypervisor(deps, String(Number.parseInt(id.trim(), 10)), false)
  }

  app.route({
    method: 'GET',
    url: '/v2.1/os-hypervisors',
    access: 'token',
    handler: (req) => list(req.raw, false),
  })

  app.route({
    method: 'GET',
    url: '/v2.1/os-hypervisors/detail',
    access: 'token',
    handler: (req) => list(req.raw, true),
  })

  app.route({
    method: 'GET',
    url: '/v2.1/os-hypervisors/statistics',
    access: 'token',
    handler: async (req) => {
      if (mv(req.raw, '2.88')) throw versionNotFound()
      policy(req.raw, 'statistics')
      const all = (await listHypervisors(deps)).filter((h) => h.service.disabled === 0)
      const loads = await workloads(
        deps,
        all.map((h) => h.node.host),
      )
      const stats = {
        count: 0,
        vcpus: 0,
        memory_mb: 0,
        local_gb: 0,
        vcpus_used: 0,
        memory_mb_used: 0,
        local_gb_used: 0,
        free_ram_mb: 0,
        free_disk_gb: 0,
        current_workload: 0,
        running_vms: 0,
        disk_available_least: 0,
      }
      for (const { node } of all) {
        const usage = nodeUsage(node)
        stats.count += 1
        stats.vcpus += node.vcpus
        stats.memory_mb += node.memory_mb
        stats.local_gb += node.local_gb
        stats.vcpus_used += node.vcpus_used
        stats.memory_mb_used += usage.memoryMbUsed
        stats.local_gb_used += usage.localGbUsed
        stats.free_ram_mb += usage.freeRamMb
        stats.free_disk_gb += usage.freeDiskGb
        stats.current_workload += loads.get(node.host) ?? 0
        stats.running_vms += node.running_vms
        stats.disk_available_least += usage.freeDiskGb
      }
      return { hypervisor_statistics: stats }
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.1/os-hypervisors/:id',
    access: 'token',
    handler: async (req) => {
      const withServers = mv(req.raw, '2.53')
      if (withServers) validateQuery(SHOW_253, { ...(req.query as object) })
      policy(req.raw, 'show')
      const h = await byId(req.raw)
      const [view] = await views(req.raw, [h], {
        detailed: true,
        withServers: withServers && toBool(queryValue(req.raw, 'with_servers')),
      })
      return { hypervisor: view }
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.1/os-hypervisors/:id/uptime',
    access: 'token',
    handler: async (req) => {
      if (mv(req.raw, '2.88')) throw versionNotFound()
      policy(req.raw, 'uptime')
      const h = await byId(req.raw)
      if (!isServiceUp(deps, h.service))
        throw computeErrors.badRequest(
          `Compute service of ${h.node.host} is unavailable at this time.`,
        )
      return { hypervisor: { ...summary(req.raw, h), uptime: uptimeText(deps.clock.now()) } }
    },
  })

  for (const action of ['search', 'servers'] as const) {
    app.route({
      method: 'GET',
      url: `/v2.1/os-hypervisors/:id/${action}`,
      access: 'token',
      handler: async (req) => {
        if (mv(req.raw, '2.53')) throw versionNotFound()
        policy(req.raw, action)
        const found = await searchHypervisors(deps, param(req.raw, 'id'))
        const hypervisors = await views(req.raw, found, {
          detailed: false,
          withServers: action === 'servers',
          alwaysServers: false,
        })
        return { hypervisors }
      },
    })
  }
}
