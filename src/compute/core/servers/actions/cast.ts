/**
 * @module How the API hands an accepted action to the server's host: move the server into the
 * action's task_state only if it is still in a state the action allows (two requests racing
 * cannot both win), record the os-instance-actions row, then cast to the host's agent.
 */
import { rpcClient } from '../../../../lib/rpc/define-rpc.js'
import { computeAgentRpc } from '../../../agent/rpc.js'
import { computeErrors } from '../../../errors.js'
import type { Caller, ComputeDeps } from '../../deps.js'
import { startAction } from '../../instance-actions.js'
import type { InstanceRow } from '../records.js'

export interface TaskTransition {
  /** The API-level action name for 409 messages ('reboot', 'createImage'...). */
  name: string
  taskState: string | null
  /** task_states the server may be in (default: none). */
  from?: readonly (string | null)[]
  /** Columns changed with the task_state. */
  set?: Partial<InstanceRow>
}

/** Nova's instance.save(expected_task_state=...): 409 when another request got there first. */
export async function enterTaskState(
  deps: ComputeDeps,
  row: InstanceRow,
  t: TaskTransition,
): Promise<void> {
  const from = t.from ?? [null]
  const states = from.filter((s): s is string => s !== null)
  const res = await deps.db
    .updateTable('instance')
    .set({ ...t.set, task_state: t.taskState, updated_at: deps.clock.now().toISOString() })
    .where('id', '=', row.id)
    .where('deleted_at', 'is', null)
    .where((eb) =>
      eb.or([
        ...(states.length > 0 ? [eb('task_state', 'in', states)] : []),
        ...(from.includes(null) ? [eb('task_state', 'is', null)] : []),
      ]),
    )
    .executeTakeFirst()
  if (Number(res.numUpdatedRows) === 1) return
  const now = await deps.db
    .selectFrom('instance')
    .select('task_state')
    .where('id', '=', row.id)
    .executeTakeFirst()
  throw computeErrors.invalidState(t.name, row.id, 'task_state', now?.task_state ?? 'deleting')
}

export interface AgentCast {
  /** os-instance-actions name; undefined records none (Nova records none for a few). */
  action?: string
  agentAction: string
  args?: Record<string, unknown>
}

/** Records the action and casts it to the server's host. */
export async function castToHost(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  host: string,
  c: AgentCast,
): Promise<void> {
  if (c.action !== undefined) await startAction(deps, caller, row.id, c.action)
  await rpcClient(deps.bus, computeAgentRpc, { server: host }).instanceAction({
    instanceId: row.id,
    action: c.agentAction,
    requestId: caller.requestId,
    ...(c.args ? { args: c.args } : {}),
  })
}

/** The common shape: task_state, action record, cast. */
export async function runOnHost(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  t: TaskTransition & AgentCast,
): Promise<void> {
  const host = row.host
  if (!host) throw computeErrors.conflict(`Instance ${row.id} is not ready`)
  if (t.taskState !== null || t.set) await enterTaskState(deps, row, t)
  await castToHost(deps, caller, row, host, t)
}

// A type alias (not an interface) so it also fits Record<string, unknown> args.
export type CallerJson = { projectId: string; userId: string; isAdmin: boolean; requestId: string }

/** The image caller an agent acts for: the requester, as plain JSON. */
export function callerJson(caller: Caller): CallerJson {
  return {
    projectId: caller.projectId,
    userId: caller.userId,
    isAdmin: caller.isAdmin,
    requestId: caller.requestId,
  }
}
