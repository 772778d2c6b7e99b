/**
 * @module Image data: PUT /file (queued -> saving -> active; a refused upload goes back to
 * queued, a cut connection leaves the image killed), GET /file (whole or one byte range), and
 * PUT /stage (the first half of the interoperable import).
 */
import { createWriteStream, mkdirSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { isAppError } from '../../lib/errors/app-error.js'
import { imageErrors } from '../errors.js'
import type { ImageStatus } from '../db/tables.js'
import type { Caller, ImageDeps } from './deps.js'
import {
  type ImageRow,
  findRow,
  getVisibleRow,
  isOwner,
  loadImage,
  notificationPayload,
} from './images.js'
import { enforceLimit } from './quotas.js'
import { writeImageData } from './image-writer.js'

export function checkOctetStream(contentType: string | undefined): void {
  const media = (contentType ?? '').split(';')[0]?.trim().toLowerCase()
  if (media !== 'application/octet-stream')
    throw imageErrors.badMediaType(`Invalid content type ${contentType ?? 'None'}`)
}

/** Moves the image from `from` to `to` only if it is still in `from` (two uploads cannot both start). */
export async function transition(
  deps: ImageDeps,
  row: ImageRow,
  from: ImageStatus,
  to: ImageStatus,
  set: Record<string, unknown> = {},
): Promise<boolean> {
  const res = await deps.db
    .updateTable('image')
    .set({ status: to, updated_at: deps.clock.now().toISOString(), ...set })
    .where('id', '=', row.id)
    .where('status', '=', from)
    .executeTakeFirst()
  return Number(res.numUpdatedRows) === 1
}

function requireFormats(row: ImageRow): void {
  const missing = [
    row.disk_format === null ? 'disk_format' : '',
    row.container_format === null ? 'container_format' : '',
  ].filter((m) => m !== '')
  if (missing.length === 2)
    throw imageErrors.badRequest(
      'Properties disk_format, container_format must be set prior to saving data.',
    )
  if (missing.length === 1)
    throw imageErrors.badRequest(`Property ${missing[0] ?? ''} must be set prior to saving data.`)
}

async function notifyRow(deps: ImageDeps, id: string, event: string): Promise<void> {
  const row = await findRow(deps, id)
  if (row) deps.notifier.notify(event, notificationPayload(await loadImage(deps, row)))
}

/** Writes `data` for a row already in `saving` (upload) or `importing` (import) and activates it. */
export async function storeAndActivate(
  deps: ImageDeps,
  row: ImageRow,
  from: ImageStatus,
  data: Readable,
): Promise<void> {
  await notifyRow(deps, row.id, 'image.prepare')
  const written = await writeImageData(deps, row, data)
  const activated = await transition(deps, row, from, 'active', {
    size: written.size,
    checksum: written.checksum,
    os_hash_algo: 'sha512',
    os_hash_value: written.sha512,
    virtual_size: written.virtualSize,
    location: written.location,
  })
  if (!activated) {
    await deps.store.delete(written.location)
    throw imageErrors.gone(
      `Image ${row.id} could not be found after upload. The image may have been deleted during the upload, cleaning up the chunks uploaded.`,
    )
  }
  await notifyRow(deps, row.id, 'image.upload')
  await notifyRow(deps, row.id, 'image.activate')
}

export async function uploadImage(
  deps: ImageDeps,
  caller: Caller,
  id: string,
  contentType: string | undefined,
  data: Readable,
): Promise<void> {
  checkOctetStream(contentType)
  const row = await getVisibleRow(deps, caller, id)
  await enforceLimit(deps, row.owner ?? undefined, 'image_size_total', 0)
  if (!isOwner(caller, row))
    throw imageErrors.forbidden(`Not allowed to upload image data for image ${id}`)
  requireFormats(row)
  if (!(await transition(deps, row, 'queued', 'saving')))
    throw imageErrors.conflict(
      `Image status transition from ${(await findRow(deps, id))?.status ?? row.status} to saving is not allowed`,
    )
  try {
    await enforceLimit(deps, row.owner ?? undefined, 'image_count_uploading', 0)
    await storeAndActivate(deps, { ...row, status: 'saving' }, 'saving', data)
  } catch (err) {
    // A refusal (bad format, over quota) gives the image back for another try; anything else
    // (the client went away, the store failed) leaves it killed, as the upload is lost.
    await transition(
      deps,
      row,
      'saving',
      isAppError(err) && err.status < 500 ? 'queued' : 'killed',
      { size: null, virtual_size: null },
    )
    deps.notifier.notify(
      'image.upload',
      `Image ${id} upload failed: ${err instanceof Error ? err.message : String(err)}`,
      'error',
    )
    throw err
  }
}

export interface Download {
  status: 200 | 204 | 206
  headers: Record<string, string>
  body?: Readable
}

function parseRange(header: string, size: number): { start: number; end: number } {
  if (header.includes(','))
    throw imageErrors.badRequest(
      'Requests with multiple ranges are not supported in Glance. You may make multiple single-range requests instead.',
    )
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === ''))
    throw imageErrors.rangeNotSatisfiable('Invalid Range header.')
  let start: number
  let end: number
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]))
    end = size - 1
  } else {
    start = Number(m[1])
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  }
  if (start >= size || start > end)
    throw imageErrors.rangeNotSatisfiable(
      `Invalid start position in Range header. Start position MUST be in the inclusive range [0, ${size - 1}].`,
    )
  return { start, end }
}

