/**
 * @module Server create (Nova's compute API create): checks the request against flavors,
 * images, key pairs, zones and quotas, records the servers (BUILD/scheduling) atomically with
 * the quota check, then asks the conductor to schedule and build them.
 */
import { toJson } from '../../../lib/db/values.js'
import { uuid } from '../../../lib/ids/ids.js'
import { ensureSequence, nextValue } from '../../../lib/db/sequence.js'
import { rpcClient } from '../../../lib/rpc/define-rpc.js'
import { conductorRpc } from '../../conductor/rpc.js'
import type { ComputeTables } from '../../db/tables.js'
import { computeErrors } from '../../errors.js'
import type { ImageInfo } from '../../image-client.js'
import type { ErrorKind } from '../../../lib/errors/app-error.js'
import {
  type NovaNetworkException,
  type RequestedNetwork,
  networkFailure,
  withStatuses,
} from '../../network-client.js'
import type { Caller, ComputeDeps } from '../deps.js'
import type { FlavorSnapshot } from '../instance-spec.js'
import { startAction } from '../instance-actions.js'
import { allowedInstances, projectLimits, withProjectQuotaLock } from '../quotas.js'
import { addServerToGroup } from '../server-groups.js'
import { flavorForBoot, keyPairFor, zoneExists } from './boot-lookups.js'
import { generatePassword, reservationId, sanitizeHostname } from './names.js'

export interface BlockDeviceRequest {
  source_type?: string
  destination_type?: string
  uuid?: string
  volume_id?: string
  snapshot_id?: string
  image_id?: string
  boot_index?: number | string | null
}

export interface ServerCreateRequest {
  name: string
  imageRef: string | undefined
  flavorRef: string
  adminPass: string | undefined
  metadata: Record<string, string>
  /** Parsed `zone[:host[:node]]`; host/node only for callers the policy allows. */
  zone: string | undefined
  forcedHost: string | undefined
  forcedNode: string | undefined
  diskConfig: 'AUTO' | 'MANUAL' | undefined
  accessIPv4: string | undefined
  accessIPv6: string | undefined
  blockDevices: BlockDeviceRequest[]
  configDrive: boolean
  keyName: string | undefined
  minCount: number
  maxCount: number
  securityGroups: string[]
  userData: string | undefined
  networks:
    | 'none'
    | 'auto'
    | { uuid?: string; port?: string | null; fixed_ip?: string; tag?: string }[]
    | undefined
  /** The network:attach_external_network policy allows non-shared external networks. */
  canAttachExternal: boolean
  personality: { path: string; contents: string }[]
  description: string | null | undefined
  tags: string[]
  hints: Record<string, unknown>
  /** Image-backed servers on a zero-disk flavor need the zero_disk_flavor policy (admins). */
  allowZeroDisk: boolean
}

/** System metadata key of what a server asked of the network (Nova keeps it in the request spec). */
export const NETWORK_REQUEST_KEY = 'network_request'

export interface StoredNetworkRequest {
  /** null: the request named no networks. */
  networks: 'auto' | 'none' | RequestedNetwork[] | null
  /** The requester was an admin (ports are made with the requester's rights, as in Nova). */
  isAdmin: boolean
  canAttachExternal: boolean
}

export interface ServerCreateResult {
  ids: string[]
  reservationId: string
  adminPass: string
}

const GIB = 1024 ** 3

/** The image to boot from: imageRef, or the image of a local boot_index 0 mapping. */
function bootImageId(req: ServerCreateRequest): string | undefined {
  if (req.imageRef) return req.imageRef
  const boot = req.blockDevices.find((b) => String(b.boot_index ?? '') === '0')
  if (boot?.source_type === 'image' && (boot.destination_type ?? 'local') === 'local')
    return boot.uuid ?? boot.image_id
  return undefined
}

function checkBlockDevices(req: ServerCreateRequest): void {
  for (const b of req.blockDevices) {
    const volumeId = b.volume_id ?? (b.source_type === 'volume' ? b.uuid : undefined)
    const snapshotId = b.snapshot_id ?? (b.source_type === 'snapshot' ? b.uuid : undefined)
    // There is no block storage service (yet): a volume or snapshot cannot be found.
    if (volumeId !== undefined)
      throw computeErrors.badRequest(
        `Block Device Mapping is Invalid: failed to get volume ${volumeId}.`,
      )
    if (snapshotId !== undefined)
      throw computeErrors.badRequest(
        `Block Device Mapping is Invalid: failed to get snapshot ${snapshotId}.`,
      )
    if (b.destination_type === 'volume')
      throw computeErrors.badRequest(
        'Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.',
      )
    if (b.source_type !== undefined && b.source_type !== 'image' && b.source_type !== 'blank')
      throw computeErrors.badRequest('Block Device Mapping is Invalid: Missing device UUID.')
  }
}

