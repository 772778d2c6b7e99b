/**
 * @module The RPC contracts between the network server and its agents, on Neutron's topics:
 * agents report their state to the server (`q-reports-plugin`), and the server fans changes out
 * to them (`q-agent-notifier-<resource>-<event>` for L2 agents, `dhcp_agent`, `l3_agent`).
 */
import { call, cast, defineRpc } from '../../lib/rpc/define-rpc.js'

/** What an agent says about itself on every report (Neutron's agent_state). */
export interface AgentState {
  agent_type: string
  binary: string
  host: string
  topic: string
  /** DHCP and L3 agents name their zone; others send none. */
  availability_zone?: string | null
  configurations: Record<string, unknown>
  /** Set on the first report after the agent (re)started. */
  start_flag?: boolean
  resource_versions?: Record<string, string>
}

/** The server's view of the reporting agent: as before, seen for the first time, or back. */
export type AgentStatus = 'alive' | 'new' | 'revived'

export const reportsRpc = defineRpc('q-reports-plugin', {
  reportState: call<{ agentState: AgentState; time: string }, AgentStatus>(),
})

type Json = Record<string, unknown>

/** L2 agents: a port changed (they rewire it and its firewall). */
export const portUpdateRpc = defineRpc('q-agent-notifier-port-update', {
  portUpdate: cast<{
    port: Json
    network_type: string | null
    segmentation_id: number | null
    physical_network: string | null
  }>(),
})

export const portDeleteRpc = defineRpc('q-agent-notifier-port-delete', {
  portDelete: cast<{ port_id: string; network_id: string | null }>(),
})

export const networkUpdateRpc = defineRpc('q-agent-notifier-network-update', {
  networkUpdate: cast<{ network: Json }>(),
})

export const networkDeleteRpc = defineRpc('q-agent-notifier-network-delete', {
  networkDelete: cast<{ network_id: string }>(),
})

/** L2 agents: rules of these groups changed, or who is a member of them. */
export const securityGroupUpdateRpc = defineRpc('q-agent-notifier-security_group-update', {
  securityGroupsRuleUpdated: cast<{ security_groups: string[] }>(),
  securityGroupsMemberUpdated: cast<{ security_groups: string[] }>(),
})

/** DHCP agents: Neutron's <resource>.<event>.end notifications, each with its payload. */
export const dhcpAgentRpc = defineRpc('dhcp_agent', {
  networkCreateEnd: cast<{ payload: { network: Json } }>(),
  networkUpdateEnd: cast<{ payload: { network: Json } }>(),
  networkDeleteEnd: cast<{ payload: { network_id: string } }>(),
  subnetCreateEnd: cast<{ payload: { subnet: Json } }>(),
  subnetUpdateEnd: cast<{ payload: { subnet: Json } }>(),
  subnetDeleteEnd: cast<{ payload: { subnet_id: string; network_id: string } }>(),
  portCreateEnd: cast<{ payload: { port: Json } }>(),
  portUpdateEnd: cast<{ payload: { port: Json } }>(),
  portDeleteEnd: cast<{ payload: { port_id: string; network_id: string } }>(),
})

/** L3 agents: these routers changed (they resync them), or one is gone. */
export const l3AgentRpc = defineRpc('l3_agent', {
  routersUpdated: cast<{ routers: string[] }>(),
  routerDeleted: cast<{ router_id: string }>(),
})
