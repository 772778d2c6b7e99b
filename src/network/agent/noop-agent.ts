/**
 * @module The agents of one host in the fake world: a Linux bridge (L2), DHCP, L3 and metadata
 * agent that report their state like Neutron's and listen to the server's notifications, but
 * change nothing on the host. They write nothing themselves: the server records their reports.
 */
import type { Clock } from '../../lib/clock/clock.js'
import type { Logger } from '../../lib/log/logger.js'
import type { Bus, RpcServer } from '../../lib/rpc/bus.js'
import {
  type RpcContract,
  type RpcImplementation,
  type RpcMethod,
  rpcClient,
  serveRpc,
} from '../../lib/rpc/define-rpc.js'
import {
  type AgentState,
  dhcpAgentRpc,
  l3AgentRpc,
  networkDeleteRpc,
  networkUpdateRpc,
  portDeleteRpc,
  portUpdateRpc,
  reportsRpc,
  securityGroupUpdateRpc,
} from './rpc.js'

export interface NoopAgentOptions {
  bus: Bus
  clock: Clock
  log: Logger
  host: string
  /** Seconds between reports ([network] agent_report_interval). */
  reportIntervalS: number
  /** The zone the DHCP and L3 agents report. */
  availabilityZone: string
}

/** One agent: what it reports and the notification topics it listens to. */
interface AgentSpec {
  state: Omit<AgentState, 'host' | 'start_flag'>
  listens: readonly Listener[]
}

interface Listener {
  contract: RpcContract<Record<string, RpcMethod>>
  /** Also on `<topic>.<host>`, where the server casts to this host's agent alone. */
  perHost?: boolean
}

/** A handler per method that only notes the message: the acknowledgement is the reply. */
function acknowledge(
  contract: RpcContract<Record<string, RpcMethod>>,
  log: Logger,
  agent: string,
): RpcImplementation<Record<string, RpcMethod>> {
  const impl: Record<string, (request: unknown) => undefined> = {}
  for (const method of Object.keys(contract.methods))
    impl[method] = (request) => {
      log.debug({ agent, topic: contract.topic, method, request }, 'agent notification')
      return undefined
    }
  return impl
}

function agentSpecs(o: NoopAgentOptions): AgentSpec[] {
  const asListener = <M extends Record<string, RpcMethod>>(
    contract: RpcContract<M>,
    perHost = false,
  ): Listener => ({ contract, perHost })
  return [
    {
      state: {
        agent_type: 'Linux bridge agent',
        binary: 'neutron-linuxbridge-agent',
        topic: 'N/A',
        configurations: {
          devices: 0,
          interface_mappings: {},
          bridge_mappings: {},
          tunnel_types: ['vxlan'],
          l2_population: false,
          extensions: [],
          log_agent_heartbeats: false,
        },
      },
      listens: [
        asListener(portUpdateRpc),
        asListener(portDeleteRpc),
        asListener(networkUpdateRpc),
        asListener(networkDeleteRpc),
        asListener(securityGroupUpdateRpc),
      ],
    },
    {
      state: {
        agent_type: 'DHCP agent',
        binary: 'neutron-dhcp-agent',
        topic: 'dhcp_agent',
        availability_zone: o.availabilityZone,
        configurations: {
          dhcp_driver: 'neutron.agent.linux.dhcp.Dnsmasq',
          dhcp_lease_duration: 86400,
          networks: 0,
          subnets: 0,
          ports: 0,
          log_agent_heartbeats: false,
          notifies_port_ready: true,
        },
      },
      listens: [asListener(dhcpAgentRpc, true)],
    },
    {
      state: {
        agent_type: 'L3 agent',
        binary: 'neutron-l3-agent',
        topic: 'l3_agent',
        availability_zone: o.availabilityZone,
        configurations: {
          agent_mode: 'legacy',
          gateway_external_network_id: '',
          handle_internal_only_routers: true,
          routers: 0,
          ex_gw_ports: 0,
          interfaces: 0,
          floating_ips: 0,
          interface_driver: 'linuxbridge',
          log_agent_heartbeats: false,
          extensions: [],
        },
      },
      listens: [asListener(l3AgentRpc, true)],
    },
    {
      state: {
        agent_type: 'Metadata agent',
        binary: 'neutron-metadata-agent',
        topic: 'N/A',
        configurations: {
          metadata_proxy_socket: '/var/lib/neutron/metadata_proxy',
          nova_metadata_host: '127.0.0.1',
          nova_metadata_port: 8775,
          log_agent_heartbeats: false,
        },
      },
      listens: [],
    },
  ]
}

/** The agent set of one host; start() returns once every agent is registered. */
export class NoopAgents {
  readonly #o: NoopAgentOptions
  readonly #specs: AgentSpec[]
  readonly #reports
  readonly #servers: RpcServer[] = []
  #timer: NodeJS.Timeout | undefined
  #reporting: Promise<void> | undefined

  constructor(options: NoopAgentOptions) {
    this.#o = options
    this.#specs = agentSpecs(options)
    this.#reports = rpcClient(options.bus, reportsRpc)
  }

  async start(): Promise<void> {
    const { bus, host, log } = this.#o
    for (const spec of this.#specs)
      for (const { contract, perHost } of spec.listens) {
        const impl = acknowledge(contract, log, spec.state.agent_type)
        this.#servers.push(await serveRpc(bus, contract, impl))
        if (perHost) this.#servers.push(await serveRpc(bus, contract, impl, { server: host }))
      }
    await this.report(true)
    this.#timer = setInterval(() => {
      this.#reporting ??= this.report(false)
        .catch((err: unknown) => log.warn({ err, host }, 'agent report failed'))
        .finally(() => (this.#reporting = undefined))
    }, this.#o.reportIntervalS * 1000)
    this.#timer.unref()
  }

  /** Every agent reports once (`start` on the first report after a start). */
  async report(start: boolean): Promise<void> {
    const time = this.#o.clock.now().toISOString()
    for (const spec of this.#specs)
      await this.#reports.reportState({
        agentState: { ...spec.state, host: this.#o.host, ...(start ? { start_flag: true } : {}) },
        time,
      })
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    await this.#reporting
    for (const server of this.#servers.splice(0)) await server.stop()
  }
}