/** Nova's API-side checks of `networks` (servers.py _get_requested_networks). */
function checkNetworkFormat(req: ServerCreateRequest): void {
  if (req.networks === undefined || typeof req.networks === 'string') return
  const ports = new Set<string>()
  for (const n of req.networks) {
    if (n.port) {
      if (ports.has(n.port))
        throw computeErrors.badRequest(
          `Port ID '${n.port}' was specified twice: you cannot attach a port multiple times.`,
        )
      if (n.fixed_ip !== undefined)
        throw computeErrors.badRequest(
          `Specified Fixed IP '${n.fixed_ip}' cannot be used with port '${n.port}': the two cannot be specified together.`,
        )
      ports.add(n.port)
      continue
    }
    if (n.uuid === undefined) throw computeErrors.badRequest("Bad network format: missing 'uuid'")
    if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(n.uuid))
      throw computeErrors.badRequest(
        `Bad networks format: network uuid is not in proper format (${n.uuid})`,
      )
  }
}

/** The request's networks as the network client takes them. */
export function networkRequestOf(
  networks: ServerCreateRequest['networks'],
): 'auto' | 'none' | RequestedNetwork[] | undefined {
  if (networks === undefined || typeof networks === 'string') return networks
  return networks.map((n) => ({
    ...(n.port ? { portId: n.port } : { networkId: n.uuid ?? '' }),
    ...(n.fixed_ip === undefined ? {} : { fixedIp: n.fixed_ip }),
    ...(n.tag === undefined ? {} : { tag: n.tag }),
  }))
}

/** Nova's create-time checks of several servers sharing one port or one fixed IP. */
function checkMultipleInstances(req: ServerCreateRequest): void {
  if (req.maxCount <= 1 || req.networks === undefined || typeof req.networks === 'string') return
  if (req.networks.some((n) => !n.port && n.fixed_ip !== undefined))
    throw computeErrors.badRequest(
      'Failed to launch instances: max_count cannot be greater than 1 if an fixed_ip is specified.',
    )
  if (req.networks.some((n) => n.port))
    throw computeErrors.badRequest(
      'Failed to launch instances: Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.',
    )
}

/**
 * The networks and security groups exist and the port quota allows at least min_count servers
 * (Nova's _check_requested_secgroups and _check_requested_networks); answers how many servers
 * the ports allow.
 */
async function checkNetworks(
  deps: ComputeDeps,
  caller: Caller,
  req: ServerCreateRequest,
): Promise<number> {
  const network = deps.network
  const requested = networkRequestOf(req.networks)
  if (!network) {
    // No network service: no network or port can be found.
    const first = Array.isArray(requested) ? requested[0] : undefined
    if (first?.portId !== undefined)
      throw computeErrors.badRequest(`Port id ${first.portId} could not be found.`)
    if (first?.networkId !== undefined)
      throw computeErrors.badRequest(`Network ${first.networkId} could not be found.`)
    return req.maxCount
  }
  try {
    await network.validateSecurityGroups(caller, req.securityGroups)
    if (requested === 'none') return req.maxCount
    const allowed = await network.validateNetworks(caller, requested, req.maxCount)
    if (allowed < req.minCount)
      throw networkFailure('PortLimitExceeded', 'Forbidden', 'Maximum number of ports exceeded')
    return allowed
  } catch (err) {
    throw withStatuses(err, CREATE_STATUSES)
  }
}

/** How server create answers the network service's refusals (servers.py create). */
const CREATE_STATUSES: Partial<Record<NovaNetworkException, ErrorKind>> = {
  NetworkNotFound: 'BadRequest',
  PortNotFound: 'BadRequest',
  PortRequiresFixedIP: 'BadRequest',
  NetworkRequiresSubnet: 'BadRequest',
  FixedIpAlreadyInUse: 'BadRequest',
  SecurityGroupNotFound: 'BadRequest',
  UnableToAutoAllocateNetwork: 'BadRequest',
  InvalidInput: 'BadRequest',
  PortInUse: 'Conflict',
  NetworkAmbiguous: 'Conflict',
  NoUniqueMatch: 'Conflict',
  PortLimitExceeded: 'Forbidden',
  ExternalNetworkAttachForbidden: 'Forbidden',
}

