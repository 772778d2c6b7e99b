/**
 * @module Nova's use of Neutron's auto-allocated topology for `networks: "auto"` when the
 * project has no network of its own: at server create a dry-run says whether one could be
 * made (_can_auto_allocate_network), at build the project's topology is fetched, made on first
 * use, and the server boots on its network (_auto_allocate_network). Neutron's 409s become
 * Nova's UnableToAutoAllocateNetwork.
 */
import { networkFailure, type NetworkCaller } from '../../compute/network-client.js'
import { getAutoAllocatedTopology } from '../core/auto-allocate.js'
import type { NetworkDeps } from '../core/deps.js'
import { type AvailableNetwork, availableNetworks } from './networks.js'
import { asCaller, neutronStatus } from './neutron.js'

export const cannotAutoAllocate = (projectId: string) =>
  networkFailure(
    'UnableToAutoAllocateNetwork',
    'BadRequest',
    `Unable to automatically allocate a network for project ${projectId}`,
  )

/** The dry-run: false when Neutron answers 409 (no default external network or pools). */
export async function canAutoAllocate(deps: NetworkDeps, caller: NetworkCaller): Promise<boolean> {
  try {
    await getAutoAllocatedTopology(deps, asCaller(caller), caller.projectId, ['dry-run'])
    return true
  } catch (err) {
    if (neutronStatus(err) === 409) return false
    throw err
  }
}

/** The project's auto-allocated network, made now if need be. */
export async function autoAllocatedNetwork(
  deps: NetworkDeps,
  caller: NetworkCaller,
  projectId: string,
): Promise<AvailableNetwork> {
  let id: string
  try {
    const topology = await getAutoAllocatedTopology(deps, asCaller(caller), projectId, [])
    id = String(topology.id)
  } catch (err) {
    if (neutronStatus(err) === 409) throw cannotAutoAllocate(projectId)
    throw err
  }
  const [network] = await availableNetworks(deps, caller, projectId, { ids: [id] })
  if (!network) throw cannotAutoAllocate(projectId)
  return network
}
