/**
 * @module /os-simple-tenant-usage (admin: every project) and /os-simple-tenant-usage/{tenant}
 * (the project or an admin): usage between `start` and `end` (default now; `end` is clipped to
 * now), `detailed=1` lists servers in the index, and from 2.40 the pages are limit/marker over
 * servers with `tenant_usage(s)_links`.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { type ServerUsage, type TenantUsage, tenantUsages } from '../core/tenant-usage.js'
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
import { PAGINATION, limitAndMarker, multi } from './paging.js'
import { isoMicros } from './time-format.js'

const BASE_QUERY = { start: multi(Type.String()), end: multi(Type.String()) }

function querySchema(req: FastifyRequest, index: boolean) {
  return Type.Object(
    {
      ...BASE_QUERY,
      ...(index ? { detailed: multi(Type.String()) } : {}),
      ...(mv(req, '2.40') ? PAGINATION : {}),
    },
    { additionalProperties: !mv(req, '2.75') },
  )
}

const FORMATS = [
  /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6})$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6})$/,
]

/** Nova's three accepted formats (UTC); anything else is 400 InvalidStrTime. */
function parseTime(text: string | undefined, now: Date): Date {
  if (text === undefined || text === '') return now
  for (const re of FORMATS) {
    const m = re.exec(text)
    if (!m) continue
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ]
    const ms = Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000)
    const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms))
    // strptime refuses out-of-range fields that Date would roll over.
    if (date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 62)
      return date
  }
  throw computeErrors.badRequest('Invalid datetime string: Datetime is in invalid format')
}

function serverUsageView(u: ServerUsage): Record<string, unknown> {
  return { ...u, started_at: isoMicros(u.started_at), ended_at: isoMicros(u.ended_at) }
}

function usageView(
  u: TenantUsage,
  period: { start: Date; stop: Date },
  detailed: boolean,
): Record<string, unknown> {
  return {
    tenant_id: u.tenant_id,
    ...(detailed ? { server_usages: u.server_usages.map(serverUsageView) } : {}),
    total_local_gb_usage: u.total_local_gb_usage,
    total_vcpus_usage: u.total_vcpus_usage,
    total_memory_mb_usage: u.total_memory_mb_usage,
    total_hours: u.total_hours,
    start: isoMicros(period.start.toISOString()),
    stop: isoMicros(period.stop.toISOString()),
  }
}

export function tenantUsageRoutes(api: ComputeApi): void {
  const { app, deps } = api

  /** The period asked for (400 when it is empty), its end clipped to now. */
  function period(req: FastifyRequest): { start: Date; stop: Date } {
    const now = deps.clock.now()
    const start = parseTime(queryValue(req, 'start'), now)
    const endText = queryValue(req, 'end')
    // Python reads the clock twice, so two defaults differ by a little.
    const end =
      endText === undefined || endText === ''
        ? new Date(now.getTime() + 1)
        : parseTime(endText, now)
    if (!(start < end))
      throw computeErrors.badRequest(
        'Invalid start time. The start time cannot occur after the end time.',
      )
    return { start, stop: end > now ? now : end }
  }

  function page(req: FastifyRequest): { limit: number; marker?: string } {
    if (!mv(req, '2.40')) return { limit: deps.config.osapiMaxLimit }
    const { limit, marker } = limitAndMarker(api, req)
    return { limit, ...(marker === undefined ? {} : { marker }) }
  }

  app.route({
    method: 'GET',
    url: '/v2.1/os-simple-tenant-usage',
    access: 'token',
    handler: async (req) => {
      // `/os-simple-tenant-usage/` names an empty tenant: Nova has no such route.
      if (/\/os-simple-tenant-usage\/(?:\?|$)/.test(req.raw.originalUrl))
        throw computeErrors.notFound('The resource could not be found.')
      validateQuery(querySchema(req.raw, true), { ...(req.query as object) })
      enforce(api, req.raw, 'os_compute_api:os-simple-tenant-usage:list', {})
      const p = period(req.raw)
      const detailed = queryValue(req.raw, 'detailed') === '1'
      const paging = page(req.raw)
      const { usages, servers } = await tenantUsages(deps, p, paging)
      const links = mv(req.raw, '2.40')
        ? nextLinks(
            req.raw,
            'os-simple-tenant-usage',
            servers.length,
            paging.limit,
            servers.at(-1)?.instance_id,
          )
        : undefined
      return {
        tenant_usages: usages.map((u) => usageView(u, p, detailed)),
        ...(links ? { tenant_usages_links: links } : {}),
      }
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.1/os-simple-tenant-usage/:tenant_id',
    access: 'token',
    handler: async (req) => {
      const tenant = param(req.raw, 'tenant_id')
      validateQuery(querySchema(req.raw, false), { ...(req.query as object) })
      enforce(api, req.raw, 'os_compute_api:os-simple-tenant-usage:show', { project_id: tenant })
      const p = period(req.raw)
      const paging = page(req.raw)
      const { usages, servers } = await tenantUsages(deps, p, { projectId: tenant, ...paging })
      const [usage] = usages
      const links = mv(req.raw, '2.40')
        ? nextLinks(
            req.raw,
            `os-simple-tenant-usage/${tenant}`,
            servers.length,
            paging.limit,
            servers.at(-1)?.instance_id,
          )
        : undefined
      return {
        tenant_usage: usage === undefined ? {} : usageView(usage, p, true),
        ...(links ? { tenant_usage_links: links } : {}),
      }
    },
  })
}
