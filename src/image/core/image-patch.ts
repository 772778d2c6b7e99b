/**
 * @module PATCH /v2/images/{id}: Glance's JSON-patch dialects. `openstack-images-v2.0-json-patch`
 * (draft 4: `{"replace": "/name", "value": ...}`, where `add` of an existing property is a 409)
 * and `openstack-images-v2.1-json-patch` (RFC 6902: `{"op", "path", "value"}`).
 */
import { toFlag } from '../../lib/db/values.js'
import { imageErrors } from '../errors.js'
import type { Caller, ImageDeps } from './deps.js'
import {
  type SettableBase,
  checkMinimums,
  checkSchema,
  isBase,
  isReserved,
  READ_ONLY,
} from './image-attributes.js'
import {
  type Image,
  assertMutable,
  getVisibleRow,
  loadImage,
  notificationPayload,
} from './images.js'
import { checkCountQuota } from './quotas.js'

export const PATCH_MEDIA_TYPES = [
  'application/openstack-images-v2.0-json-patch',
  'application/openstack-images-v2.1-json-patch',
] as const

interface Operation {
  op: 'add' | 'remove' | 'replace'
  key: string
  value?: unknown
  /** Draft-4 patches (v2.0 media type) refuse `add` of a property that exists. */
  draft4: boolean
}

const OPS = ['add', 'remove', 'replace'] as const

function decodePointer(pointer: unknown): string {
  if (typeof pointer !== 'string')
    throw imageErrors.badRequest("Unable to find 'path' in JSON Schema change")
  if (!pointer.startsWith('/'))
    throw imageErrors.badRequest(`Pointer \`${pointer}\` does not start with "/".`)
  if (pointer.includes('//'))
    throw imageErrors.badRequest(`Pointer \`${pointer}\` contains adjacent "/".`)
  if (pointer.length > 1 && pointer.endsWith('/'))
    throw imageErrors.badRequest(`Pointer \`${pointer}\` end with "/".`)
  if (/~(?![01])/.test(pointer))
    throw imageErrors.badRequest(
      `Pointer \`${pointer}\` contains "~" not part of a recognized escape sequence.`,
    )
  const parts = pointer
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
  if (parts.length !== 1 || parts[0] === '')
    throw imageErrors.badRequest(`Invalid JSON pointer for this resource: '${pointer}'`)
  // SAFETY: exactly one non-empty segment, checked above.
  return parts[0] as string
}

/** Parses the body into operations; 415 for another media type, 400 for a malformed patch. */
export function parsePatch(contentType: string | undefined, body: unknown): Operation[] {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (!(PATCH_MEDIA_TYPES as readonly string[]).includes(mediaType))
    throw imageErrors.badMediaType(
      `The request media type ${contentType ?? 'None'} is not supported by this server.`,
      {
        'accept-patch': PATCH_MEDIA_TYPES.join(', '),
      },
    )
  const draft4 = mediaType === PATCH_MEDIA_TYPES[0]
  if (!Array.isArray(body))
    throw imageErrors.badRequest('Request body must be a JSON array of operation objects.')
  return body.map((item: unknown): Operation => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw imageErrors.badRequest('Operations must be JSON objects.')
    const o = item as Record<string, unknown>
    let op: Operation['op']
    let path: unknown
    if (draft4) {
      const present = OPS.filter((name) => name in o)
      if (present.length === 0)
        throw imageErrors.badRequest(
          'Operation objects must contain exactly one member named "add", "remove", or "replace".',
        )
      if (present.length > 1)
        throw imageErrors.badRequest(
          'Operation objects must contain only one member named "add", "remove", or "replace".',
        )
      // SAFETY: exactly one present, checked above.
      op = present[0] as Operation['op']
      path = o[op]
    } else {
      if (!('op' in o))
        throw imageErrors.badRequest(
          'Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.',
        )
      if (!(OPS as readonly unknown[]).includes(o.op))
        throw imageErrors.badRequest(
          `Invalid operation: \`${String(o.op)}\`. It must be one of the following: add, remove, replace.`,
        )
      op = o.op as Operation['op']
      path = o.path
    }
    const key = decodePointer(path)
    if (READ_ONLY.includes(key)) throw imageErrors.readOnly(key)
    if (isReserved(key) || key === 'locations') throw imageErrors.reserved(key)
    if (op !== 'remove') {
      if (!('value' in o))
        throw imageErrors.badRequest(`Operation "${op}" requires a member named "value".`)
      checkSchema({ [key]: o.value })
      checkMinimums({ [key]: o.value })
      return { op, key, value: o.value, draft4 }
    }
    return { op, key, draft4 }
  })
}

