/**
 * @module The interoperable import (POST /v2/images/{id}/import with glance-direct): the staged
 * data goes through the same writer as an upload, in the background, recorded as a task
 * (api_image_import) that GET /v2/tasks and GET /v2/images/{id}/tasks show.
 */
import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import type { Selectable } from 'kysely'
import { isoMicros, isoSecondsZ } from '../../lib/clock/timestamps.js'
import { fromJson, toJson } from '../../lib/db/values.js'
import { uuid } from '../../lib/ids/ids.js'
import { imageErrors } from '../errors.js'
import type { TaskTable } from '../db/tables.js'
import type { Caller, ImageDeps } from './deps.js'
import { storeAndActivate, transition } from './image-data.js'
import { type ImageRow, assertMutable, getVisibleRow } from './images.js'
import { enforceLimit } from './quotas.js'

export type Task = Selectable<TaskTable>

const TASK_TTL_MS = 48 * 3600_000

function parseImportRequest(
  deps: ImageDeps,
  body: unknown,
): { method: string; request: Record<string, unknown> } {
  const request = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const method = request.method
  if (typeof method !== 'object' || method === null)
    throw imageErrors.badRequest("Import request requires a 'method' field.")
  const name = (method as Record<string, unknown>).name
  if (typeof name !== 'string')
    throw imageErrors.badRequest("Import request requires a 'name' field.")
  if (!deps.config.enabledImportMethods.includes(name))
    throw imageErrors.badRequest(`Unknown import method name '${name}'.`)
  for (const key of ['all_stores', 'all_stores_must_succeed'])
    if (key in request && typeof request[key] !== 'boolean')
      throw imageErrors.badRequest(`'${key}' must be boolean value only`)
  if (request.all_stores_must_succeed === false)
    throw imageErrors.badRequest('All_stores_must_succeed can only be set with enabled_backends')
  return { method: name, request }
}

/** Checks and starts an import; the work continues after this returns (202). */
export async function importImage(
  deps: ImageDeps,
  caller: Caller,
  id: string,
  body: unknown,
): Promise<Task> {
  const { method, request } = parseImportRequest(deps, body)
  const row = await getVisibleRow(deps, caller, id)
  await enforceLimit(deps, row.owner ?? undefined, 'image_size_total', 0)
  if (row.status === 'active')
    throw imageErrors.conflict('Image with status active cannot be target for import')
  if (method === 'glance-direct' && row.status !== 'uploading')
    throw imageErrors.conflict("Image needs to be staged before 'glance-direct' method can be used")
  if (row.container_format === null)
    throw imageErrors.conflict("'container_format' needs to be set before import")
  if (row.disk_format === null)
    throw imageErrors.conflict("'disk_format' needs to be set before import")
  assertMutable(caller, row)
  const running = await deps.db
    .selectFrom('task')
    .select('id')
    .where('image_id', '=', id)
    .where('status', 'in', ['pending', 'processing'])
    .executeTakeFirst()
  if (running) throw imageErrors.conflict('Image has active task')
  const now = deps.clock.now().toISOString()
  const task: Task = {
    id: uuid(),
    type: 'api_image_import',
    status: 'pending',
    owner: row.owner ?? caller.projectId ?? '',
    image_id: id,
    request_id: caller.requestId,
    user_id: caller.userId,
    input: toJson({ image_id: id, import_req: request, backend: [null] }),
    result: null,
    message: '',
    expires_at: null,
    created_at: now,
    updated_at: now,
  }
  await deps.db.insertInto('task').values(task).execute()
  if (!(await transition(deps, row, 'uploading', 'importing'))) {
    await finishTask(deps, task.id, 'failure', `Image ${id} is no longer staged.`)
    throw imageErrors.conflict(
      `New operation on image '${id}' is not permitted as prior operation is still in progress`,
    )
  }
  setImmediate(() => void runImport(deps, { ...row, status: 'importing' }, task.id))
  return task
}

async function finishTask(
  deps: ImageDeps,
  taskId: string,
  status: 'success' | 'failure',
  message: string,
  result?: object,
): Promise<void> {
  const now = deps.clock.nowMs()
  await deps.db
    .updateTable('task')
    .set({
      status,
      message,
      result: result === undefined ? null : toJson(result),
      updated_at: new Date(now).toISOString(),
      expires_at: new Date(now + TASK_TTL_MS).toISOString(),
    })
    .where('id', '=', taskId)
    .execute()
}

async function runImport(deps: ImageDeps, row: ImageRow, taskId: string): Promise<void> {
  await deps.db
    .updateTable('task')
    .set({ status: 'processing', updated_at: deps.clock.now().toISOString() })
    .where('id', '=', taskId)
    .execute()
  const staged = row.staged_path
  try {
    if (staged === null) throw new Error('no staged data')
    await storeAndActivate(deps, row, 'importing', createReadStream(staged))
    await deps.db.updateTable('image').set({ staged_path: null }).where('id', '=', row.id).execute()
    await rm(staged, { force: true })
    await finishTask(deps, taskId, 'success', '', { image_id: row.id })
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    deps.log.warn({ imageId: row.id, taskId, err }, 'image import failed')
    await transition(deps, row, 'importing', 'queued', {
      size: null,
      virtual_size: null,
      staged_path: null,
    })
    if (staged !== null) await rm(staged, { force: true })
    await finishTask(deps, taskId, 'failure', message)
  }
}

/** GET /v2/tasks/{id}: the task document. */
export function taskView(t: Task): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: t.id,
    type: t.type,
    status: t.status,
    input: fromJson<unknown>(t.input, null),
    result: t.result === null ? null : fromJson<unknown>(t.result, null),
    owner: t.owner,
    message: t.message,
    image_id: t.image_id,
    request_id: t.request_id,
    user_id: t.user_id,
    created_at: isoSecondsZ(new Date(t.created_at)),
    updated_at: isoSecondsZ(new Date(t.updated_at)),
    self: `/v2/tasks/${t.id}`,
    schema: '/v2/schemas/task',
  }
  if (t.expires_at !== null) view.expires_at = isoSecondsZ(new Date(t.expires_at))
  return view
}

/** GET /v2/images/{id}/tasks items: Glance serialises raw database rows there. */
export function rawTaskView(t: Task): Record<string, unknown> {
  const time = (v: string | null) => (v === null ? null : isoMicros(new Date(v)))
  return {
    id: t.id,
    type: t.type,
    status: t.status,
    owner: t.owner,
    expires_at: time(t.expires_at),
    created_at: time(t.created_at),
    updated_at: time(t.updated_at),
    deleted_at: null,
    deleted: false,
    image_id: t.image_id,
    request_id: t.request_id,
    user_id: t.user_id,
    input: fromJson<unknown>(t.input, null),
    result: t.result === null ? null : fromJson<unknown>(t.result, null),
    message: t.message,
  }
}

export async function imageTasks(deps: ImageDeps, caller: Caller, id: string): Promise<Task[]> {
  await getVisibleRow(deps, caller, id)
  let q = deps.db.selectFrom('task').selectAll().where('image_id', '=', id)
  if (!caller.isAdmin) q = q.where('owner', '=', caller.projectId ?? '')
  const now = deps.clock.now().toISOString()
  return (await q.orderBy('created_at', 'desc').execute()).filter(
    (t) => t.expires_at === null || t.expires_at > now,
  )
}
