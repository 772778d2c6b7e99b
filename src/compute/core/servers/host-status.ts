/**
 * @module host_status (2.16): UP, DOWN (forced down or silent for service_down_time),
 * MAINTENANCE (disabled) or UNKNOWN, from each host's nova-compute service.
 */
import type { ComputeDeps } from '../deps.js'

export async function hostStatuses(
  deps: Pick<ComputeDeps, 'db' | 'clock' | 'config'>,
  hosts: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  if (hosts.length === 0) return out
  const services = await deps.db
    .selectFrom('compute_service')
    .selectAll()
    .where('binary', '=', 'nova-compute')
    .where('host', 'in', [...new Set(hosts)])
    .execute()
  const now = deps.clock.nowMs()
  for (const s of services) {
    const silent =
      s.last_seen_up === null ||
      now - Date.parse(s.last_seen_up) > deps.config.serviceDownTime * 1000
    out.set(
      s.host,
      s.forced_down === 1 || silent ? 'DOWN' : s.disabled === 1 ? 'MAINTENANCE' : 'UP',
    )
  }
  return out
}
