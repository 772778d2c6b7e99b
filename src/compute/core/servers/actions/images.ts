/**
 * @module Actions that save a server's disk as an image (createImage, createBackup, shelve)
 * and bring a shelved server back (unshelve). The API creates the image record (Nova's
 * compute_utils.create_image), the host's agent uploads the snapshot into it.
 */
import { rpcClient } from '../../../../lib/rpc/define-rpc.js'
import { fromJson } from '../../../../lib/db/values.js'
import { conductorRpc } from '../../../conductor/rpc.js'
import { computeErrors } from '../../../errors.js'
import type { Caller, ComputeDeps } from '../../deps.js'
import { startAction } from '../../instance-actions.js'
import { zoneExists } from '../boot-lookups.js'
import { checkHost, checkLock, checkState, type StateRule } from '../guards.js'
import type { InstanceRow } from '../records.js'
import { setSystemMetadata, systemMetadata } from '../system-metadata.js'
import { callerJson, castToHost, enterTaskState, runOnHost } from './cast.js'

const SNAPSHOT_STATES: StateRule = { vm: ['active', 'stopped', 'paused', 'suspended'] }

/** Image properties a snapshot does not inherit (Nova's list, its defaults, and what it sets itself). */
const NON_INHERITABLE = new Set([
  'cache_in_nova',
  'bittorrent',
  'cinder_encryption_key_id',
  'cinder_encryption_key_deletion_policy',
  'img_signature_hash_method',
  'img_signature',
  'img_signature_key_type',
  'img_signature_certificate_uuid',
  'disk_format',
  'container_format',
  'min_ram',
  'min_disk',
  'instance_uuid',
  'image_type',
  'backup_type',
  'user_id',
  'base_image_ref',
  'instance_owner',
])

/** The image record a snapshot goes into (Nova's initialize_instance_snapshot_metadata). */
async function createSnapshotImage(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  name: string,
  type: 'snapshot' | 'backup',
  extra: Record<string, string>,
): Promise<string> {
  const meta = fromJson<Record<string, string>>(row.image_meta, {})
  const inherited = Object.fromEntries(
    Object.entries(meta).filter(([k]) => !NON_INHERITABLE.has(k) && !k.startsWith('os_glance')),
  )
  const own = caller.projectId === row.project_id
  const properties: Record<string, string> = {
    ...inherited,
    instance_uuid: row.id,
    user_id: caller.userId,
    image_type: type,
    ...(row.image_ref ? { base_image_ref: row.image_ref } : {}),
    ...(own ? {} : { instance_owner: row.project_id }),
    ...extra,
  }
  return deps.images.createImage(caller, {
    name,
    visibility: own ? 'private' : 'shared',
    // Nova's driver sets the formats when it uploads; set here since the upload cannot.
    disk_format: meta.disk_format ?? 'raw',
    container_format: meta.container_format ?? 'bare',
    min_ram: Number(meta.min_ram ?? 0),
    min_disk: Math.max(Number(meta.min_disk ?? 0), row.root_gb),
    ...properties,
  })
}

/** Creates the image, then takes the task_state; a lost race deletes the image again. */
async function snapshotInto(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  s: {
    name: string
    imageName: string
    type: 'snapshot' | 'backup'
    extra: Record<string, string>
    taskState: string
    action: string
    agentAction: string
    args?: Record<string, unknown>
  },
): Promise<string> {
  const host = checkHost(row)
  const imageId = await createSnapshotImage(deps, caller, row, s.imageName, s.type, s.extra)
  try {
    await enterTaskState(deps, row, { name: s.name, taskState: s.taskState })
  } catch (err) {
    await deps.images.deleteImage(caller, imageId).catch(() => undefined)
    throw err
  }
  await castToHost(deps, caller, row, host, {
    action: s.action,
    agentAction: s.agentAction,
    args: { caller: callerJson(caller), imageId, ...s.args },
  })
  return imageId
}

