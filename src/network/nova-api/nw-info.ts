/**
 * @module A server's network info as Nova builds it from Neutron (_build_network_info_model):
 * one VIF per port whose device is the server, with its network's name and MTU, its subnets
 * (gateway, DNS, routes) and fixed addresses, and the floating addresses pointing at them.
 * Ports keep the cache's order; ports the cache does not know come after, oldest first.
 */
import type { Vif, VifSubnet } from '../../compute/network-client.js'
import type { PortRow } from '../db/tables.js'
import type { NetworkDeps } from '../core/deps.js'

const versionOf = (address: string): 4 | 6 => (address.includes(':') ? 6 : 4)

function json(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text)
    // SAFETY: binding columns hold JSON objects.
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/** The ports of these servers, oldest first. */
export async function portsOfDevices(
  deps: Pick<NetworkDeps, 'db'>,
  deviceIds: readonly string[],
): Promise<PortRow[]> {
  if (deviceIds.length === 0) return []
  return deps.db
    .selectFrom('port')
    .selectAll()
    .where('device_id', 'in', [...deviceIds])
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

/** VIFs for `ports`, in their order; `cached` gives each its preserve_on_delete and tag. */
export async function vifsOf(
  deps: Pick<NetworkDeps, 'db'>,
  ports: readonly PortRow[],
  cached: readonly Vif[],
): Promise<Vif[]> {
  if (ports.length === 0) return []
  const portIds = ports.map((p) => p.id)
  const networkIds = [...new Set(ports.map((p) => p.network_id))]
  const [allocations, networks, floating] = await Promise.all([
    deps.db.selectFrom('ip_allocation').selectAll().where('port_id', 'in', portIds).execute(),
    deps.db
      .selectFrom('network')
      .select(['id', 'name', 'project_id', 'mtu'])
      .where('id', 'in', networkIds)
      .execute(),
    deps.db
      .selectFrom('floating_ip')
      .select(['fixed_port_id', 'fixed_ip_address', 'floating_ip_address'])
      .where('fixed_port_id', 'in', portIds)
      .orderBy('created_at')
      .execute(),
  ])
  const subnetIds = [...new Set(allocations.map((a) => a.subnet_id))]
  const [subnets, dns, routes] =
    subnetIds.length === 0
      ? [[], [], []]
      : await Promise.all([
          deps.db.selectFrom('subnet').selectAll().where('id', 'in', subnetIds).execute(),
          deps.db
            .selectFrom('subnet_dns_nameserver')
            .selectAll()
            .where('subnet_id', 'in', subnetIds)
            .orderBy('position')
            .execute(),
          deps.db
            .selectFrom('subnet_host_route')
            .selectAll()
            .where('subnet_id', 'in', subnetIds)
            .execute(),
        ])
  const networkOf = new Map(networks.map((n) => [n.id, n]))
  const subnetOf = new Map(subnets.map((s) => [s.id, s]))
  const cachedOf = new Map(cached.map((v) => [v.id, v]))
  return ports.map((port) => {
    const net = networkOf.get(port.network_id)
    const own = new Map<string, VifSubnet>()
    for (const a of allocations.filter((x) => x.port_id === port.id)) {
      const s = subnetOf.get(a.subnet_id)
      if (!s) continue
      let entry = own.get(s.id)
      if (!entry) {
        entry = {
          id: s.id,
          cidr: s.cidr,
          version: s.ip_version === 6 ? 6 : 4,
          gateway: s.gateway_ip,
          dnsNameservers: dns.filter((d) => d.subnet_id === s.id).map((d) => d.address),
          hostRoutes: routes
            .filter((r) => r.subnet_id === s.id)
            .map((r) => ({ destination: r.destination, nexthop: r.nexthop })),
          ips: [],
        }
        own.set(s.id, entry)
      }
      entry.ips.push({
        address: a.ip_address,
        version: versionOf(a.ip_address),
        floatingIps: floating
          .filter((f) => f.fixed_port_id === port.id && f.fixed_ip_address === a.ip_address)
          .map((f) => f.floating_ip_address),
      })
    }
    const before = cachedOf.get(port.id)
    return {
      id: port.id,
      address: port.mac_address,
      // Nova: a port that is up, or administratively down, has nothing left to wait for.
      active: port.admin_state_up === 0 || port.status === 'ACTIVE',
      network: {
        id: port.network_id,
        label: net?.name ?? '',
        projectId: net?.project_id ?? port.project_id,
        mtu: net && net.mtu > 0 ? net.mtu : null,
        subnets: [...own.values()],
      },
      vifType: port.vif_type,
      vnicType: port.vnic_type,
      details: json(port.vif_details),
      devname: `tap${port.id}`.slice(0, 14),
      preserveOnDelete: before?.preserveOnDelete ?? false,
      tag: before?.tag ?? null,
    }
  })
}

/** The server's VIFs: the cache's ports still on the server in the cache's order, then the rest. */
export async function instanceNwInfo(
  deps: Pick<NetworkDeps, 'db'>,
  instanceId: string,
  cached: readonly Vif[],
): Promise<Vif[]> {
  const ports = await portsOfDevices(deps, [instanceId])
  const rank = new Map(cached.map((v, i) => [v.id, i]))
  const ordered = [...ports].sort(
    (a, b) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity),
  )
  return vifsOf(deps, ordered, cached)
}