export async function downloadImage(
  deps: ImageDeps,
  caller: Caller,
  id: string,
  range: string | undefined,
): Promise<Download> {
  const row = await getVisibleRow(deps, caller, id)
  if (row.status === 'deactivated' && !caller.isAdmin)
    throw imageErrors.forbidden(
      'The requested image has been deactivated. Image data download is forbidden.',
    )
  if (row.location === null || !['active', 'deactivated'].includes(row.status) || row.size === null)
    return { status: 204, headers: {} }
  const size = row.size
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' }
  if (row.checksum !== null) headers['content-md5'] = row.checksum
  deps.notifier.notify('image.send', {
    bytes_sent: size,
    image_id: id,
    owner_id: row.owner,
    receiver_tenant_id: caller.projectId ?? null,
    receiver_user_id: caller.userId,
  })
  if (range !== undefined && size > 0) {
    const r = parseRange(range, size)
    headers['content-range'] = `bytes ${r.start}-${r.end}/${size}`
    headers['content-length'] = String(r.end - r.start + 1)
    return { status: 206, headers, body: deps.store.get(row.location, r) }
  }
  headers['content-length'] = String(size)
  return { status: 200, headers, body: deps.store.get(row.location) }
}

export async function stageImage(
  deps: ImageDeps,
  caller: Caller,
  id: string,
  contentType: string | undefined,
  data: Readable,
): Promise<void> {
  if (!deps.config.enabledImportMethods.includes('glance-direct'))
    throw imageErrors.forNotFound("'glance-direct' method is not available at this site.")
  checkOctetStream(contentType)
  const row = await getVisibleRow(deps, caller, id)
  await enforceLimit(deps, row.owner ?? undefined, 'image_stage_total', 0)
  if (!isOwner(caller, row)) throw imageErrors.notOwner()
  mkdirSync(deps.stagingDir, { recursive: true, mode: 0o750 })
  const path = join(deps.stagingDir, row.id)
  if (!(await transition(deps, row, 'queued', 'uploading', { staged_path: path })))
    throw imageErrors.conflict(
      `Image status transition from ${(await findRow(deps, id))?.status ?? row.status} to uploading is not allowed`,
    )
  const out = createWriteStream(path, { mode: 0o640 })
  try {
    await enforceLimit(deps, row.owner ?? undefined, 'image_count_uploading', 0)
    let bytes = 0
    await pipeline(
      data,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          bytes += chunk.length
          if (bytes > deps.config.imageSizeCap)
            throw imageErrors.overLimit(
              'The incoming image is too large: The provided image is too large.',
            )
          yield chunk
        }
      },
      out,
    )
    await deps.db.updateTable('image').set({ size: bytes }).where('id', '=', row.id).execute()
  } catch (err) {
    await rm(path, { force: true })
    await transition(deps, row, 'uploading', 'queued', { staged_path: null, size: null })
    throw err
  }
}
