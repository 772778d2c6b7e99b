/**
 * @module The agent side of the network service in one process: the server end of the agents'
 * state reports, and the agents of this host chosen by `[network] agents` (`noop`: the fake
 * world's agents that report and acknowledge; `none`: agents run elsewhere).
 */
import { hostname } from 'node:os'
import { serveRpc } from '../../lib/rpc/define-rpc.js'
import type { Config } from '../../config.js'
import { reportAgentState } from '../core/agents.js'
import type { NetworkDeps } from '../core/deps.js'
import { NoopAgents } from './noop-agent.js'
import { reportsRpc } from './rpc.js'

export interface AgentPlane {
  stop(): Promise<void>
}

/** The host name this process's agents report: [network] host, [compute] host, the machine's. */
export function agentHost(config: Config): string {
  return config.network.host ?? config.compute.host ?? hostname()
}

export async function startAgentPlane(deps: NetworkDeps, config: Config): Promise<AgentPlane> {
  const reports = await serveRpc(deps.bus, reportsRpc, {
    reportState: ({ agentState }) => reportAgentState(deps, agentState),
  })
  const agents =
    config.network.agents === 'noop'
      ? new NoopAgents({
          bus: deps.bus,
          clock: deps.clock,
          log: deps.log.child({ agent: 'noop' }),
          host: agentHost(config),
          reportIntervalS: config.network.agentReportInterval,
          availabilityZone: config.network.agentAvailabilityZone,
        })
      : undefined
  try {
    await agents?.start()
  } catch (err) {
    await agents?.stop()
    await reports.stop()
    throw err
  }
  return {
    stop: async () => {
      await agents?.stop()
      await reports.stop()
    },
  }
}
