/**
 * @module os-server-external-events: what other services tell compute about servers (ports
 * plugged, volumes extended, power changed by a bare-metal service). Each event is answered
 * on its own: 200 for a server on a host, 404 unknown server, 422 no host, 400 missing tag.
 * Network events go on to the server's host (a build waiting for its ports, a cache refresh).
 */
import { rpcClient } from '../../../lib/rpc/define-rpc.js'
import { computeAgentRpc } from '../../agent/rpc.js'
import type { ComputeDeps } from '../deps.js'
import { notifyInstance } from '../notifications.js'

export interface ExternalEvent {
  server_uuid: string
  name: string
  status?: string
  tag?: string
}

export type AnsweredEvent = ExternalEvent & { status: string; code: number }

const TAG_REQUIRED = ['volume-extended', 'power-update', 'accelerator-request-bound']

/** power-update (2.76): the guest's power changed outside compute; follow it. */
async function powerUpdate(
  deps: ComputeDeps,
  row: { id: string; host: string; vm_state: string; task_state: string | null },
  tag: string,
): Promise<void> {
  const on = tag === 'POWER_ON'
  if (row.task_state !== null) return
  if (on ? row.vm_state !== 'stopped' : row.vm_state !== 'active') return
  const power = await rpcClient(deps.bus, computeAgentRpc, { server: row.host }).guestOp({
    instanceId: row.id,
    op: on ? 'powerOn' : 'powerOff',
  })
  await deps.db
    .updateTable('instance')
    .set({
      vm_state: on ? 'active' : 'stopped',
      power_state: power,
      updated_at: deps.clock.now().toISOString(),
    })
    .where('id', '=', row.id)
    .where('task_state', 'is', null)
    .execute()
  notifyInstance(deps, on ? 'instance.power_on.end' : 'instance.power_off.end', row.id)
}

export async function acceptEvents(
  deps: ComputeDeps,
  events: readonly ExternalEvent[],
): Promise<{ events: AnsweredEvent[]; allAccepted: boolean }> {
  const ids = [...new Set(events.map((e) => e.server_uuid.toLowerCase()))]
  const rows = await deps.db
    .selectFrom('instance')
    .select(['id', 'host', 'vm_state', 'task_state'])
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .execute()
  const byId = new Map(rows.map((r) => [r.id, r]))
  let allAccepted = true
  const answered: AnsweredEvent[] = []
  for (const e of events) {
    const row = byId.get(e.server_uuid.toLowerCase())
    let code = 200
    if (!row) code = 404
    else if (TAG_REQUIRED.includes(e.name) && e.tag === undefined) code = 400
    else if (!row.host) code = 422
    if (code !== 200) allAccepted = false
    answered.push({ ...e, status: code === 200 ? 'completed' : 'failed', code })
    if (code === 200 && row?.host && e.name.startsWith('network-'))
      // The host's agent acts on them (a build waiting for its ports, a cache to refresh).
      await rpcClient(deps.bus, computeAgentRpc, { server: row.host }).externalInstanceEvent({
        instanceId: row.id,
        name: e.name,
        ...(e.tag === undefined ? {} : { tag: e.tag }),
        status: e.status ?? 'completed',
      })
    if (code === 200 && row?.host && e.name === 'power-update' && e.tag !== undefined)
      await powerUpdate(deps, { ...row, host: row.host }, e.tag).catch((err: unknown) =>
        deps.log.warn({ err, instanceId: row.id }, 'power-update event failed'),
      )
  }
  return { events: answered, allAccepted }
}
