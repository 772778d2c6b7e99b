/**
 * @module multi_host networks: every compute host that runs an instance of one serves it itself
 * (gateway, DHCP, NAT), on an address of its own taken from the network the first time, as
 * nova-network's _get_dhcp_ip did (unless share_dhcp_address, when all hosts use the network's
 * dhcp_server). That address is a Neutron DHCP port bound to the host, which the data plane
 * reads; it stays while the network lives, as nova-network kept it.
 */
import type { NetworkDeps } from '../core/deps.js'
import { DEVICE_OWNER_DHCP } from '../core/l3-db.js'
import { createPort } from '../core/ports.js'

/** The device id of a host's address on a multi_host network. */
export const hostDeviceId = (host: string) => `nova-network-${host}`

/** Gives `host` its address on each of these networks that is multi_host and not shared. */
export async function ensureHostAddresses(
  deps: NetworkDeps,
  networkIds: readonly string[],
  host: string | null,
): Promise<void> {
  if (host === null || networkIds.length === 0 || deps.config.manager === 'neutron') return
  const nets = await deps.db
    .selectFrom('legacy_network')
    .select(['network_id', 'subnet_id', 'owner_project_id'])
    .where('network_id', 'in', [...new Set(networkIds)])
    .where('multi_host', '=', 1)
    .where('share_address', '=', 0)
    .execute()
  for (const net of nets) {
    const has = await deps.db
      .selectFrom('port')
      .select('id')
      .where('network_id', '=', net.network_id)
      .where('device_owner', '=', DEVICE_OWNER_DHCP)
      .where('device_id', '=', hostDeviceId(host))
      .executeTakeFirst()
    if (has) continue
    await createPort(
      deps,
      { projectId: net.owner_project_id, userId: '', isAdmin: true, requestId: '' },
      {
        network_id: net.network_id,
        project_id: net.owner_project_id,
        name: `nova-network ${host}`,
        description: '',
        admin_state_up: true,
        device_owner: DEVICE_OWNER_DHCP,
        device_id: hostDeviceId(host),
        'binding:host_id': host,
        fixed_ips: [{ subnet_id: net.subnet_id }],
      },
    )
  }
}