const FORMAT_KEYS = ['disk_format', 'container_format']

export async function patchImage(
  deps: ImageDeps,
  caller: Caller,
  id: string,
  contentType: string | undefined,
  body: unknown,
): Promise<Image> {
  const operations = parsePatch(contentType, body)
  const row = await getVisibleRow(deps, caller, id)
  const image = await loadImage(deps, row)
  if (operations.length === 0) return image
  const base: Partial<Record<SettableBase, unknown>> = {}
  const props = new Map(Object.entries(image.properties))
  let tags = image.tags
  for (const { op, key, value, draft4 } of operations) {
    assertMutable(caller, row)
    if (key === 'owner' && op !== 'remove' && !caller.isAdmin && !(op === 'add' && !draft4))
      throw imageErrors.forbidden("Owner can't be updated by non admin.")
    if (key === 'visibility' && value === 'public' && !caller.isAdmin)
      throw imageErrors.policy('publicize_image')
    if (
      FORMAT_KEYS.includes(key) &&
      op !== 'remove' &&
      !['queued', 'importing'].includes(row.status)
    )
      throw imageErrors.forbidden(`Attribute ${key} can be only replaced for a queued image.`)
    const isKnown = isBase(key) || key === 'tags'
    if (op === 'remove') {
      if (isKnown) throw imageErrors.forbidden(`Property ${key} may not be removed.`)
      if (!props.has(key)) throw imageErrors.conflict(`Property ${key} does not exist.`)
      props.delete(key)
    } else if (op === 'replace' && !isKnown && !props.has(key)) {
      throw imageErrors.conflict(`Property ${key} does not exist.`)
    } else if (op === 'add' && draft4 && (isKnown || props.has(key))) {
      throw imageErrors.conflict(`Property ${key} already present.`)
    } else if (key === 'tags') {
      tags = [...new Set(value as string[])]
    } else if (isBase(key)) {
      base[key] = value
    } else {
      props.set(key, value as string)
    }
  }
  checkCountQuota('tags', tags.length, deps.config.imageTagQuota)
  const countedProps = [...props.keys()].filter((k) => !k.startsWith('os_glance'))
  if (countedProps.length > Object.keys(image.properties).length)
    checkCountQuota('properties', countedProps.length, deps.config.imagePropertyQuota)
  const now = deps.clock.now().toISOString()
  const set: Record<string, unknown> = { updated_at: now }
  for (const [key, value] of Object.entries(base))
    set[key] = key === 'protected' || key === 'os_hidden' ? toFlag(value === true) : value
  await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable('image').set(set).where('id', '=', row.id).execute()
    await trx.deleteFrom('image_property').where('image_id', '=', row.id).execute()
    const rows = [...props].map(([name, v]) => ({ image_id: row.id, name, value: v }))
    if (rows.length > 0) await trx.insertInto('image_property').values(rows).execute()
    await trx.deleteFrom('image_tag').where('image_id', '=', row.id).execute()
    if (tags.length > 0)
      await trx
        .insertInto('image_tag')
        .values(tags.map((value) => ({ image_id: row.id, value })))
        .execute()
  })
  const updated = await loadImage(
    deps,
    await getVisibleRow(deps, { ...caller, isAdmin: true }, row.id),
  )
  deps.notifier.notify('image.update', notificationPayload(updated))
  return updated
}
