/**
 * @module Rebuild (Nova's compute API rebuild): the server keeps its id, host and flavor and
 * gets a new disk from an image, with the name, metadata, key, user data and password the
 * request gives. The API records the new attributes at once; the agent re-creates the guest.
 */
import { computeErrors } from '../../../errors.js'
import type { ImageInfo } from '../../../image-client.js'
import type { Caller, ComputeDeps } from '../../deps.js'
import type { FlavorSnapshot } from '../../instance-spec.js'
import { projectLimits } from '../../quotas.js'
import { keyPairFor } from '../boot-lookups.js'
import { flavorOf, guestSpecOf } from '../guest-spec.js'
import { checkHost, checkLock, checkState } from '../guards.js'
import type { InstanceRow } from '../records.js'
import { castToHost, enterTaskState } from './cast.js'

export interface RebuildRequest {
  imageRef: string
  password: string
  name?: string
  metadata?: Record<string, string>
  diskConfig?: string
  accessIPv4?: string
  accessIPv6?: string
  personality?: { path: string; contents: string }[]
  description?: string | null
  /** undefined: keep; null: remove the key (2.54). */
  keyName?: string | null
  /** undefined: keep; null: clear (2.57). */
  userData?: string | null
}

const GIB = 1024 ** 3

function checkImage(image: ImageInfo, flavor: FlavorSnapshot): void {
  if (image.status !== 'active') throw computeErrors.badRequest(`Image ${image.id} is not active.`)
  if (flavor.memoryMb < image.minRam)
    throw computeErrors.badRequest("Flavor's memory is too small for requested image.")
  if (flavor.rootGb === 0) return
  const bytes = flavor.rootGb * GIB
  if ((image.size ?? 0) > bytes)
    throw computeErrors.badRequest(
      `Flavor's disk is too small for requested image. Flavor disk is ${bytes} bytes, image is ${image.size ?? 0} bytes.`,
    )
  if (image.minDisk * GIB > bytes)
    throw computeErrors.badRequest(
      `Flavor's disk is too small for requested image. Flavor disk is ${bytes} bytes, minimum required by image is ${image.minDisk * GIB} bytes.`,
    )
}

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

/** Checks, records the new attributes in REBUILD, and casts; returns the updated row. */
export async function rebuild(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  r: RebuildRequest,
): Promise<InstanceRow> {
  checkLock(caller, row)
  checkState(row, 'rebuild', { vm: ['active', 'stopped', 'error'] })
  const host = checkHost(row)
  const key =
    r.keyName === undefined || r.keyName === null
      ? r.keyName
      : await keyPairFor(deps, caller.userId, r.keyName)
  const image = await deps.images.getImage(caller, r.imageRef)
  if (!image) throw computeErrors.badRequest('Cannot find image for rebuild')
  const flavor = flavorOf(row)
  const limits = await projectLimits(deps, row.project_id, row.user_id)
  const items = Object.keys(r.metadata ?? {}).length
  if (limits.metadata_items >= 0 && items > limits.metadata_items)
    throw computeErrors.quotaExceeded(
      `Maximum number of metadata items exceeds ${limits.metadata_items}`,
    )
  if (limits.injected_files >= 0 && (r.personality ?? []).length > limits.injected_files)
    throw computeErrors.quotaExceeded('Personality file limit exceeded')
  checkImage(image, flavor)
  if (typeof r.userData === 'string' && !isBase64(r.userData))
    throw computeErrors.badRequest('User data needs to be valid base 64.')

  const set: Partial<InstanceRow> = {
    image_ref: image.id,
    image_meta: JSON.stringify(imageMeta(image)),
    kernel_id: image.properties.kernel_id ?? null,
    ramdisk_id: image.properties.ramdisk_id ?? null,
    progress: 0,
  }
  if (r.name !== undefined) set.display_name = r.name
  if (r.diskConfig !== undefined) set.disk_config = r.diskConfig
  if (r.accessIPv4 !== undefined) set.access_ip_v4 = r.accessIPv4
  if (r.accessIPv6 !== undefined) set.access_ip_v6 = r.accessIPv6
  if (r.description !== undefined) set.display_description = r.description
  if (key !== undefined) {
    set.key_name = key?.name ?? null
    set.key_data = key?.publicKey ?? null
  }
  if (r.userData !== undefined) set.user_data = r.userData
  await enterTaskState(deps, row, { name: 'rebuild', taskState: 'rebuilding', set })
  if (r.metadata !== undefined) {
    const metadata = r.metadata
    await deps.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('instance_metadata').where('instance_id', '=', row.id).execute()
      for (const [k, v] of Object.entries(metadata))
        await trx
          .insertInto('instance_metadata')
          .values({ instance_id: row.id, key: k, value: v })
          .execute()
    })
  }
  const updated: InstanceRow = {
    ...row,
    ...set,
    task_state: 'rebuilding',
    updated_at: deps.clock.now().toISOString(),
  }
  await castToHost(deps, caller, row, host, {
    action: 'rebuild',
    agentAction: 'rebuild',
    args: {
      password: r.password,
      spec: guestSpecOf(updated, { powerOn: row.vm_state !== 'stopped' }),
    },
  })
  return updated
}