function checkImageFits(image: ImageInfo, flavor: FlavorSnapshot, allowZeroDisk: boolean): void {
  if (image.status !== 'active') throw computeErrors.badRequest(`Image ${image.id} is not active.`)
  if (flavor.memoryMb < image.minRam)
    throw computeErrors.badRequest("Flavor's memory is too small for requested image.")
  if (flavor.rootGb === 0) {
    if (!allowZeroDisk)
      throw computeErrors.forbidden(
        'Only volume-backed servers are allowed for flavors with zero disk.',
      )
    return
  }
  const flavorBytes = flavor.rootGb * GIB
  if ((image.size ?? 0) > flavorBytes)
    throw computeErrors.badRequest(
      `Flavor's disk is too small for requested image. Flavor disk is ${flavorBytes} bytes, image is ${image.size ?? 0} bytes.`,
    )
  if (image.minDisk * GIB > flavorBytes)
    throw computeErrors.badRequest(
      `Flavor's disk is too small for requested image. Flavor disk is ${flavorBytes} bytes, minimum required by image is ${image.minDisk * GIB} bytes.`,
    )
}

async function checkPerServerLimits(
  deps: ComputeDeps,
  caller: Caller,
  req: ServerCreateRequest,
): Promise<void> {
  const limits = await projectLimits(deps, caller.projectId, caller.userId)
  const over = (limit: number, value: number) => limit >= 0 && value > limit
  if (over(limits.metadata_items, Object.keys(req.metadata).length))
    throw computeErrors.quotaExceeded(
      `Maximum number of metadata items exceeds ${limits.metadata_items}`,
    )
  if (over(limits.injected_files, req.personality.length))
    throw computeErrors.quotaExceeded('Personality file limit exceeded')
  for (const f of req.personality) {
    if (over(limits.injected_file_path_bytes, f.path.length))
      throw computeErrors.quotaExceeded(
        `Personality file path exceeds maximum ${limits.injected_file_path_bytes}`,
      )
    if (over(limits.injected_file_content_bytes, f.contents.length))
      throw computeErrors.quotaExceeded(
        `Personality file content exceeds maximum ${limits.injected_file_content_bytes}`,
      )
  }
}

