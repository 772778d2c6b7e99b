/** @module Deleting, deactivating and reactivating images, and their tags. */
import { rm } from 'node:fs/promises'
import { fromFlag } from '../../lib/db/values.js'
import { imageErrors } from '../errors.js'
import type { Caller, ImageDeps } from './deps.js'
import { assertMutable, findRow, getVisibleRow, loadImage, notificationPayload } from './images.js'
import { checkCountQuota } from './quotas.js'

export async function deleteImage(deps: ImageDeps, caller: Caller, id: string): Promise<void> {
  const row = await findRow(deps, id)
  if (!row || !(await canSeeOrAdmin(deps, caller, id)))
    throw imageErrors.forNotFound(`Failed to find image ${id} to delete`)
  assertMutable(caller, row)
  if (fromFlag(row.protected))
    throw imageErrors.forbidden(`Image ${id} is protected and cannot be deleted.`)
  const image = await loadImage(deps, row)
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('image_property').where('image_id', '=', id).execute()
    await trx.deleteFrom('image_tag').where('image_id', '=', id).execute()
    await trx.deleteFrom('image_member').where('image_id', '=', id).execute()
    await trx.deleteFrom('image').where('id', '=', id).execute()
  })
  // Data goes after the row: a crash in between leaves an orphan file, never an image without data.
  if (row.location !== null) await deps.store.delete(row.location)
  if (row.staged_path !== null) await rm(row.staged_path, { force: true })
  deps.notifier.notify('image.delete', {
    ...notificationPayload(
      { ...image, row: { ...row, status: 'deleted' } },
      deps.clock.now().toISOString(),
    ),
  })
}

async function canSeeOrAdmin(deps: ImageDeps, caller: Caller, id: string): Promise<boolean> {
  try {
    await getVisibleRow(deps, caller, id)
    return true
  } catch {
    return false
  }
}

async function setStatus(
  deps: ImageDeps,
  id: string,
  status: 'active' | 'deactivated',
): Promise<void> {
  await deps.db
    .updateTable('image')
    .set({ status, updated_at: deps.clock.now().toISOString() })
    .where('id', '=', id)
    .execute()
  const row = await findRow(deps, id)
  if (row) deps.notifier.notify('image.update', notificationPayload(await loadImage(deps, row)))
}

export async function deactivateImage(deps: ImageDeps, caller: Caller, id: string): Promise<void> {
  const row = await getVisibleRow(deps, caller, id)
  assertMutable(caller, row)
  if (row.status === 'deactivated') return
  if (row.status !== 'active')
    throw imageErrors.forbidden(`Not allowed to deactivate image in status '${row.status}'`)
  await setStatus(deps, id, 'deactivated')
}

export async function reactivateImage(deps: ImageDeps, caller: Caller, id: string): Promise<void> {
  const row = await getVisibleRow(deps, caller, id)
  assertMutable(caller, row)
  if (row.status === 'active') return
  if (row.status !== 'deactivated')
    throw imageErrors.forbidden(`Not allowed to reactivate image in status '${row.status}'`)
  await setStatus(deps, id, 'active')
}

async function visibleOr404(deps: ImageDeps, caller: Caller, id: string) {
  try {
    return await getVisibleRow(deps, caller, id)
  } catch {
    throw imageErrors.forNotFound(`Image ${id} not found.`)
  }
}

export async function addTag(
  deps: ImageDeps,
  caller: Caller,
  id: string,
  tag: string,
): Promise<void> {
  if (tag.length > 255)
    throw imageErrors.badRequest(
      `Provided object does not match schema 'image': '${tag}' is too long`,
    )
  const row = await visibleOr404(deps, caller, id)
  if (!(caller.isAdmin || row.owner === caller.projectId))
    throw imageErrors.forbidden(`Not allowed to update tags for image ${id}.`)
  const tags = await deps.db
    .selectFrom('image_tag')
    .select('value')
    .where('image_id', '=', id)
    .execute()
  if (tags.some((t) => t.value === tag)) return
  checkCountQuota('tags', tags.length + 1, deps.config.imageTagQuota)
  await deps.db.insertInto('image_tag').values({ image_id: id, value: tag }).execute()
  await deps.db
    .updateTable('image')
    .set({ updated_at: deps.clock.now().toISOString() })
    .where('id', '=', id)
    .execute()
}

export async function removeTag(
  deps: ImageDeps,
  caller: Caller,
  id: string,
  tag: string,
): Promise<void> {
  const row = await visibleOr404(deps, caller, id)
  if (!(caller.isAdmin || row.owner === caller.projectId))
    throw imageErrors.forbidden(`Not allowed to delete tags for image ${id}.`)
  const res = await deps.db
    .deleteFrom('image_tag')
    .where('image_id', '=', id)
    .where('value', '=', tag)
    .executeTakeFirst()
  if (Number(res.numDeletedRows) === 0)
    throw imageErrors.forNotFound('The resource could not be found.')
  await deps.db
    .updateTable('image')
    .set({ updated_at: deps.clock.now().toISOString() })
    .where('id', '=', id)
    .execute()
}
