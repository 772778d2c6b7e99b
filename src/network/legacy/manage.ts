/**
 * @module `ostack network ...`: nova-manage's network and floating commands for the legacy
 * managers, writing the network database directly as nova-manage did (no API server needed).
 * Networks belong to the admin project ([identity] admin_project) unless --project-id is given.
 */
import type { Command } from 'commander'
import type { Config } from '../../config.js'
import { systemClock } from '../../lib/clock/clock.js'
import { createLogger, type Logger } from '../../lib/log/logger.js'
import { InProcessBus } from '../../lib/rpc/in-process-bus.js'
import { Notifier } from '../../lib/rpc/notifier.js'
import { isAppError } from '../../lib/errors/app-error.js'
import { openIdentityDatabase } from '../../identity/service.js'
import type { Caller, NetworkDeps } from '../core/deps.js'
import { networkPublicUrl, openNetworkDatabase } from '../service.js'
import { legacyNetworkInfo } from './client.js'
import { createFloatingRange, deleteFloatingRange, listFloatingRanges } from './floating-ranges.js'
import { createLegacyNetworks, deleteLegacyNetwork, listLegacyNetworks } from './networks.js'

async function adminProjectId(config: Config, log: Logger): Promise<string> {
  const identity = await openIdentityDatabase({ config, log, clock: systemClock })
  try {
    const row = await identity.db
      .selectFrom('project')
      .select('id')
      .where('name', '=', config.identity.adminProject)
      .where('domain_id', '=', 'default')
      .executeTakeFirst()
    if (!row)
      throw new Error(
        `no project ${config.identity.adminProject} yet: start the cloud once (it bootstraps identity) or pass --project-id`,
      )
    return row.id
  } finally {
    await identity.close()
  }
}

/** Opens the network database and runs `work` as the operator. */
async function asOperator<T>(
  config: Config,
  projectId: string | undefined,
  work: (deps: NetworkDeps, caller: Caller) => Promise<T>,
): Promise<T> {
  const log = createLogger({ level: 'warn' })
  const owner = projectId ?? (await adminProjectId(config, log))
  const database = await openNetworkDatabase({ config, log })
  const bus = new InProcessBus(log)
  const deps: NetworkDeps = {
    db: database.db,
    dialect: database.dialect,
    config: config.network,
    clock: systemClock,
    log,
    bus,
    notifier: new Notifier(bus, { publisherId: 'network.ostack-manage', clock: systemClock, log }),
    publicUrl: networkPublicUrl(config),
  }
  try {
    return await work(deps, {
      projectId: owner,
      userId: 'ostack-manage',
      isAdmin: true,
      requestId: 'req-ostack-manage',
    })
  } catch (err) {
    // The network layer's refusals are the operator's answer, not a crash.
    if (isAppError(err)) throw new Error(err.message)
    throw err
  } finally {
    await bus.close()
    await database.close()
  }
}

const int = (v: string | undefined) => (v === undefined ? undefined : Number(v))

interface CreateOptions {
  label: string
  numNetworks?: string
  networkSize?: string
  vlan?: string
  vlanStart?: string
  bridge?: string
  bridgeInterface?: string
  gateway?: string
  dns1?: string
  dns2?: string
  multiHost?: string
  projectId?: string
  mtu?: string
  dhcpServer?: string
  config?: string
}

