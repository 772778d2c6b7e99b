/**
 * @module What every move (resize, migration, evacuation, unshelve) the conductor drives has in
 * common: scheduling with the right exclusions, conditional steps of the server's task_state,
 * action events, and putting claims back as they were when a move cannot go on.
 */
import { fromJson } from '../../lib/db/values.js'
import { uuid } from '../../lib/ids/ids.js'
import { rpcClient, type RpcClient } from '../../lib/rpc/define-rpc.js'
import { computeAgentRpc } from '../agent/rpc.js'
import type { ComputeDeps } from '../core/deps.js'
import type { FlavorSnapshot } from '../core/instance-spec.js'
import { recordActionEvent } from '../core/instance-actions.js'
import { type MigrationRow, moveAllocations, setMigration } from '../core/servers/migrations.js'
import type { InstanceRow } from '../core/servers/records.js'
import { type Destination, schedulerRpc } from '../scheduler/rpc.js'
import { requestSpecFor } from './conductor.js'
import type { MoveRequest } from './rpc.js'

/** The server left the state this move put it in (deleted, reset): stop quietly. */
export class MoveLost extends Error {
  constructor() {
    super('the server changed under the move')
  }
}

export function agentOf(
  deps: ComputeDeps,
  host: string,
): RpcClient<typeof computeAgentRpc.methods> {
  return rpcClient(deps.bus, computeAgentRpc, { server: host })
}