export async function createImage(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  name: string,
  metadata: Record<string, string>,
): Promise<string> {
  checkState(row, 'createImage', SNAPSHOT_STATES)
  return snapshotInto(deps, caller, row, {
    name: 'createImage',
    imageName: name,
    type: 'snapshot',
    extra: metadata,
    taskState: 'image_snapshot_pending',
    action: 'createImage',
    agentAction: 'snapshot',
  })
}

export async function createBackup(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  b: { name: string; backupType: string; rotation: number; metadata: Record<string, string> },
): Promise<string> {
  checkState(row, 'createBackup', SNAPSHOT_STATES)
  return snapshotInto(deps, caller, row, {
    name: 'createBackup',
    imageName: b.name,
    type: 'backup',
    extra: { ...b.metadata, backup_type: b.backupType },
    taskState: 'image_backup',
    action: 'createBackup',
    agentAction: 'backup',
    args: { backupType: b.backupType, rotation: b.rotation },
  })
}

export async function shelve(deps: ComputeDeps, caller: Caller, row: InstanceRow): Promise<void> {
  checkLock(caller, row)
  checkState(row, 'shelve', SNAPSHOT_STATES)
  const imageId = await snapshotInto(deps, caller, row, {
    name: 'shelve',
    imageName: `${row.display_name}-shelved`,
    type: 'snapshot',
    extra: {},
    taskState: 'shelving',
    action: 'shelve',
    agentAction: 'shelve',
  })
  await setSystemMetadata(deps.db, row.id, {
    shelved_image_id: imageId,
    shelved_host: row.host,
    shelved_at: deps.clock.now().toISOString(),
  })
}

export async function shelveOffload(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
): Promise<void> {
  checkLock(caller, row)
  checkState(row, 'shelveOffload', { vm: ['shelved'] })
  await runOnHost(deps, caller, row, {
    name: 'shelveOffload',
    taskState: 'shelving_offloading',
    action: 'shelveOffload',
    agentAction: 'shelve_offload',
  })
}

/**
 * unshelve: a server still on its host starts there; an offloaded one is scheduled again
 * (into `zone` when given, 2.77; null unpins it).
 */
export async function unshelve(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  options: { zone?: string | null; host?: string },
): Promise<void> {
  checkLock(caller, row)
  checkState(row, 'unshelve', { vm: ['shelved', 'shelved_offloaded'] })
  const zonePassed = options.zone !== undefined
  if ((zonePassed || options.host !== undefined) && row.vm_state !== 'shelved_offloaded')
    throw computeErrors.conflict(
      `Specifying an availability zone or a host when unshelving server "${row.id}" with status "${row.vm_state === 'shelved' ? 'SHELVED' : row.vm_state}" is not supported. The server status must be SHELVED_OFFLOADED.`,
    )
  if (typeof options.zone === 'string' && !(await zoneExists(deps, options.zone)))
    throw computeErrors.badRequest('The requested availability zone is not available')
  const meta = await systemMetadata(deps.db, row.id)
  const set = zonePassed ? { requested_zone: options.zone ?? null } : undefined
  if (row.vm_state === 'shelved') {
    await runOnHost(deps, caller, row, {
      name: 'unshelve',
      taskState: 'unshelving',
      action: 'unshelve',
      agentAction: 'unshelve_local',
      args: {
        caller: callerJson(caller),
        ...(meta.shelved_image_id ? { imageId: meta.shelved_image_id } : {}),
      },
    })
    return
  }
  await enterTaskState(deps, row, {
    name: 'unshelve',
    taskState: 'unshelving',
    ...(set ? { set } : {}),
  })
  await startAction(deps, caller, row.id, 'unshelve')
  await rpcClient(deps.bus, conductorRpc).unshelveInstance({
    instanceId: row.id,
    requestId: caller.requestId,
    caller: callerJson(caller),
    ...(options.host === undefined ? {} : { host: options.host }),
  })
}
