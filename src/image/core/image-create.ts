/** @module POST /v2/images: validates as Glance does, in Glance's order, then records a queued image. */
import { isUniqueViolation } from '../../lib/db/errors.js'
import { toFlag } from '../../lib/db/values.js'
import { uuid } from '../../lib/ids/ids.js'
import { imageErrors } from '../errors.js'
import type { Visibility } from '../db/tables.js'
import type { Caller, ImageDeps } from './deps.js'
import { checkMinimums, checkSchema, isBase, isReserved } from './image-attributes.js'
import { type Image, loadImage, notificationPayload } from './images.js'
import { checkCountQuota, enforceLimit } from './quotas.js'

const CREATE_READ_ONLY_FIRST = ['direct_url', 'self', 'file', 'schema', 'stores']
const CREATE_READ_ONLY_LATER = [
  'status',
  'checksum',
  'size',
  'virtual_size',
  'created_at',
  'updated_at',
]

export async function createImage(deps: ImageDeps, caller: Caller, body: unknown): Promise<Image> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw imageErrors.badRequest('Unexpected body type. Expected list/dict.')
  const input = body as Record<string, unknown>
  for (const key of CREATE_READ_ONLY_FIRST) if (key in input) throw imageErrors.readOnly(key)
  checkSchema(input)
  for (const key of Object.keys(input)) if (isReserved(key)) throw imageErrors.reserved(key)
  if ('locations' in input) throw imageErrors.reserved('locations')

  const owner =
    input.owner === undefined ? (caller.projectId ?? null) : (input.owner as string | null)
  if (!caller.isAdmin && owner !== caller.projectId)
    throw imageErrors.forbidden(
      `You are not permitted to create images owned by '${String(owner)}'.`,
    )
  const visibility = (input.visibility as Visibility | undefined) ?? 'shared'
  if (visibility === 'public' && !caller.isAdmin) throw imageErrors.policy('publicize_image')
  await enforceLimit(deps, caller.projectId, 'image_count_total', 1)
  for (const key of CREATE_READ_ONLY_LATER) if (key in input) throw imageErrors.readOnly(key)
  checkMinimums(input)

  const tags = [...new Set((input.tags as string[] | undefined) ?? [])]
  const properties: Record<string, string> = {}
  for (const [key, value] of Object.entries(input)) {
    if (key === 'id' || key === 'tags' || isBase(key)) continue
    if (key === 'os_hash_algo' || key === 'os_hash_value') continue
    properties[key] = value as string
  }
  checkCountQuota('tags', tags.length, deps.config.imageTagQuota)
  checkCountQuota('properties', Object.keys(properties).length, deps.config.imagePropertyQuota)

  const now = deps.clock.now().toISOString()
  const id = (input.id as string | undefined) ?? uuid()
  const row = {
    id,
    name: (input.name as string | null | undefined) ?? null,
    disk_format: (input.disk_format as string | null | undefined) ?? null,
    container_format: (input.container_format as string | null | undefined) ?? null,
    size: null,
    virtual_size: null,
    status: 'queued' as const,
    visibility,
    checksum: null,
    os_hash_algo: null,
    os_hash_value: null,
    min_disk: (input.min_disk as number | undefined) ?? 0,
    min_ram: (input.min_ram as number | undefined) ?? 0,
    protected: toFlag(input.protected === true),
    os_hidden: toFlag(input.os_hidden === true),
    owner,
    location: null,
    staged_path: null,
    created_at: now,
    updated_at: now,
  }
  try {
    await deps.db.transaction().execute(async (trx) => {
      await trx.insertInto('image').values(row).execute()
      if (tags.length > 0)
        await trx
          .insertInto('image_tag')
          .values(tags.map((value) => ({ image_id: id, value })))
          .execute()
      const props = Object.entries(properties).map(([name, value]) => ({
        image_id: id,
        name,
        value,
      }))
      if (props.length > 0) await trx.insertInto('image_property').values(props).execute()
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw imageErrors.conflict(`Image ID ${id} already exists!`)
    throw err
  }
  const image = await loadImage(deps, row)
  deps.notifier.notify('image.create', notificationPayload(image))
  return image
}