export async function createServers(
  deps: ComputeDeps,
  caller: Caller,
  req: ServerCreateRequest,
): Promise<ServerCreateResult> {
  if (req.minCount > req.maxCount) throw computeErrors.badRequest('min_count must be <= max_count')
  checkNetworkFormat(req)
  checkMultipleInstances(req)
  const flavor = await flavorForBoot(deps, caller, req.flavorRef)
  checkBlockDevices(req)
  const imageId = bootImageId(req)
  let image: ImageInfo | undefined
  if (imageId === undefined) {
    if (req.blockDevices.length === 0) throw computeErrors.badRequest('Missing imageRef attribute')
  } else {
    image = await deps.images.getImage(caller, imageId)
    if (!image) throw computeErrors.badRequest('Can not find requested image')
    checkImageFits(image, flavor, req.allowZeroDisk)
  }
  const key =
    req.keyName === undefined ? undefined : await keyPairFor(deps, caller.userId, req.keyName)
  if (req.zone !== undefined && req.forcedHost === undefined && !(await zoneExists(deps, req.zone)))
    throw computeErrors.badRequest('The requested availability zone is not available')
  const maxCount = Math.min(req.maxCount, await checkNetworks(deps, caller, req))
  if (req.userData !== undefined && !isBase64(req.userData))
    throw computeErrors.badRequest('User data needs to be valid base 64.')
  await checkPerServerLimits(deps, caller, req)
  const groupId = typeof req.hints.group === 'string' ? req.hints.group : undefined

  const adminPass = req.adminPass ?? generatePassword()
  const reservation = reservationId()
  const now = deps.clock.now().toISOString()
  const requestedZone =
    req.zone === undefined && req.forcedHost === undefined
      ? (deps.config.defaultScheduleZone ?? null)
      : [req.zone ?? '', req.forcedHost ?? '', req.forcedNode ?? ''].join(':').replace(/:+$/, '')
  const networkRequest: StoredNetworkRequest = {
    networks: networkRequestOf(req.networks) ?? null,
    isAdmin: caller.isAdmin,
    canAttachExternal: req.canAttachExternal,
  }
  // The first boot ever must not race another one to create the counter row (PostgreSQL).
  await ensureSequence(deps.db, 'instance')
  const ids = await withProjectQuotaLock(deps, caller.projectId, async (trx) => {
    const count = await allowedInstances(
      deps,
      trx,
      { projectId: caller.projectId, userId: caller.userId },
      { cores: flavor.vcpus, ram: flavor.memoryMb },
      req.minCount,
      maxCount,
    )
    const created: string[] = []
    for (let index = 0; index < count; index++) {
      const id = uuid()
      const seq = await nextValue<ComputeTables>(trx, 'instance')
      const multi = count > 1
      const displayName = multi ? `${req.name}-${index + 1}` : req.name
      await trx
        .insertInto('instance')
        .values({
          id,
          seq,
          display_name: displayName,
          display_description: req.description === undefined ? null : req.description,
          hostname: sanitizeHostname(displayName, `Server-${id}`),
          project_id: caller.projectId,
          user_id: caller.userId,
          image_ref: image?.id ?? null,
          flavor: toJson(flavor),
          new_flavor: null,
          old_flavor: null,
          vcpus: flavor.vcpus,
          memory_mb: flavor.memoryMb,
          root_gb: flavor.rootGb,
          ephemeral_gb: flavor.ephemeralGb,
          vm_state: 'building',
          task_state: 'scheduling',
          power_state: 0,
          host: null,
          node: null,
          availability_zone: null,
          requested_zone: requestedZone,
          key_name: key?.name ?? null,
          key_data: key?.publicKey ?? null,
          user_data: req.userData ?? null,
          config_drive: req.configDrive ? 'True' : '',
          access_ip_v4: req.accessIPv4 ?? null,
          access_ip_v6: req.accessIPv6 ?? null,
          locked: 0,
          locked_by: null,
          locked_reason: null,
          reservation_id: reservation,
          launch_index: index,
          progress: 0,
          kernel_id: image?.properties.kernel_id ?? null,
          ramdisk_id: image?.properties.ramdisk_id ?? null,
          root_device_name: '/dev/vda',
          disk_config:
            req.diskConfig ?? (image?.properties.auto_disk_config === 'True' ? 'AUTO' : 'MANUAL'),
          security_groups: toJson(req.securityGroups),
          scheduler_hints: toJson(req.hints),
          image_meta: toJson(image ? imageMeta(image) : {}),
          build_hosts: '[]',
          launched_at: null,
          terminated_at: null,
          created_at: now,
          updated_at: now,
          deleted_at: null,
        })
        .execute()
      for (const [k, v] of Object.entries(req.metadata))
        await trx
          .insertInto('instance_metadata')
          .values({ instance_id: id, key: k, value: v })
          .execute()
      await trx
        .insertInto('instance_system_metadata')
        .values({ instance_id: id, key: NETWORK_REQUEST_KEY, value: toJson(networkRequest) })
        .execute()
      for (const tag of new Set(req.tags))
        await trx.insertInto('instance_tag').values({ instance_id: id, tag }).execute()
      if (groupId !== undefined) await addServerToGroup(trx, deps, groupId, id, caller)
      created.push(id)
    }
    return created
  })
  for (const id of ids) await startAction(deps, caller, id, 'create')
  await rpcClient(deps.bus, conductorRpc).buildInstances({
    instanceIds: ids,
    requestId: caller.requestId,
  })
  return { ids, reservationId: reservation, adminPass }
}

/** What the scheduler and drivers read of the image (Nova's image_* system metadata). */
function imageMeta(image: ImageInfo): Record<string, string> {
  return {
    ...image.properties,
    ...(image.diskFormat ? { disk_format: image.diskFormat } : {}),
    ...(image.containerFormat ? { container_format: image.containerFormat } : {}),
    min_ram: String(image.minRam),
    min_disk: String(image.minDisk),
  }
}

function isBase64(text: string): boolean {
  const clean = text.replace(/\s/g, '')
  return clean.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(clean)
}