export async function loadMove(
  deps: ComputeDeps,
  req: MoveRequest,
  taskState: string,
): Promise<{ row: InstanceRow; migration: MigrationRow } | undefined> {
  const row = await deps.db
    .selectFrom('instance')
    .selectAll()
    .where('id', '=', req.instanceId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  const migration = await deps.db
    .selectFrom('migration')
    .selectAll()
    .where('id', '=', req.migrationId)
    .executeTakeFirst()
  if (!row || !migration || row.task_state !== taskState) return undefined
  return { row, migration }
}

/** A destination for `row` (sized as `flavor`), or Nova's NoValidHost reason. */
export async function schedule(
  deps: ComputeDeps,
  row: InstanceRow,
  options: {
    flavor?: FlavorSnapshot
    excludeSource: boolean
    host?: string | undefined
    force?: boolean | undefined
  },
): Promise<Destination | string> {
  const spec = await requestSpecFor(deps, row)
  if (options.flavor) spec.flavor = options.flavor
  // The boot's forced host does not bind later moves (Nova resets forced destinations).
  spec.forceHost = undefined
  spec.forceNode = undefined
  spec.ignoreHosts = options.excludeSource && row.host ? [row.host] : []
  if (options.host !== undefined) {
    if (options.force) spec.forceHost = options.host
    else spec.requestedHost = options.host
  }
  const choice = await rpcClient(deps.bus, schedulerRpc).selectDestination({ spec })
  return choice.destination ?? 'No valid host was found. There are not enough hosts available.'
}

/** Scheduling as an action step: an event that fails when no host fits. */
export async function scheduleStep(
  deps: ComputeDeps,
  req: { instanceId: string; requestId: string },
  event: string,
  row: InstanceRow,
  options: Parameters<typeof schedule>[2],
): Promise<Destination | string> {
  return step(deps, req, event, null, async () => {
    const dest = await schedule(deps, row, options)
    if (typeof dest === 'string') throw new Error(dest)
    return dest
  }).catch((err: unknown) => (err instanceof Error ? err.message : String(err)))
}

/**
 * Points the server's ports at the host it now runs on, or unbinds them (null) when it left
 * every host (Nova's setup_instance_network_on_host / migrate_instance_finish).
 */
export async function bindPorts(
  deps: ComputeDeps,
  instanceId: string,
  host: string | null,
): Promise<void> {
  await deps.network?.bindPorts(instanceId, host)
}

export async function hostIp(deps: ComputeDeps, host: string): Promise<string | null> {
  const node = await deps.db
    .selectFrom('compute_node')
    .select('host_ip')
    .where('host', '=', host)
    .executeTakeFirst()
  return node?.host_ip ?? null
}

/** Moves the server on if it is still in `from`; else the move is lost. */
export async function advance(
  deps: ComputeDeps,
  instanceId: string,
  from: string | null,
  set: Partial<InstanceRow>,
): Promise<void> {
  let q = deps.db
    .updateTable('instance')
    .set({ ...set, updated_at: deps.clock.now().toISOString() })
    .where('id', '=', instanceId)
    .where('deleted_at', 'is', null)
  q = from === null ? q.where('task_state', 'is', null) : q.where('task_state', '=', from)
  const res = await q.executeTakeFirst()
  if (Number(res.numUpdatedRows) !== 1) throw new MoveLost()
}

/** Runs one step under an os-instance-actions event (Nova's wrap_instance_event). */
export async function step<T>(
  deps: ComputeDeps,
  req: { instanceId: string; requestId: string },
  event: string,
  host: string | null,
  work: () => Promise<T>,
): Promise<T> {
  const e = { instanceId: req.instanceId, requestId: req.requestId, event, host }
  await recordActionEvent(deps, { ...e, phase: 'start' })
  try {
    const out = await work()
    await recordActionEvent(deps, { ...e, phase: 'finish', result: 'Success' })
    return out
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    await recordActionEvent(deps, { ...e, phase: 'finish', result: 'Error', message })
    throw err
  }
}

export async function addFault(
  deps: ComputeDeps,
  instanceId: string,
  message: string,
  host: string | null,
): Promise<void> {
  await deps.db
    .insertInto('instance_fault')
    .values({
      id: uuid(),
      instance_id: instanceId,
      code: 500,
      message,
      details: '',
      host,
      created_at: deps.clock.now().toISOString(),
    })
    .execute()
}

/**
 * Gives claims back as they were before the move: the destination's claim (the server's
 * own, when it was taken) goes, the source's comes back from the migration; a deleted
 * server keeps neither.
 */
export async function restoreClaims(
  deps: ComputeDeps,
  instanceId: string,
  migration: MigrationRow,
  destClaimed: boolean,
): Promise<void> {
  const scheduler = rpcClient(deps.bus, schedulerRpc)
  const alive = await deps.db
    .selectFrom('instance')
    .select('id')
    .where('id', '=', instanceId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (destClaimed || !alive) await scheduler.releaseClaim({ instanceId })
  if (alive) await moveAllocations(deps, migration.uuid, instanceId)
  else await scheduler.releaseClaim({ instanceId: migration.uuid })
}

/**
 * A move that cannot go on: claims back, migration `error`, the server out of its task_state
 * (ERROR when the hypervisor failed, as it was when no host could take it).
 */
export async function failMove(
  deps: ComputeDeps,
  req: MoveRequest,
  f: {
    row: InstanceRow
    migration: MigrationRow
    destClaimed: boolean
    message: string
    vmError: boolean
  },
): Promise<void> {
  await restoreClaims(deps, f.row.id, f.migration, f.destClaimed)
  await setMigration(deps, f.migration.id, { status: 'error' })
  const now = deps.clock.now().toISOString()
  await deps.db
    .updateTable('instance')
    .set({
      task_state: null,
      ...(f.vmError ? { vm_state: 'error' } : {}),
      new_flavor: null,
      updated_at: now,
    })
    .where('id', '=', f.row.id)
    .where('deleted_at', 'is', null)
    .execute()
  await addFault(deps, f.row.id, f.message, null)
  deps.log.warn(
    { instanceId: f.row.id, requestId: req.requestId, message: f.message },
    'move failed',
  )
}

export function flavorJson(text: string | null): FlavorSnapshot | undefined {
  return text === null ? undefined : fromJson<FlavorSnapshot | undefined>(text, undefined)
}
