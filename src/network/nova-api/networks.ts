/**
 * @module Which networks a server may use, as Nova asks Neutron: the project's own networks
 * and the shared ones when none is named, the named ones (in the order asked) otherwise, with
 * Nova's refusals for a missing, ambiguous or external network.
 */
import { networkFailure, type NetworkCaller } from '../../compute/network-client.js'
import type { NetworkRow } from '../db/tables.js'
import type { NetworkDeps } from '../core/deps.js'
import { canSeeNetwork } from '../core/networks.js'
import { asCaller } from './neutron.js'

export interface AvailableNetwork {
  row: NetworkRow
  hasSubnets: boolean
}

async function withSubnets(
  deps: Pick<NetworkDeps, 'db'>,
  rows: NetworkRow[],
): Promise<AvailableNetwork[]> {
  if (rows.length === 0) return []
  const subnets = await deps.db
    .selectFrom('subnet')
    .select('network_id')
    .where(
      'network_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute()
  const has = new Set(subnets.map((s) => s.network_id))
  return rows.map((row) => ({ row, hasSubnets: has.has(row.id) }))
}

/**
 * Nova's _get_available_networks: with ids, those the caller sees (in the order asked);
 * without, the project's own unshared networks then every shared one (only those up when
 * `upOnly`, as for auto-allocation).
 */
export async function availableNetworks(
  deps: Pick<NetworkDeps, 'db' | 'config'>,
  caller: NetworkCaller,
  projectId: string,
  options: { ids?: readonly string[]; upOnly?: boolean } = {},
): Promise<AvailableNetwork[]> {
  const ids = options.ids ?? []
  if (ids.length > 0) {
    const rows = await deps.db
      .selectFrom('network')
      .selectAll()
      .where('id', 'in', [...new Set(ids)])
      .execute()
    const visible = rows.filter((r) => canSeeNetwork(asCaller(caller), r))
    const rank = new Map(ids.map((id, i) => [id, i]))
    visible.sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0))
    return withSubnets(deps, visible)
  }
  const own = await deps.db
    .selectFrom('network')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('shared', '=', 0)
    .$if(options.upOnly === true, (q) => q.where('admin_state_up', '=', 1))
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  const shared = await deps.db
    .selectFrom('network')
    .selectAll()
    .where('shared', '=', 1)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  let candidates = [...own, ...shared]
  // nova-network boots instances on its own networks only, never on a floating pool's.
  if (deps.config.manager !== 'neutron') {
    const legacy = new Set(
      (await deps.db.selectFrom('legacy_network').select('network_id').execute()).map(
        (r) => r.network_id,
      ),
    )
    candidates = candidates.filter((n) => legacy.has(n.id))
  }
  return withSubnets(deps, candidates)
}

export const ambiguous = () =>
  networkFailure(
    'NetworkAmbiguous',
    'Conflict',
    'Multiple possible networks found, use a Network ID to be more specific.',
  )

export const networkNotFound = (id: string) =>
  networkFailure('NetworkNotFound', 'NotFound', `Network ${id} could not be found.`)

/** Nova's _check_external_network_attach: external networks that are not shared need the policy. */
export function checkExternalAttach(nets: readonly AvailableNetwork[], allowed: boolean): void {
  if (allowed) return
  for (const { row } of nets)
    if (row.external === 1 && row.shared !== 1)
      throw networkFailure(
        'ExternalNetworkAttachForbidden',
        'Forbidden',
        `It is not allowed to create an interface on external network ${row.id}`,
      )
}
