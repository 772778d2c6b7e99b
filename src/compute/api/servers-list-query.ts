/**
 * @module GET /servers query parameters as Nova reads them: non-admins keep only the filters
 * they may use (others are dropped silently, as Nova does), admins may filter on most columns
 * and see all projects with all_tenants; sort keys, paging and the 2.x additions.
 */
import type { FastifyRequest } from 'fastify'
import type { ServerListQuery } from '../core/servers/list.js'
import type { InstanceRow } from '../core/servers/records.js'
import { vmStatesOfStatus } from '../core/server-states.js'
import { computeErrors } from '../errors.js'
import { type ComputeApi, allows, callerOf, enforce, mv } from './compute-api.js'
import { toBool } from './parameter-types.js'

type Query = Record<string, string | string[] | undefined>

const SORT_COLUMNS: Readonly<Record<string, keyof InstanceRow>> = {
  access_ip_v4: 'access_ip_v4',
  access_ip_v6: 'access_ip_v6',
  auto_disk_config: 'disk_config',
  availability_zone: 'availability_zone',
  config_drive: 'config_drive',
  created_at: 'created_at',
  display_description: 'display_description',
  display_name: 'display_name',
  host: 'host',
  hostname: 'hostname',
  image_ref: 'image_ref',
  kernel_id: 'kernel_id',
  key_name: 'key_name',
  launch_index: 'launch_index',
  launched_at: 'launched_at',
  locked_by: 'locked_by',
  node: 'node',
  power_state: 'power_state',
  progress: 'progress',
  project_id: 'project_id',
  ramdisk_id: 'ramdisk_id',
  root_device_name: 'root_device_name',
  task_state: 'task_state',
  terminated_at: 'terminated_at',
  updated_at: 'updated_at',
  user_id: 'user_id',
  uuid: 'id',
  vm_state: 'vm_state',
}

/** Keys Nova accepts in sort_key but ignores (joined or internal columns). */
const IGNORED_SORT_KEYS = new Set([
  'architecture',
  'cell_name',
  'cleaned',
  'default_ephemeral_device',
  'default_swap_device',
  'deleted',
  'deleted_at',
  'disable_terminate',
  'ephemeral_gb',
  'ephemeral_key_uuid',
  'id',
  'key_data',
  'launched_on',
  'locked',
  'memory_mb',
  'os_type',
  'reservation_id',
  'root_gb',
  'shutdown_terminate',
  'user_data',
  'vcpus',
  'vm_mode',
  'instance_type_id',
])

const USER_FILTERS = [
  'reservation_id',
  'name',
  'status',
  'image',
  'flavor',
  'ip',
  'changes-since',
  'all_tenants',
]

/** Admin filters that are exact matches on a column; everything else is a regex. */
const EXACT: Readonly<Record<string, keyof InstanceRow>> = {
  project_id: 'project_id',
  tenant_id: 'project_id',
  user_id: 'user_id',
  image_ref: 'image_ref',
  vm_state: 'vm_state',
  uuid: 'id',
  host: 'host',
  task_state: 'task_state',
  reservation_id: 'reservation_id',
}

const REGEX: Readonly<Record<string, keyof InstanceRow>> = {
  name: 'display_name',
  display_name: 'display_name',
  description: 'display_description',
  display_description: 'display_description',
  hostname: 'hostname',
  node: 'node',
  key_name: 'key_name',
  availability_zone: 'availability_zone',
  access_ip_v4: 'access_ip_v4',
  access_ip_v6: 'access_ip_v6',
  kernel_id: 'kernel_id',
  ramdisk_id: 'ramdisk_id',
  root_device_name: 'root_device_name',
  locked_by: 'locked_by',
  config_drive: 'config_drive',
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v]
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

function isoParam(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const ms = Date.parse(value)
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms))
    throw computeErrors.badRequest(
      `Invalid input for query parameters ${name}. Value: ${value}. '${value}' is not a 'date-time'`,
    )
  return new Date(ms).toISOString()
}

function nonNegative(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^[0-9]+$/.test(value))
    throw computeErrors.badRequest(
      `Invalid input for query parameters ${name}. Value: ${value}. '${value}' does not match '^[0-9]*$'`,
    )
  return Number(value)
}

