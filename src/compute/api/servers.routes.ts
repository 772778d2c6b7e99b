/** @module /servers: create, list (summary and detail), show, update, delete. */
import type { FastifyRequest } from 'fastify'
import { createServers, type ServerCreateRequest } from '../core/servers/create.js'
import { deleteServer } from '../core/servers/delete.js'
import { hostStatuses } from '../core/servers/host-status.js'
import { listServers } from '../core/servers/list.js'
import { type InstanceRow, loadInstance, loadRecord, loadRecords } from '../core/servers/records.js'
import { computeErrors } from '../errors.js'
import {
  type ComputeApi,
  allows,
  callerOf,
  enforce,
  mv,
  nextLinks,
  param,
  resourceLinks,
  validateBody,
} from './compute-api.js'
import { normalizeIPv6, toBool, toInt } from './parameter-types.js'
import { serverCreateSchema, serverUpdateSchema } from './servers.schemas.js'
import { parseServerListQuery } from './servers-list-query.js'
import { serverSummary, serverView, type ServerViewKind } from './servers.view.js'

/** The target of servers:* rules: the server's project and user. */
export function serverTarget(row: InstanceRow): Record<string, string> {
  return { project_id: row.project_id, user_id: row.user_id }
}

/** Loads a server the caller may see and checks `rule` on it (Nova: 404 before 403). */
export async function serverFor(
  api: ComputeApi,
  req: FastifyRequest,
  rule: string,
): Promise<InstanceRow> {
  const row = await loadInstance(api.deps, callerOf(req), param(req, 'server_id'))
  enforce(api, req, rule, serverTarget(row))
  return row
}

/** The security groups of the servers' ports: one network call for a whole page (Nova's bindings). */
export async function securityGroupsOf(
  api: ComputeApi,
  req: FastifyRequest,
  ids: string[],
): Promise<Map<string, { name: string }[]>> {
  const network = api.deps.network
  if (!network || ids.length === 0) return new Map()
  return network.serverSecurityGroupNames(callerOf(req), ids)
}

/** The full view of one server, as show, update and rebuild answer. */
export async function showServer(
  api: ComputeApi,
  req: FastifyRequest,
  row: InstanceRow,
  kind: ServerViewKind,
): Promise<Record<string, unknown>> {
  const isAdmin = allows(
    api,
    req,
    'os_compute_api:os-extended-server-attributes',
    serverTarget(row),
  )
  const record = await loadRecord(api.deps, row)
  const hostStatus =
    isAdmin && mv(req, '2.16') && row.host ? await hostStatuses(api.deps, [row.host]) : undefined
  const withGroups = kind === 'show' || kind === 'detail' || mv(req, '2.75')
  const securityGroups = withGroups ? await securityGroupsOf(api, req, [row.id]) : undefined
  return serverView(req, record, {
    kind,
    isAdmin,
    ...(hostStatus ? { hostStatus } : {}),
    ...(securityGroups ? { securityGroups } : {}),
  })
}

function parseZone(
  api: ComputeApi,
  req: FastifyRequest,
  zone: string | undefined,
): Pick<ServerCreateRequest, 'zone' | 'forcedHost' | 'forcedNode'> {
  if (zone === undefined) return { zone: undefined, forcedHost: undefined, forcedNode: undefined }
  const parts = zone.split(':')
  if (parts.length > 3) throw computeErrors.badRequest('Unable to parse availability_zone')
  const [z = '', host = '', node = ''] = parts
  if (host !== '' || node !== '') enforce(api, req, 'os_compute_api:servers:create:forced_host')
  return {
    zone: z === '' ? undefined : z,
    forcedHost: host === '' ? undefined : host,
    forcedNode: node === '' ? undefined : node,
  }
}

