/**
 * @module Server metadata and tags as their own resources: Nova's lock and state rules for
 * writes (vm_state only; metadata also honours locks and needs a launched server), the
 * metadata_items quota, and the 50-tag limit.
 */
import { computeErrors } from '../../errors.js'
import type { Caller, ComputeDeps } from '../deps.js'
import { projectLimits } from '../quotas.js'
import { checkLock, checkState } from './guards.js'
import type { InstanceRow } from './records.js'

const WRITABLE = ['active', 'paused', 'suspended', 'stopped'] as const
export const MAX_TAGS = 50

export async function metadataOf(
  deps: Pick<ComputeDeps, 'db'>,
  instanceId: string,
): Promise<Record<string, string>> {
  const rows = await deps.db
    .selectFrom('instance_metadata')
    .select(['key', 'value'])
    .where('instance_id', '=', instanceId)
    .execute()
  return Object.fromEntries(rows.map((r) => [r.key, r.value]))
}

/** Merges (or replaces) metadata; answers the server's metadata afterwards. */
export async function updateMetadata(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  metadata: Record<string, string>,
  replace: boolean,
): Promise<Record<string, string>> {
  checkLock(caller, row)
  // Nova passes task_state=None to check_instance_state here: any task_state goes.
  checkState(row, 'update metadata', { vm: WRITABLE, task: 'any' })
  const merged = replace ? { ...metadata } : { ...(await metadataOf(deps, row.id)), ...metadata }
  const limits = await projectLimits(deps, row.project_id, row.user_id)
  if (limits.metadata_items >= 0 && Object.keys(merged).length > limits.metadata_items)
    throw computeErrors.quotaExceeded(
      `Maximum number of metadata items exceeds ${limits.metadata_items}`,
    )
  await deps.db.transaction().execute(async (trx) => {
    const keys = replace ? undefined : Object.keys(metadata)
    let del = trx.deleteFrom('instance_metadata').where('instance_id', '=', row.id)
    if (keys !== undefined) {
      if (keys.length === 0) return
      del = del.where('key', 'in', keys)
    }
    await del.execute()
    for (const [key, value] of Object.entries(replace ? merged : metadata))
      await trx
        .insertInto('instance_metadata')
        .values({ instance_id: row.id, key, value })
        .execute()
  })
  return merged
}

export async function deleteMetadataKey(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  key: string,
): Promise<void> {
  const current = await metadataOf(deps, row.id)
  if (!Object.hasOwn(current, key)) throw computeErrors.notFound('Metadata item was not found')
  checkLock(caller, row)
  checkState(row, 'delete metadata', { vm: WRITABLE, task: 'any' })
  await deps.db
    .deleteFrom('instance_metadata')
    .where('instance_id', '=', row.id)
    .where('key', '=', key)
    .execute()
}

export async function tagsOf(deps: Pick<ComputeDeps, 'db'>, instanceId: string): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('instance_tag')
    .select('tag')
    .where('instance_id', '=', instanceId)
    .orderBy('tag')
    .execute()
  return rows.map((r) => r.tag)
}

/** Nova's _check_instance_in_valid_state for tag writes (no lock or task_state check). */
export function checkTaggable(row: InstanceRow, action: string): void {
  checkState(row, action, { vm: WRITABLE, task: 'any', mustHaveLaunched: false })
}

export async function replaceTags(
  deps: ComputeDeps,
  row: InstanceRow,
  tags: readonly string[],
): Promise<string[]> {
  checkTaggable(row, 'update tags')
  const unique = [...new Set(tags)]
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('instance_tag').where('instance_id', '=', row.id).execute()
    for (const tag of unique)
      await trx.insertInto('instance_tag').values({ instance_id: row.id, tag }).execute()
  })
  return tagsOf(deps, row.id)
}

/** Why a tag in a URL is invalid, in jsonschema's words; undefined when it is valid. */
function tagProblem(tag: string): string | undefined {
  if (tag.length === 0) return `'${tag}' is too short`
  if (tag.length > 60) return `'${tag}' is too long`
  if (/[,/]/.test(tag)) return `'${tag}' does not match '^[^,/]*$'`
  return undefined
}

/** Adds one tag: true when it is new (201), false when it was there (204). */
export async function addTag(deps: ComputeDeps, row: InstanceRow, tag: string): Promise<boolean> {
  checkTaggable(row, 'update tag')
  const problem = tagProblem(tag)
  if (problem !== undefined)
    throw computeErrors.badRequest(
      `Tag '${tag}' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: ${problem}`,
    )
  const tags = await tagsOf(deps, row.id)
  if (tags.length >= MAX_TAGS)
    throw computeErrors.badRequest(`The number of tags exceeded the per-server limit ${MAX_TAGS}`)
  if (tags.includes(tag)) return false
  await deps.db.insertInto('instance_tag').values({ instance_id: row.id, tag }).execute()
  return true
}

export async function deleteTag(deps: ComputeDeps, row: InstanceRow, tag: string): Promise<void> {
  checkTaggable(row, 'delete tag')
  const res = await deps.db
    .deleteFrom('instance_tag')
    .where('instance_id', '=', row.id)
    .where('tag', '=', tag)
    .executeTakeFirst()
  if (Number(res.numDeletedRows) === 0)
    throw computeErrors.notFound(`Instance ${row.id} has no tag '${tag}'`)
}

export async function deleteAllTags(deps: ComputeDeps, row: InstanceRow): Promise<void> {
  checkTaggable(row, 'delete tags')
  await deps.db.deleteFrom('instance_tag').where('instance_id', '=', row.id).execute()
}
