/**
 * @module A server as Nova's views/servers.py shows it, for the request's microversion: the
 * full show/detail view, the reduced view of update and rebuild below 2.75, admin-only
 * OS-EXT-SRV-ATTR fields, and every field added up to our maximum microversion.
 */
import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { fromJson } from '../../lib/db/values.js'
import type { FlavorSnapshot } from '../core/instance-spec.js'
import { addressesView } from '../core/servers/network-info.js'
import type { ServerRecord } from '../core/servers/records.js'
import { serverStatus } from '../core/server-states.js'
import { bookmarkLink, mv, resourceLinks } from './compute-api.js'
import { isoMicros, isoSeconds } from './time-format.js'

export type ServerViewKind = 'show' | 'detail' | 'update' | 'rebuild'

export interface ServerViewOptions {
  kind: ServerViewKind
  isAdmin: boolean
  /** host -> UP/DOWN/MAINTENANCE/UNKNOWN (2.16 host_status, admins only). */
  hostStatus?: ReadonlyMap<string, string>
  /** server id -> the security groups of its ports (Nova asks the network service per request). */
  securityGroups?: ReadonlyMap<string, { name: string }[]>
}

const PROGRESS_STATUSES = new Set([
  'ACTIVE',
  'BUILD',
  'REBUILD',
  'RESIZE',
  'VERIFY_RESIZE',
  'MIGRATING',
])

/** Nova's hostId: sha224 of project id + host, so tenants can tell co-location without host names. */
export function hostId(projectId: string, host: string | null): string {
  if (!host) return ''
  return createHash('sha224')
    .update(projectId + host)
    .digest('hex')
}

export function instanceName(seq: number): string {
  return `instance-${seq.toString(16).padStart(8, '0')}`
}

function flavorView(req: FastifyRequest, flavor: FlavorSnapshot): Record<string, unknown> {
  if (!mv(req, '2.47')) return { id: flavor.id, links: bookmarkLink(req, 'flavors', flavor.id) }
  return {
    vcpus: flavor.vcpus,
    ram: flavor.memoryMb,
    disk: flavor.rootGb,
    ephemeral: flavor.ephemeralGb,
    swap: flavor.swapMb,
    original_name: flavor.name,
    extra_specs: flavor.extraSpecs,
  }
}

export function serverView(
  req: FastifyRequest,
  record: ServerRecord,
  options: ServerViewOptions,
): Record<string, unknown> {
  const r = record.row
  const status = r.deleted_at === null ? serverStatus(r.vm_state, r.task_state) : 'DELETED'
  const flavor = fromJson<FlavorSnapshot>(r.flavor, {
    id: '',
    name: '',
    vcpus: r.vcpus,
    memoryMb: r.memory_mb,
    rootGb: r.root_gb,
    ephemeralGb: r.ephemeral_gb,
    swapMb: 0,
    rxtxFactor: 1,
    extraSpecs: {},
  })
  const full = options.kind === 'show' || options.kind === 'detail' || mv(req, '2.75')
  const view: Record<string, unknown> = {
    id: r.id,
    name: r.display_name,
    status,
    tenant_id: r.project_id,
    user_id: r.user_id,
    metadata: record.metadata,
    hostId: hostId(r.project_id, r.host),
    image: r.image_ref ? { id: r.image_ref, links: bookmarkLink(req, 'images', r.image_ref) } : '',
    flavor: flavorView(req, flavor),
    created: isoSeconds(r.created_at),
    updated: isoSeconds(r.updated_at),
    // Nova hides addresses while the server builds.
    addresses: r.vm_state === 'building' ? {} : addressesView(record.vifs, full),
    accessIPv4: r.access_ip_v4 ?? '',
    accessIPv6: r.access_ip_v6 ?? '',
    links: resourceLinks(req, 'servers', r.id),
    'OS-DCF:diskConfig': r.disk_config,
  }
  if (PROGRESS_STATUSES.has(status)) view.progress = r.progress
  if ((status === 'ERROR' || status === 'DELETED') && record.fault) {
    const f = record.fault
    view.fault = {
      code: f.code,
      created: isoSeconds(f.created_at),
      message: f.message,
      ...(f.details !== '' && (options.isAdmin || f.code !== 500) ? { details: f.details } : {}),
    }
  }
  if (full) {
    view['OS-EXT-AZ:availability_zone'] =
      r.availability_zone ?? (r.requested_zone ?? '').split(':')[0] ?? ''
    view.config_drive = r.config_drive
    view.key_name = r.key_name
    view['OS-SRV-USG:launched_at'] = isoMicros(r.launched_at)
    view['OS-SRV-USG:terminated_at'] = isoMicros(r.terminated_at)
    view['OS-EXT-STS:task_state'] = r.task_state
    view['OS-EXT-STS:vm_state'] = r.vm_state
    view['OS-EXT-STS:power_state'] = r.power_state
    view['os-extended-volumes:volumes_attached'] = []
    // Nova lists the groups of the server's ports and omits the key when it has none.
    const groups = options.securityGroups?.get(r.id)
    if (groups !== undefined && groups.length > 0) view.security_groups = groups
    if (options.isAdmin) {
      view['OS-EXT-SRV-ATTR:host'] = r.host
      view['OS-EXT-SRV-ATTR:instance_name'] = instanceName(r.seq)
      view['OS-EXT-SRV-ATTR:hypervisor_hostname'] = r.node
      if (mv(req, '2.3')) {
        view['OS-EXT-SRV-ATTR:reservation_id'] = r.reservation_id
        view['OS-EXT-SRV-ATTR:launch_index'] = r.launch_index
        view['OS-EXT-SRV-ATTR:hostname'] = r.hostname
        view['OS-EXT-SRV-ATTR:kernel_id'] = r.kernel_id ?? ''
        view['OS-EXT-SRV-ATTR:ramdisk_id'] = r.ramdisk_id ?? ''
        view['OS-EXT-SRV-ATTR:root_device_name'] = r.root_device_name
        if (options.kind !== 'rebuild') view['OS-EXT-SRV-ATTR:user_data'] = r.user_data
      }
      if (mv(req, '2.16'))
        view.host_status = r.host ? (options.hostStatus?.get(r.host) ?? 'UNKNOWN') : ''
    }
  }
  if (mv(req, '2.9')) view.locked = r.locked === 1
  if (mv(req, '2.19')) view.description = r.display_description
  if (mv(req, '2.26')) view.tags = record.tags
  if (mv(req, '2.63')) view.trusted_image_certificates = null
  if (mv(req, '2.71') && options.kind !== 'detail') view.server_groups = record.groupIds
  if (mv(req, '2.73')) view.locked_reason = r.locked_reason
  return view
}

/** The list (non-detail) item: id, name and links. */
export function serverSummary(req: FastifyRequest, record: ServerRecord): Record<string, unknown> {
  return {
    id: record.row.id,
    name: record.row.display_name,
    links: resourceLinks(req, 'servers', record.row.id),
  }
}