/** Adds `network legacy-create|legacy-list|legacy-delete|floating-create|floating-list|floating-delete`. */
export function registerLegacyNetworkCommands(
  program: Command,
  readConfig: (file: string | undefined) => Config,
): void {
  const network = program
    .command('network')
    .description("nova-network's legacy networks (as nova-manage network / floating).")
  const out = (line: string) => process.stdout.write(`${line}\n`)

  network
    .command('legacy-create <cidr>')
    .description(
      'Create fixed networks as `nova-manage network create` ([network] manager = flat, flat_dhcp or vlan).',
    )
    .requiredOption('--label <label>', 'network name (label_N when several)')
    .option('--num-networks <n>', 'networks to carve out of the range ([network] num_networks)')
    .option('--network-size <n>', 'addresses in each network ([network] network_size)')
    .option('--vlan <id>', 'VLAN of the (first) network, vlan manager')
    .option('--vlan-start <id>', 'first VLAN to use ([network] vlan_start)')
    .option('--bridge <name>', 'bridge ([network] flat_network_bridge; br<vlan> in vlan mode)')
    .option('--bridge-interface <if>', 'interface on the bridge (flat_interface / vlan_interface)')
    .option('--gateway <ip>', 'gateway (default: the first address)')
    .option('--dns1 <ip>', 'first DNS server ([network] flat_network_dns)')
    .option('--dns2 <ip>', 'second DNS server')
    .option('--multi-host <bool>', 'T/F: every compute host serves it ([network] multi_host)')
    .option('--project-id <id>', 'project the networks belong to (default: none, shared)')
    .option('--mtu <n>', 'MTU')
    .option('--dhcp-server <ip>', 'DHCP server address (default: the gateway)')
    .option('-c, --config <file>', 'INI config file (default: $OSTACK_CONF)')
    .action(async (cidr: string, o: CreateOptions) => {
      const config = readConfig(o.config)
      const made = await asOperator(config, undefined, (deps, caller) =>
        createLegacyNetworks(deps, caller, {
          label: o.label,
          cidr,
          numNetworks: int(o.numNetworks),
          networkSize: int(o.networkSize),
          vlan: int(o.vlan),
          vlanStart: int(o.vlanStart),
          bridge: o.bridge,
          bridgeInterface: o.bridgeInterface,
          gateway: o.gateway,
          dns1: o.dns1,
          dns2: o.dns2,
          multiHost:
            o.multiHost === undefined ? undefined : /^(t|true|1|yes|y)$/i.test(o.multiHost),
          projectId: o.projectId,
          mtu: int(o.mtu),
          dhcpServer: o.dhcpServer,
        }),
      )
      for (const n of made.map(legacyNetworkInfo))
        out(
          `${n.id} ${n.label} ${n.cidr} gateway ${n.gateway} dhcp_start ${n.dhcp_start} bridge ${n.bridge}${n.vlan === null ? '' : ` vlan ${n.vlan}`}`,
        )
    })

  network
    .command('legacy-list')
    .description('List legacy networks as `nova-manage network list`.')
    .option('-c, --config <file>', 'INI config file (default: $OSTACK_CONF)')
    .action(async (o: { config?: string }) => {
      const rows = await asOperator(readConfig(o.config), 'ostack-manage', (deps, caller) =>
        listLegacyNetworks(deps, caller),
      )
      out('id\tIPv4\tVLAN\tstart address\tDNS1\tDNS2\tVlanID\tproject\tuuid')
      rows.forEach((r, i) =>
        out(
          [
            i + 1,
            r.cidr,
            r.vlan ?? 'None',
            r.dhcp_start,
            r.dns1 ?? 'None',
            r.dns2 ?? 'None',
            r.vlan ?? 'None',
            r.project_id ?? 'None',
            r.network_id,
          ].join('\t'),
        ),
      )
    })

  network
    .command('legacy-delete <uuid>')
    .description('Delete a legacy network no instance uses (`nova-manage network delete`).')
    .option('-c, --config <file>', 'INI config file (default: $OSTACK_CONF)')
    .action(async (uuid: string, o: { config?: string }) => {
      await asOperator(readConfig(o.config), 'ostack-manage', (deps, caller) =>
        deleteLegacyNetwork(deps, caller, uuid),
      )
      out(`deleted ${uuid}`)
    })

  network
    .command('floating-create [range]')
    .description(
      'Create floating IPs as `nova-manage floating create` (default: [network] floating_range).',
    )
    .option('--pool <name>', 'pool ([network] default_floating_pool)')
    .option('--interface <if>', 'interface ([network] public_interface)')
    .option('-c, --config <file>', 'INI config file (default: $OSTACK_CONF)')
    .action(
      async (
        range: string | undefined,
        o: { pool?: string; interface?: string; config?: string },
      ) => {
        const config = readConfig(o.config)
        const ipRange = range ?? config.network.floatingRange
        if (!ipRange) throw new Error('give a range or set [network] floating_range')
        const pool = o.pool ?? config.network.defaultFloatingPool
        await asOperator(config, undefined, (deps, caller) =>
          createFloatingRange(deps, caller, {
            ipRange,
            pool,
            interface: o.interface ?? config.network.publicInterface,
          }),
        )
        out(`floating range ${ipRange} in pool ${pool}`)
      },
    )

  network
    .command('floating-list')
    .description('List floating IPs as `nova-manage floating list`.')
    .option('-c, --config <file>', 'INI config file (default: $OSTACK_CONF)')
    .action(async (o: { config?: string }) => {
      const all = await asOperator(readConfig(o.config), 'ostack-manage', (deps) =>
        listFloatingRanges(deps),
      )
      for (const f of all)
        out(
          `${f.project_id ?? 'None'}\t${f.address}\t${f.instance_uuid ?? 'None'}\t${f.pool}\t${f.interface}`,
        )
    })

  network
    .command('floating-delete <range>')
    .description('Delete a floating range as `nova-manage floating delete`.')
    .option('-c, --config <file>', 'INI config file (default: $OSTACK_CONF)')
    .action(async (range: string, o: { config?: string }) => {
      await asOperator(readConfig(o.config), 'ostack-manage', (deps, caller) =>
        deleteFloatingRange(deps, caller, range),
      )
      out(`deleted floating range ${range}`)
    })
}
