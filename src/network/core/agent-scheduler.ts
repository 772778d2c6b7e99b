/**
 * @module Which agent hosts what, as Neutron's DHCP and L3 agent schedulers decide it: a network
 * that gets a DHCP-enabled subnet goes to `dhcp_agents_per_network` alive, enabled DHCP agents,
 * a router that gets a gateway or an interface to one L3 agent, the least loaded first.
 * Operators move them by hand (dhcp_agent_scheduler, l3_agent_scheduler). A binding is a row
 * under a primary key, so concurrent schedulers never bind a resource twice to one agent.
 */
import { insertIfAbsent } from '../../lib/db/errors.js'
import type { AgentRow } from '../db/tables.js'
import { neutronError } from '../errors.js'
import { agentItem, findAgent, isAlive, type Item } from './agents.js'
import type { NetworkDeps } from './deps.js'

type Deps = Pick<NetworkDeps, 'db' | 'dialect' | 'clock' | 'config'>

const DHCP = 'DHCP agent'
const L3 = 'L3 agent'
type Kind = 'network' | 'router'
const AGENT_OF: Readonly<Record<Kind, string>> = { network: DHCP, router: L3 }

async function bind(deps: Deps, agentId: string, kind: Kind, id: string): Promise<boolean> {
  return insertIfAbsent(
    deps.db
      .insertInto('agent_binding')
      .values({ agent_id: agentId, resource_type: kind, resource_id: id }),
    deps.dialect,
  )
}

async function hosts(deps: Deps, kind: Kind, id: string): Promise<AgentRow[]> {
  return deps.db
    .selectFrom('agent_binding as b')
    .innerJoin('agent as a', 'a.id', 'b.agent_id')
    .selectAll('a')
    .where('b.resource_type', '=', kind)
    .where('b.resource_id', '=', id)
    .orderBy('a.host')
    .execute()
}

/** Alive, enabled agents of the kind, the one hosting the fewest resources first. */
async function candidates(deps: Deps, kind: Kind): Promise<AgentRow[]> {
  const agents = (
    await deps.db
      .selectFrom('agent')
      .selectAll()
      .where('agent_type', '=', AGENT_OF[kind])
      .where('admin_state_up', '=', 1)
      .execute()
  ).filter((a) => isAlive(deps, a))
  const loads = await deps.db
    .selectFrom('agent_binding')
    .select(['agent_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('resource_type', '=', kind)
    .groupBy('agent_id')
    .execute()
  const load = new Map(loads.map((l) => [l.agent_id, Number(l.n)]))
  return agents.sort(
    (a, b) => (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0) || a.host.localeCompare(b.host),
  )
}

/** After a DHCP-enabled subnet appears: the network gets its DHCP agents, if it lacks them. */
export async function scheduleNetwork(deps: Deps, networkId: string): Promise<void> {
  const dhcpSubnet = await deps.db
    .selectFrom('subnet')
    .select('id')
    .where('network_id', '=', networkId)
    .where('enable_dhcp', '=', 1)
    .executeTakeFirst()
  if (!dhcpSubnet) return
  const wanted = deps.config.dhcpAgentsPerNetwork - (await hosts(deps, 'network', networkId)).length
  if (wanted <= 0) return
  for (const agent of (await candidates(deps, 'network')).slice(0, wanted))
    await bind(deps, agent.id, 'network', networkId)
}

/** After a router gets a gateway or an interface: one L3 agent hosts it, if none does. */
export async function scheduleRouter(deps: Deps, routerId: string): Promise<void> {
  if ((await hosts(deps, 'router', routerId)).length > 0) return
  const [agent] = await candidates(deps, 'router')
  if (agent) await bind(deps, agent.id, 'router', routerId)
}

/** The agent, which must be of the kind and enabled (InvalidDHCPAgent / InvalidL3Agent). */
async function agentFor(deps: Deps, kind: Kind, agentId: string): Promise<AgentRow> {
  const agent = await findAgent(deps, agentId)
  if (agent.agent_type !== AGENT_OF[kind] || agent.admin_state_up !== 1)
    throw kind === 'network'
      ? neutronError(
          'NotFound',
          'InvalidDHCPAgent',
          `Agent ${agentId} is not a valid DHCP Agent or has been disabled.`,
        )
      : neutronError(
          'NotFound',
          'InvalidL3Agent',
          `Agent ${agentId} is not a L3 Agent or has been disabled`,
        )
  return agent
}

export async function addNetworkToDhcpAgent(
  deps: Deps,
  agentId: string,
  networkId: string,
): Promise<void> {
  const agent = await agentFor(deps, 'network', agentId)
  if (!(await bind(deps, agent.id, 'network', networkId)))
    throw neutronError(
      'Conflict',
      'NetworkHostedByDHCPAgent',
      `The network ${networkId} has been already hosted by the DHCP Agent ${agentId}.`,
    )
}

export async function removeNetworkFromDhcpAgent(
  deps: Deps,
  agentId: string,
  networkId: string,
): Promise<void> {
  await findAgent(deps, agentId)
  const res = await deps.db
    .deleteFrom('agent_binding')
    .where('agent_id', '=', agentId)
    .where('resource_type', '=', 'network')
    .where('resource_id', '=', networkId)
    .executeTakeFirst()
  if (res.numDeletedRows === 0n)
    throw neutronError(
      'Conflict',
      'NetworkNotHostedByDhcpAgent',
      `The network ${networkId} is not hosted by the DHCP Agent ${agentId}.`,
    )
}

/** A legacy router is hosted by one agent: another one conflicts (RouterHostedByL3Agent). */
export async function addRouterToL3Agent(
  deps: Deps,
  agentId: string,
  routerId: string,
): Promise<void> {
  const agent = await agentFor(deps, 'router', agentId)
  const current = await hosts(deps, 'router', routerId)
  if (current.some((a) => a.id === agent.id)) return
  const [other] = current
  if (other)
    throw neutronError(
      'Conflict',
      'RouterHostedByL3Agent',
      `The router ${routerId} has been already hosted by the L3 Agent ${other.id}.`,
    )
  await bind(deps, agent.id, 'router', routerId)
}

export async function removeRouterFromL3Agent(
  deps: Deps,
  agentId: string,
  routerId: string,
): Promise<void> {
  await findAgent(deps, agentId)
  await deps.db
    .deleteFrom('agent_binding')
    .where('agent_id', '=', agentId)
    .where('resource_type', '=', 'router')
    .where('resource_id', '=', routerId)
    .execute()
}

/** Ids of what the agent hosts (AgentNotFound if there is no such agent). */
export async function hostedIds(deps: Deps, agentId: string, kind: Kind): Promise<string[]> {
  await findAgent(deps, agentId)
  const rows = await deps.db
    .selectFrom('agent_binding')
    .select('resource_id')
    .where('agent_id', '=', agentId)
    .where('resource_type', '=', kind)
    .execute()
  return rows.map((r) => r.resource_id)
}

export async function agentsHosting(deps: Deps, kind: Kind, id: string): Promise<Item[]> {
  return (await hosts(deps, kind, id)).map((a) => agentItem(deps, a))
}
