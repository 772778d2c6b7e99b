/**
 * @module Instance actions (os-instance-actions): every request that changes a server records an
 * action (create, reboot, ...) and the steps hosts take record events under it.
 */
import { uuid } from '../../lib/ids/ids.js'
import type { Caller, ComputeDeps } from './deps.js'

export async function startAction(
  deps: ComputeDeps,
  caller: Caller,
  instanceId: string,
  action: string,
): Promise<void> {
  const now = deps.clock.now().toISOString()
  await deps.db
    .insertInto('instance_action')
    .values({
      id: uuid(),
      instance_id: instanceId,
      action,
      request_id: caller.requestId,
      user_id: caller.userId,
      project_id: caller.projectId,
      start_time: now,
      finish_time: null,
      message: null,
      updated_at: now,
    })
    .execute()
}

export interface ActionEvent {
  instanceId: string
  requestId: string
  event: string
  phase: 'start' | 'finish'
  result?: 'Success' | 'Error' | undefined
  message?: string | undefined
  host: string | null
}

/** Records the start or the end of a step; the action's message is set when a step fails. */
export async function recordActionEvent(deps: ComputeDeps, e: ActionEvent): Promise<void> {
  const action = await deps.db
    .selectFrom('instance_action')
    .select('id')
    .where('instance_id', '=', e.instanceId)
    .where('request_id', '=', e.requestId)
    .orderBy('start_time', 'desc')
    .executeTakeFirst()
  if (!action) return
  const now = deps.clock.now().toISOString()
  if (e.phase === 'start') {
    await deps.db
      .insertInto('instance_action_event')
      .values({
        id: uuid(),
        action_id: action.id,
        event: e.event,
        start_time: now,
        finish_time: null,
        result: null,
        traceback: null,
        host: e.host,
        details: null,
      })
      .execute()
  } else {
    const open = await deps.db
      .selectFrom('instance_action_event')
      .select('id')
      .where('action_id', '=', action.id)
      .where('event', '=', e.event)
      .where('finish_time', 'is', null)
      .executeTakeFirst()
    if (open)
      await deps.db
        .updateTable('instance_action_event')
        .set({ finish_time: now, result: e.result ?? 'Success', details: e.message ?? null })
        .where('id', '=', open.id)
        .execute()
    else
      await deps.db
        .insertInto('instance_action_event')
        .values({
          id: uuid(),
          action_id: action.id,
          event: e.event,
          start_time: now,
          finish_time: now,
          result: e.result ?? 'Success',
          traceback: null,
          host: e.host,
          details: e.message ?? null,
        })
        .execute()
  }
  const update: { updated_at: string; finish_time?: string; message?: string } = { updated_at: now }
  if (e.phase === 'finish') update.finish_time = now
  if (e.result === 'Error') update.message = 'Error'
  await deps.db.updateTable('instance_action').set(update).where('id', '=', action.id).execute()
}