export function parseServerListQuery(api: ComputeApi, req: FastifyRequest): ServerListQuery {
  const caller = callerOf(req)
  // SAFETY: Fastify's query parser yields strings or arrays of strings.
  let raw = { ...(req.query as Query) }
  const allFilters = allows(api, req, 'os_compute_api:servers:allow_all_filters')
  if (!allFilters) {
    const allowed = new Set(USER_FILTERS)
    if (mv(req, '2.5')) allowed.add('ip6')
    if (mv(req, '2.26'))
      for (const k of ['tags', 'tags-any', 'not-tags', 'not-tags-any']) allowed.add(k)
    if (mv(req, '2.66')) allowed.add('changes-before')
    if (mv(req, '2.73')) allowed.add('locked')
    for (const k of ['sort_key', 'sort_dir', 'limit', 'marker']) allowed.add(k)
    raw = Object.fromEntries(Object.entries(raw).filter(([k]) => allowed.has(k)))
  }
  const allTenants = raw.all_tenants
  let projectId: string | undefined = caller.projectId
  if (allTenants !== undefined) {
    const v = first(allTenants) ?? ''
    if (
      v !== '' &&
      !['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 't', 'f', 'y', 'n'].includes(
        v.toLowerCase(),
      )
    )
      throw computeErrors.badRequest(`Invalid value '${v}' for all_tenants`)
    if (v === '' || toBool(v.toLowerCase() === 't' ? 'true' : v.toLowerCase(), false)) {
      enforce(api, req, 'os_compute_api:servers:index:get_all_tenants')
      projectId = undefined
    }
  }
  const exact: ServerListQuery['exact'] = {}
  const regex: ServerListQuery['regex'] = {}
  for (const [key, value] of Object.entries(raw)) {
    if (
      key.startsWith('_') ||
      [
        'block_device_mapping',
        'services',
        'metadata',
        'system_metadata',
        'info_cache',
        'security_groups',
        'pci_devices',
      ].includes(key)
    )
      throw computeErrors.badRequest(`Invalid filter field: ${key}.`)
    const column = EXACT[key]
    if (column !== undefined) {
      // tenant_id/project_id narrow a listing only when all tenants are listed.
      if ((key === 'tenant_id' || key === 'project_id') && projectId !== undefined) continue
      exact[column] = list(value)
      continue
    }
    const rcol = REGEX[key]
    const v = first(value)
    if (rcol !== undefined && v !== undefined) regex[rcol] = v
  }
  const image = first(raw.image)
  if (image !== undefined) exact.image_ref = [image.split('/').pop() ?? image]
  let statuses: string[] | undefined
  if (raw.status !== undefined) {
    statuses = list(raw.status)
    const known = statuses.filter(
      (s) => s.toUpperCase() === 'DELETED' || vmStatesOfStatus(s).length > 0,
    )
    if (known.length < statuses.length) {
      if (mv(req, '2.38')) throw computeErrors.badRequest('Invalid status value')
      statuses = ['__none__']
    }
    if (statuses.some((s) => s.toUpperCase() === 'DELETED') && !caller.isAdmin)
      throw computeErrors.forbidden('Only administrators may list deleted instances')
  }
  const changesSince = isoParam('changes-since', first(raw['changes-since']))
  const changesBefore = isoParam('changes-before', first(raw['changes-before']))
  if (changesSince !== undefined && changesBefore !== undefined && changesBefore < changesSince)
    throw computeErrors.badRequest(
      'The value of changes-since must be less than or equal to changes-before.',
    )
  const deleted = first(raw.deleted)
  const locked = first(raw.locked)
  if (
    locked !== undefined &&
    !['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(locked.toLowerCase())
  )
    throw computeErrors.badRequest(`Invalid input for query parameters locked. Value: ${locked}.`)
  const tagList = (k: string) => {
    const v = first(raw[k])
    return v === undefined ? undefined : v.split(',').filter((t) => t !== '')
  }
  const sortKeys = list(raw.sort_key)
  const sortDirs = list(raw.sort_dir)
  const sort: ServerListQuery['sort'] = []
  sortKeys.forEach((key, i) => {
    if ((key === 'host' || key === 'node') && !caller.isAdmin)
      throw computeErrors.forbidden('Only administrators can sort servers by host')
    const column = SORT_COLUMNS[key]
    if (column === undefined) {
      if (IGNORED_SORT_KEYS.has(key)) return
      throw computeErrors.badRequest(`Invalid input for query parameters sort_key. Value: ${key}.`)
    }
    const dir = sortDirs[i] ?? sortDirs[0] ?? 'desc'
    if (dir !== 'asc' && dir !== 'desc')
      throw computeErrors.badRequest(`Invalid input for query parameters sort_dir. Value: ${dir}.`)
    sort.push({ key: column, dir })
  })
  if (sort.length === 0) sort.push({ key: 'created_at', dir: 'desc' })
  const max = api.deps.config.osapiMaxLimit
  const limit = nonNegative('limit', first(raw.limit))
  return {
    projectId,
    exact,
    regex,
    statuses,
    flavorId: first(raw.flavor)?.split('/').pop(),
    changesSince,
    changesBefore,
    includeDeleted:
      deleted === undefined || !caller.isAdmin
        ? undefined
        : toBool(deleted.toLowerCase() === 'true' ? 'true' : 'false'),
    tags: tagList('tags'),
    tagsAny: tagList('tags-any'),
    notTags: tagList('not-tags'),
    notTagsAny: tagList('not-tags-any'),
    locked:
      locked === undefined
        ? undefined
        : toBool(
            locked.toLowerCase() === 'true' ||
              locked === '1' ||
              locked.toLowerCase() === 'yes' ||
              locked.toLowerCase() === 'on'
              ? 'true'
              : 'false',
          ),
    ipFilter:
      raw.ip !== undefined || raw.ip6 !== undefined
        ? { ip: first(raw.ip), ip6: first(raw.ip6) }
        : undefined,
    sort,
    limit: limit === undefined ? max : Math.min(limit, max),
    marker: first(raw.marker),
  }
}