export function serversRoutes(api: ComputeApi): void {
  const { app, deps } = api

  for (const url of ['/v2.1/servers', '/v2.1/os-volumes_boot'])
    app.route({
      method: 'POST',
      url,
      access: 'token',
      handler: async (req, reply) => {
        const body = validateBody(serverCreateSchema(req.raw), req.body)
        const caller = callerOf(req.raw)
        enforce(api, req.raw, 'os_compute_api:servers:create', {
          project_id: caller.projectId,
          user_id: caller.userId,
        })
        // SAFETY: the schema of the request's band accepted these fields.
        const s = body.server as Record<string, unknown> & {
          name: string
          flavorRef: string | number
        }
        const hints = {
          ...body['OS-SCH-HNT:scheduler_hints'],
          ...body['os:scheduler_hints'],
        }
        if (mv(req.raw, '2.74') && (s.host !== undefined || s.hypervisor_hostname !== undefined)) {
          enforce(api, req.raw, 'compute:servers:create:requested_destination')
          if (typeof s.availability_zone === 'string' && s.availability_zone.includes(':'))
            throw computeErrors.badRequest(
              'One mechanism with host and/or hypervisor_hostname and another mechanism with zone:host:node are mutually exclusive.',
            )
        }
        const bdms = [
          ...((s.block_device_mapping_v2 ?? []) as ServerCreateRequest['blockDevices']),
          ...((s.block_device_mapping ?? []) as ServerCreateRequest['blockDevices']),
        ]
        if (s.block_device_mapping !== undefined && s.block_device_mapping_v2 !== undefined)
          throw computeErrors.badRequest(
            'Using different block_device_mapping syntaxes is not allowed in the same request.',
          )
        const minCount = s.min_count === undefined ? 1 : toInt(s.min_count as number | string)
        const maxCount =
          s.max_count === undefined ? minCount : toInt(s.max_count as number | string)
        const zone = parseZone(api, req.raw, s.availability_zone as string | undefined)
        const request: ServerCreateRequest = {
          name: s.name,
          imageRef: (s.imageRef as string | undefined) || undefined,
          flavorRef: String(s.flavorRef),
          adminPass: s.adminPass as string | undefined,
          metadata: (s.metadata ?? {}) as Record<string, string>,
          ...zone,
          ...(s.host !== undefined ? { forcedHost: s.host as string } : {}),
          ...(s.hypervisor_hostname !== undefined
            ? { forcedNode: s.hypervisor_hostname as string }
            : {}),
          diskConfig: s['OS-DCF:diskConfig'] as 'AUTO' | 'MANUAL' | undefined,
          accessIPv4: s.accessIPv4 as string | undefined,
          accessIPv6:
            s.accessIPv6 === undefined ? undefined : normalizeIPv6(s.accessIPv6 as string),
          blockDevices: bdms,
          configDrive: toBool(s.config_drive as boolean | string | undefined),
          keyName: s.key_name as string | undefined,
          minCount,
          maxCount,
          securityGroups: [
            ...new Set(
              ((s.security_groups ?? [{ name: 'default' }]) as { name: string }[]).map(
                (g) => g.name,
              ),
            ),
          ],
          userData: s.user_data as string | undefined,
          networks: s.networks as ServerCreateRequest['networks'],
          canAttachExternal: allows(api, req.raw, 'network:attach_external_network'),
          personality: (s.personality ?? []) as ServerCreateRequest['personality'],
          description: mv(req.raw, '2.19') ? (s.description as string | null | undefined) : s.name,
          tags: (s.tags ?? []) as string[],
          hints,
          allowZeroDisk: allows(api, req.raw, 'os_compute_api:servers:create:zero_disk_flavor'),
        }
        // Nova skips the attach_network rule when no port is asked for.
        if (
          request.networks === 'auto' ||
          (Array.isArray(request.networks) && request.networks.length > 0)
        )
          enforce(api, req.raw, 'os_compute_api:servers:create:attach_network', {
            project_id: caller.projectId,
            user_id: caller.userId,
          })
        const result = await createServers(deps, caller, request)
        void reply.code(202)
        if (toBool(s.return_reservation_id as boolean | string | undefined))
          return { reservation_id: result.reservationId }
        const id = result.ids[0] ?? ''
        const links = resourceLinks(req.raw, 'servers', id)
        void reply.header('location', links[0]?.href ?? '')
        return {
          server: {
            id,
            links,
            'OS-DCF:diskConfig': request.diskConfig ?? 'MANUAL',
            // Nova echoes the request's groups (it has not asked the network service yet).
            security_groups: s.security_groups ?? [{ name: 'default' }],
            adminPass: result.adminPass,
          },
        }
      },
    })

  for (const detail of [false, true])
    app.route({
      method: 'GET',
      url: detail ? '/v2.1/servers/detail' : '/v2.1/servers',
      access: 'token',
      handler: async (req) => {
        const caller = callerOf(req.raw)
        enforce(
          api,
          req.raw,
          detail ? 'os_compute_api:servers:detail' : 'os_compute_api:servers:index',
          {
            project_id: caller.projectId,
            user_id: caller.userId,
          },
        )
        const query = parseServerListQuery(api, req.raw)
        const rows = query.limit === 0 ? [] : await listServers(deps, query)
        const records = await loadRecords(deps, rows)
        let servers: Record<string, unknown>[]
        if (detail) {
          const isAdmin = allows(api, req.raw, 'os_compute_api:os-extended-server-attributes')
          const hostStatus =
            isAdmin && mv(req.raw, '2.16')
              ? await hostStatuses(
                  deps,
                  rows.map((r) => r.host).filter((h): h is string => h !== null),
                )
              : undefined
          const securityGroups = await securityGroupsOf(
            api,
            req.raw,
            rows.map((r) => r.id),
          )
          servers = records.map((r) =>
            serverView(req.raw, r, {
              kind: 'detail',
              isAdmin,
              securityGroups,
              ...(hostStatus ? { hostStatus } : {}),
            }),
          )
        } else servers = records.map((r) => serverSummary(req.raw, r))
        const links = nextLinks(
          req.raw,
          detail ? 'servers/detail' : 'servers',
          rows.length,
          query.limit,
          rows[rows.length - 1]?.id,
        )
        return { servers, ...(links ? { servers_links: links } : {}) }
      },
    })

  app.route({
    method: 'GET',
    url: '/v2.1/servers/:server_id',
    access: 'token',
    handler: async (req) => {
      const row = await serverFor(api, req.raw, 'os_compute_api:servers:show')
      return { server: await showServer(api, req.raw, row, 'show') }
    },
  })

  app.route({
    method: 'PUT',
    url: '/v2.1/servers/:server_id',
    access: 'token',
    handler: async (req) => {
      const body = validateBody(serverUpdateSchema(req.raw), req.body)
      const row = await serverFor(api, req.raw, 'os_compute_api:servers:update')
      // SAFETY: the schema of the request's band accepted these fields.
      const s = body.server as Record<string, string | null | undefined>
      const set: Partial<InstanceRow> = {}
      if (s.name !== undefined && s.name !== null) set.display_name = s.name
      if (s['OS-DCF:diskConfig'] !== undefined && s['OS-DCF:diskConfig'] !== null)
        set.disk_config = s['OS-DCF:diskConfig']
      if (s.accessIPv4 !== undefined) set.access_ip_v4 = s.accessIPv4
      if (s.accessIPv6 !== undefined)
        set.access_ip_v6 = s.accessIPv6 === null ? null : normalizeIPv6(s.accessIPv6)
      if (s.description !== undefined) set.display_description = s.description
      if (Object.keys(set).length > 0)
        await deps.db
          .updateTable('instance')
          .set({ ...set, updated_at: deps.clock.now().toISOString() })
          .where('id', '=', row.id)
          .execute()
      const updated = await loadInstance(deps, callerOf(req.raw), row.id)
      return { server: await showServer(api, req.raw, updated, 'update') }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v2.1/servers/:server_id',
    access: 'token',
    handler: async (req, reply) => {
      const row = await serverFor(api, req.raw, 'os_compute_api:servers:delete')
      await deleteServer(deps, callerOf(req.raw), row, { force: false })
      void reply.code(204)
      return undefined
    },
  })
}
