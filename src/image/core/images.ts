/**
 * @module Images as stored and as Glance shows them: lookups with Glance's visibility rules,
 * the owner-or-admin check, and the image document.
 */
import type { Selectable } from 'kysely'
import { isoSecondsZ } from '../../lib/clock/timestamps.js'
import { fromFlag } from '../../lib/db/values.js'
import { imageErrors } from '../errors.js'
import type { ImageTable } from '../db/tables.js'
import type { Caller, ImageDeps } from './deps.js'

export type ImageRow = Selectable<ImageTable>

export interface Image {
  row: ImageRow
  properties: Record<string, string>
  tags: string[]
}

export async function findRow(deps: ImageDeps, id: string): Promise<ImageRow | undefined> {
  if (id.length > 36) return undefined
  return deps.db.selectFrom('image').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Glance's visibility: admin, owner, public/community, or any membership of a shared image. */
export async function canSee(deps: ImageDeps, caller: Caller, row: ImageRow): Promise<boolean> {
  if (caller.isAdmin || row.owner === null) return true
  if (row.visibility === 'public' || row.visibility === 'community') return true
  if (caller.projectId !== undefined && row.owner === caller.projectId) return true
  if (row.visibility !== 'shared' || caller.projectId === undefined) return false
  const member = await deps.db
    .selectFrom('image_member')
    .select('status')
    .where('image_id', '=', row.id)
    .where('member', '=', caller.projectId)
    .executeTakeFirst()
  return member !== undefined
}

/** The image if the caller may see it, else 404 (`No image found with ID <id>`). */
export async function getVisibleRow(
  deps: ImageDeps,
  caller: Caller,
  id: string,
): Promise<ImageRow> {
  const row = await findRow(deps, id)
  if (!row || !(await canSee(deps, caller, row))) throw imageErrors.notFound(id)
  return row
}

export function isOwner(caller: Caller, row: ImageRow): boolean {
  return caller.isAdmin || (row.owner !== null && row.owner === caller.projectId)
}

/** The legacy (enforce_secure_rbac off) rule for every change: the owner or an admin. */
export function assertMutable(caller: Caller, row: ImageRow): void {
  if (!isOwner(caller, row)) throw imageErrors.notOwner()
}

export async function loadImages(deps: ImageDeps, rows: ImageRow[]): Promise<Image[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const props = new Map<string, Record<string, string>>()
  const tags = new Map<string, string[]>()
  // Chunked so that large pages stay within every dialect's bound-parameter limit.
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500)
    for (const p of await deps.db
      .selectFrom('image_property')
      .selectAll()
      .where('image_id', 'in', chunk)
      .execute()) {
      const bag = props.get(p.image_id) ?? {}
      bag[p.name] = p.value
      props.set(p.image_id, bag)
    }
    for (const t of await deps.db
      .selectFrom('image_tag')
      .selectAll()
      .where('image_id', 'in', chunk)
      .execute())
      tags.set(t.image_id, [...(tags.get(t.image_id) ?? []), t.value])
  }
  return rows.map((row) => ({
    row,
    properties: props.get(row.id) ?? {},
    tags: tags.get(row.id) ?? [],
  }))
}

export async function loadImage(deps: ImageDeps, row: ImageRow): Promise<Image> {
  const [image] = await loadImages(deps, [row])
  // SAFETY: loadImages returns one image per row.
  return image as Image
}

/** The image document: extra properties first, then the base attributes (always all present). */
export function imageView(image: Image): Record<string, unknown> {
  const r = image.row
  return {
    ...image.properties,
    name: r.name,
    disk_format: r.disk_format,
    container_format: r.container_format,
    visibility: r.visibility,
    size: r.size,
    virtual_size: r.virtual_size,
    status: r.status,
    checksum: r.checksum,
    protected: fromFlag(r.protected),
    min_ram: r.min_ram,
    min_disk: r.min_disk,
    owner: r.owner,
    os_hidden: fromFlag(r.os_hidden),
    os_hash_algo: r.os_hash_algo,
    os_hash_value: r.os_hash_value,
    id: r.id,
    created_at: isoSecondsZ(new Date(r.created_at)),
    updated_at: isoSecondsZ(new Date(r.updated_at)),
    tags: image.tags,
    self: `/v2/images/${r.id}`,
    file: `/v2/images/${r.id}/file`,
    schema: '/v2/schemas/image',
  }
}

/** The payload of image.* notifications (Glance's format_image_notification). */
export function notificationPayload(image: Image, deletedAt?: string): Record<string, unknown> {
  const r = image.row
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    created_at: isoSecondsZ(new Date(r.created_at)),
    updated_at: isoSecondsZ(new Date(r.updated_at)),
    min_disk: r.min_disk,
    min_ram: r.min_ram,
    protected: fromFlag(r.protected),
    checksum: r.checksum,
    owner: r.owner,
    disk_format: r.disk_format,
    container_format: r.container_format,
    size: r.size,
    virtual_size: r.virtual_size,
    is_public: r.visibility === 'public',
    visibility: r.visibility,
    properties: image.properties,
    tags: image.tags,
    deleted: deletedAt !== undefined,
    deleted_at: deletedAt ?? null,
  }
}
