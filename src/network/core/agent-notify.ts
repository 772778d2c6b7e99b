/**
 * @module Tells the agents what changed, as Neutron's agent notifier APIs do: a fanout on the
 * bus to every agent listening on the topic. Notifications are best effort (an agent that
 * misses one resyncs on its next report); a failure to send is logged, never thrown.
 */
import type { CastMethod, RpcContract, RpcMethod } from '../../lib/rpc/define-rpc.js'
import {
  dhcpAgentRpc,
  l3AgentRpc,
  networkDeleteRpc,
  networkUpdateRpc,
  portDeleteRpc,
  portUpdateRpc,
  securityGroupUpdateRpc,
} from '../agent/rpc.js'
import type { NetworkDeps } from './deps.js'

type Deps = Pick<NetworkDeps, 'bus' | 'log'>
type Json = Record<string, unknown>
type CastRequest<T> = T extends CastMethod<infer Req> ? Req : never

async function fanout<M extends Record<string, RpcMethod>, K extends keyof M & string>(
  deps: Deps,
  contract: RpcContract<M>,
  method: K,
  payload: CastRequest<M[K]>,
): Promise<void> {
  try {
    await deps.bus.fanout(contract.topic, method, payload)
  } catch (err) {
    deps.log.warn({ err, topic: contract.topic, method }, 'agent notification not sent')
  }
}

/** The L2 segment of the port's network, which port_update carries. */
export interface SegmentInfo {
  network_type: string | null
  segmentation_id: number | null
  physical_network: string | null
}

export async function portCreated(deps: Deps, port: Json): Promise<void> {
  await fanout(deps, dhcpAgentRpc, 'portCreateEnd', { payload: { port } })
}

export async function portUpdated(deps: Deps, port: Json, segment?: SegmentInfo): Promise<void> {
  await fanout(deps, portUpdateRpc, 'portUpdate', {
    port,
    network_type: segment?.network_type ?? null,
    segmentation_id: segment?.segmentation_id ?? null,
    physical_network: segment?.physical_network ?? null,
  })
  await fanout(deps, dhcpAgentRpc, 'portUpdateEnd', { payload: { port } })
}

export async function portDeleted(deps: Deps, portId: string, networkId: string): Promise<void> {
  await fanout(deps, portDeleteRpc, 'portDelete', { port_id: portId, network_id: networkId })
  await fanout(deps, dhcpAgentRpc, 'portDeleteEnd', {
    payload: { port_id: portId, network_id: networkId },
  })
}

export async function networkCreated(deps: Deps, network: Json): Promise<void> {
  await fanout(deps, dhcpAgentRpc, 'networkCreateEnd', { payload: { network } })
}

export async function networkUpdated(deps: Deps, network: Json): Promise<void> {
  await fanout(deps, networkUpdateRpc, 'networkUpdate', { network })
  await fanout(deps, dhcpAgentRpc, 'networkUpdateEnd', { payload: { network } })
}

export async function networkDeleted(deps: Deps, networkId: string): Promise<void> {
  await fanout(deps, networkDeleteRpc, 'networkDelete', { network_id: networkId })
  await fanout(deps, dhcpAgentRpc, 'networkDeleteEnd', { payload: { network_id: networkId } })
}

export async function subnetCreated(deps: Deps, subnet: Json): Promise<void> {
  await fanout(deps, dhcpAgentRpc, 'subnetCreateEnd', { payload: { subnet } })
}

export async function subnetUpdated(deps: Deps, subnet: Json): Promise<void> {
  await fanout(deps, dhcpAgentRpc, 'subnetUpdateEnd', { payload: { subnet } })
}

export async function subnetDeleted(
  deps: Deps,
  subnetId: string,
  networkId: string,
): Promise<void> {
  await fanout(deps, dhcpAgentRpc, 'subnetDeleteEnd', {
    payload: { subnet_id: subnetId, network_id: networkId },
  })
}

export async function routerUpdated(deps: Deps, routerIds: readonly string[]): Promise<void> {
  if (routerIds.length > 0)
    await fanout(deps, l3AgentRpc, 'routersUpdated', { routers: [...routerIds] })
}

export async function routerDeleted(deps: Deps, routerId: string): Promise<void> {
  await fanout(deps, l3AgentRpc, 'routerDeleted', { router_id: routerId })
}

/** The rules of these groups changed. */
export async function securityGroupsUpdated(
  deps: Deps,
  groupIds: readonly string[],
): Promise<void> {
  if (groupIds.length > 0)
    await fanout(deps, securityGroupUpdateRpc, 'securityGroupsRuleUpdated', {
      security_groups: [...groupIds],
    })
}

/** Ports joined or left these groups (remote-group rules of others change with them). */
export async function securityGroupMembersUpdated(
  deps: Deps,
  groupIds: readonly string[],
): Promise<void> {
  if (groupIds.length > 0)
    await fanout(deps, securityGroupUpdateRpc, 'securityGroupsMemberUpdated', {
      security_groups: [...groupIds],
    })
}
