/**
 * @module What Neutron's nova notifier does: tell compute when a server's ports change behind
 * its back (a floating IP associated through the network API, fixed IPs updated, a port
 * deleted), as os-server-external-events, so the server's network info follows. Only ports
 * compute owns (device_owner `compute:*`) are reported; failures are logged, never thrown.
 */
import type { NetworkDeps } from './deps.js'

export interface ComputeEvent {
  server_uuid: string
  name: 'network-changed' | 'network-vif-deleted' | 'network-vif-plugged'
  tag: string
  status?: string
}

/** How the network service reaches compute (in-process here; Nova's REST API across hosts). */
export type ComputeEventSink = (events: ComputeEvent[]) => Promise<void>

interface OwnedPort {
  id: string
  device_id: string
  device_owner: string
}

function send(deps: Pick<NetworkDeps, 'computeEvents' | 'log'>, events: ComputeEvent[]): void {
  const sink = deps.computeEvents
  if (!sink || events.length === 0) return
  sink(events).catch((err: unknown) =>
    deps.log.warn({ err, events: events.length }, 'could not notify compute of port changes'),
  )
}

const computeOwned = (p: OwnedPort) => p.device_owner.startsWith('compute:') && p.device_id !== ''

/** network-changed for each compute-owned port among `portIds` (by id, loaded here). */
export async function portsChanged(
  deps: Pick<NetworkDeps, 'computeEvents' | 'log' | 'db'>,
  portIds: readonly (string | null | undefined)[],
): Promise<void> {
  const ids = [...new Set(portIds.filter((p): p is string => typeof p === 'string' && p !== ''))]
  if (!deps.computeEvents || ids.length === 0) return
  const rows = await deps.db
    .selectFrom('port')
    .select(['id', 'device_id', 'device_owner'])
    .where('id', 'in', ids)
    .execute()
  send(
    deps,
    rows
      .filter(computeOwned)
      .map((p) => ({ server_uuid: p.device_id, name: 'network-changed', tag: p.id })),
  )
}

/** network-vif-deleted for a compute-owned port that is gone. */
export function portGone(deps: Pick<NetworkDeps, 'computeEvents' | 'log'>, port: OwnedPort): void {
  if (computeOwned(port))
    send(deps, [{ server_uuid: port.device_id, name: 'network-vif-deleted', tag: port.id }])
}
