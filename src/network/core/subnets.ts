/**
 * @module Subnets: who sees them (their project, admins, everyone on a shared network — not on
 * a merely external one, as Neutron), creation with default gateway and pools, updates of the
 * mutable attributes, and deletion refused while ports other than DHCP ports hold addresses.
 * Changes to one network's subnets are serialised by a per-network lock so that two requests
 * cannot both pass the overlap check.
 */
import { uuid } from '../../lib/ids/ids.js'
import { ensureSequence, nextValue } from '../../lib/db/sequence.js'
import type { NetworkRow, NetworkTables, SubnetPoolRow, SubnetRow } from '../db/tables.js'
import { networkErrors, neutronError } from '../errors.js'
import { subnetCreated, subnetDeleted, subnetUpdated } from './agent-notify.js'
import { scheduleNetwork } from './agent-scheduler.js'
import { type Caller, type NetworkDeps, neutronTime } from './deps.js'
import { formatIp, parseCidr, parseIp } from './ip.js'
import { isAutoAddress, ROUTER_INTERFACE_OWNERS, withDbRetry } from './ipam.js'
import { bumpRevision, type CreateOptions, findNetwork } from './networks.js'
import { withQuota } from './quotas.js'
import {
  checkGatewayOutOfPools,
  gatewayAndPools,
  type HostRoute,
  type Pool,
  parsePools,
  validateSubnetSpec,
} from './subnet-rules.js'
import {
  allocateFromPool,
  checkPoolAffinity,
  type PoolRequest,
  poolRequest,
  requestedPool,
  type SubnetLayout,
} from './subnet-allocation.js'
import { subnetItems } from './subnet-items.js'
import { poolLock } from './subnetpools.js'
import {
  addAutoAddresses,
  checkOverlap,
  lockForUpdate,
  writeDns,
  writePools,
  writeRoutes,
} from './subnet-rows.js'
import { deleteTags } from './tags.js'

export type SubnetItem = Record<string, unknown>

export { subnetItems }

/** Ports whose addresses a subnet delete removes instead of refusing (Neutron's auto-delete owners). */
const AUTO_DELETE_OWNERS = [
  'network:dhcp',
  'network:distributed',
  'network:floatingip_agent_gateway',
]

const lockName = (networkId: string) => `subnets:${networkId}`

export async function listSubnets(deps: NetworkDeps, caller: Caller): Promise<SubnetItem[]> {
  let q = deps.db.selectFrom('subnet').selectAll()
  if (!caller.isAdmin)
    q = q.where((eb) =>
      eb.or([
        eb('project_id', '=', caller.projectId ?? ''),
        eb('network_id', 'in', eb.selectFrom('network').select('id').where('shared', '=', 1)),
      ]),
    )
  return subnetItems(deps, await q.orderBy('created_at').orderBy('id').execute())
}

/** The row, if the caller may see it; else SubnetNotFound. */
export async function findSubnet(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  id: string,
): Promise<SubnetRow> {
  const row = await deps.db.selectFrom('subnet').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw networkErrors.notFound('subnet', id)
  if (caller.isAdmin || row.project_id === caller.projectId) return row
  const net = await deps.db
    .selectFrom('network')
    .select('shared')
    .where('id', '=', row.network_id)
    .executeTakeFirst()
  if (net?.shared !== 1) throw networkErrors.notFound('subnet', id)
  return row
}

export async function showSubnet(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
): Promise<SubnetItem> {
  const [item] = await subnetItems(deps, [await findSubnet(deps, caller, id)])
  return item as SubnetItem
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** Only the network's owner (or an admin) changes its subnets: Neutron's admin_or_network_owner. */
function checkNetworkOwner(caller: Caller, network: NetworkRow, action: string): void {
  if (!caller.isAdmin && network.project_id !== caller.projectId) throw networkErrors.policy(action)
}

export async function createSubnet(
  deps: NetworkDeps,
  caller: Caller,
  attrs: Record<string, unknown>,
  opts: CreateOptions = {},
): Promise<SubnetItem> {
  const network = await findNetwork(deps, caller, String(attrs.network_id))
  checkNetworkOwner(caller, network, 'create_subnet')
  const bad = (msg: string) => networkErrors.badRequest(`Bad subnets request: ${msg}.`)
  const cidrText = str(attrs.cidr)
  if (cidrText !== undefined && attrs.prefixlen !== undefined)
    throw bad('cidr and prefixlen must not be supplied together')
  const pool = await requestedPool(deps, caller, attrs)
  if (!pool && cidrText === undefined)
    throw bad('a subnetpool must be specified in the absence of a cidr')
  const ipVersion = Number(attrs.ip_version)
  const routes = attrs.host_routes as HostRoute[] | undefined
  const dns = attrs.dns_nameservers as string[] | undefined
  // Neutron validates a subnet from a pool only as its allocator does (no _validate_subnet).
  const plan: { pool: SubnetPoolRow; request: PoolRequest } | { layout: SubnetLayout } = pool
    ? { pool, request: poolRequest(attrs, pool) }
    : { layout: explicitLayout(attrs, cidrText ?? '', dns, routes) }
  // IPv6 modes are kept only where they can apply, as Neutron's _make_subnet_args does.
  const modes = ipVersion === 6 && attrs.enable_dhcp !== false
  const raMode = modes ? (str(attrs.ipv6_ra_mode) ?? null) : null
  const addressMode = modes ? (str(attrs.ipv6_address_mode) ?? null) : null
  const segmentId = await checkSegment(deps, network.id, attrs.segment_id)
  const projectId = String(attrs.project_id)
  const id = uuid()
  const now = neutronTime(deps.clock)
  await ensureSequence(deps.db, lockName(network.id))
  if (pool) await ensureSequence(deps.db, poolLock(pool.id))
  await withDbRetry(() =>
    withQuota(deps, projectId, 'subnet', opts.operator ? 0 : 1, async (trx) => {
      await nextValue<NetworkTables>(trx, lockName(network.id))
      const layout =
        'layout' in plan
          ? plan.layout
          : await allocateFromPool(trx, deps.dialect, plan.pool.id, projectId, plan.request)
      const { cidr, cidrText: cidrNorm, gateway, pools } = layout
      await checkOverlap(trx, network.id, cidr, cidrNorm)
      await checkPoolAffinity(trx, deps.dialect, network.id, ipVersion, pool?.id ?? null)
      await trx
        .insertInto('subnet')
        .values({
          id,
          project_id: projectId,
          network_id: network.id,
          name: str(attrs.name) ?? '',
          ip_version: ipVersion,
          cidr: cidrNorm,
          gateway_ip: gateway,
          enable_dhcp: attrs.enable_dhcp === false ? 0 : 1,
          ipv6_ra_mode: raMode,
          ipv6_address_mode: addressMode,
          subnetpool_id: pool?.id ?? null,
          segment_id: segmentId,
          description: str(attrs.description) ?? '',
          created_at: now,
          updated_at: now,
          revision_number: 0,
        })
        .execute()
      await writePools(trx, id, cidr.version, pools)
      if (dns) await writeDns(trx, id, dns)
      if (routes) await writeRoutes(trx, id, routes)
      await bumpRevision({ db: trx, clock: deps.clock }, 'network', network.id, {})
      if (isAutoAddress({ ipv6AddressMode: addressMode, ipv6RaMode: raMode }))
        await addAutoAddresses(trx, deps, { id, networkId: network.id, cidr })
    }),
  )
  deps.notifier.notify('subnet.create.end', { subnet: { id, network_id: network.id } })
  const subnet = await showSubnet(deps, { ...caller, isAdmin: true }, id)
  await scheduleNetwork(deps, String(subnet.network_id))
  await subnetCreated(deps, subnet)
  return subnet
}

/** A subnet's own CIDR, checked as Neutron's _validate_subnet does, with its gateway and pools. */
function explicitLayout(
  attrs: Record<string, unknown>,
  cidrText: string,
  dns: string[] | undefined,
  routes: HostRoute[] | undefined,
): SubnetLayout {
  const given = parseCidr(cidrText)
  if (!given) throw networkErrors.invalidInput(`${cidrText} is not in a CIDR format`)
  const cidr = { ...given }
  const cidrNorm = `${formatIp(cidr.version, cidr.network)}/${cidr.prefix}`
  validateSubnetSpec({
    ipVersion: Number(attrs.ip_version),
    cidr,
    cidrText: cidrNorm,
    enableDhcp: attrs.enable_dhcp !== false,
    gatewayIp: attrs.gateway_ip as string | null | undefined,
    dnsNameservers: dns,
    hostRoutes: routes,
    ipv6RaMode: attrs.ipv6_ra_mode as string | undefined,
    ipv6AddressMode: attrs.ipv6_address_mode as string | undefined,
  })
  const { gateway, pools } = gatewayAndPools(attrs, cidr, cidrNorm)
  if (cidr.prefix === 0) throw networkErrors.invalidInput('0 is not allowed as CIDR prefix length')
  return { cidr, cidrText: cidrNorm, gateway, pools }
}

async function checkSegment(
  deps: Pick<NetworkDeps, 'db'>,
  networkId: string,
  segmentId: unknown,
): Promise<string | null> {
  if (typeof segmentId !== 'string') return null
  const seg = await deps.db
    .selectFrom('network_segment')
    .select('network_id')
    .where('id', '=', segmentId)
    .executeTakeFirst()
  if (!seg)
    throw neutronError('NotFound', 'SegmentNotFound', `Segment ${segmentId} could not be found.`)
  if (seg.network_id !== networkId)
    throw networkErrors.badRequest(
      `The subnet's network id, '${networkId}', doesn't match the network_id of segment '${segmentId}'`,
    )
  return segmentId
}

export async function updateSubnet(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  attrs: Record<string, unknown>,
): Promise<SubnetItem> {
  const row = await findSubnet(deps, caller, id)
  const network = await findNetwork(deps, { ...caller, isAdmin: true }, row.network_id)
  checkNetworkOwner(caller, network, 'update_subnet')
  const cidr = parseCidr(row.cidr)
  if (!cidr) throw networkErrors.notFound('subnet', id)
  const gatewayGiven = 'gateway_ip' in attrs
  const gateway = gatewayGiven ? (attrs.gateway_ip as string | null) : row.gateway_ip
  const routes = attrs.host_routes as HostRoute[] | undefined
  const dns = attrs.dns_nameservers as string[] | undefined
  validateSubnetSpec(
    {
      ipVersion: row.ip_version,
      cidr,
      cidrText: row.cidr,
      enableDhcp:
        typeof attrs.enable_dhcp === 'boolean' ? attrs.enable_dhcp : row.enable_dhcp === 1,
      ...(gatewayGiven ? { gatewayIp: gateway } : {}),
      dnsNameservers: dns,
      hostRoutes: routes,
    },
    {
      enableDhcp: row.enable_dhcp === 1,
      ipv6RaMode: row.ipv6_ra_mode,
      ipv6AddressMode: row.ipv6_address_mode,
    },
    id,
  )
  if (gatewayGiven && gateway !== row.gateway_ip && row.gateway_ip !== null)
    await checkGatewayNotInUse(deps, row)
  const newPools =
    attrs.allocation_pools === undefined
      ? undefined
      : parsePools(attrs.allocation_pools as unknown[], cidr, row.cidr)
  if ((gateway !== row.gateway_ip || newPools) && gateway !== null) {
    const current = (await subnetItems(deps, [row]))[0]?.allocation_pools as
      { start: string; end: string }[] | undefined
    const pools =
      newPools ??
      (current ?? []).map((p): Pool => [parseIp(p.start)?.value ?? 0n, parseIp(p.end)?.value ?? 0n])
    checkGatewayOutOfPools(gateway, pools, cidr.version)
  }
  await ensureSequence(deps.db, lockName(row.network_id))
  await deps.db.transaction().execute(async (trx) => {
    await nextValue<NetworkTables>(trx, lockName(row.network_id))
    const set: Partial<SubnetRow> = {}
    if (typeof attrs.name === 'string') set.name = attrs.name
    if (typeof attrs.description === 'string') set.description = attrs.description
    if (typeof attrs.enable_dhcp === 'boolean') set.enable_dhcp = attrs.enable_dhcp ? 1 : 0
    if (gatewayGiven) set.gateway_ip = gateway
    if (newPools) await writePools(trx, id, cidr.version, newPools)
    if (dns) await writeDns(trx, id, dns)
    if (routes) await writeRoutes(trx, id, routes)
    await bumpRevision({ db: trx, clock: deps.clock }, 'subnet', id, set)
    await bumpRevision({ db: trx, clock: deps.clock }, 'network', row.network_id, {})
  })
  deps.notifier.notify('subnet.update.end', { subnet: { id, network_id: row.network_id } })
  const subnet = await showSubnet(deps, { ...caller, isAdmin: true }, id)
  await scheduleNetwork(deps, String(subnet.network_id))
  await subnetUpdated(deps, subnet)
  return subnet
}

/** GatewayIpInUse: a router interface still holds the gateway address being replaced. */
async function checkGatewayNotInUse(deps: Pick<NetworkDeps, 'db'>, row: SubnetRow): Promise<void> {
  const alloc = await deps.db
    .selectFrom('ip_allocation')
    .innerJoin('port', 'port.id', 'ip_allocation.port_id')
    .select('ip_allocation.port_id')
    .where('ip_allocation.subnet_id', '=', row.id)
    .where('ip_allocation.ip_address', '=', row.gateway_ip ?? '')
    .where('port.device_owner', 'in', [...ROUTER_INTERFACE_OWNERS, 'network:router_gateway'])
    .executeTakeFirst()
  if (alloc)
    throw networkErrors.inUse(
      'GatewayIpInUse',
      `Current gateway ip ${row.gateway_ip ?? ''} already in use by port ${alloc.port_id}. Unable to update.`,
    )
}

export async function deleteSubnet(deps: NetworkDeps, caller: Caller, id: string): Promise<void> {
  const row = await findSubnet(deps, caller, id)
  const network = await findNetwork(deps, { ...caller, isAdmin: true }, row.network_id)
  checkNetworkOwner(caller, network, 'delete_subnet')
  const inUse = () =>
    networkErrors.inUse(
      'SubnetInUse',
      `Unable to complete operation on subnet ${id}: One or more ports have an IP allocation from this subnet.`,
    )
  const auto = isAutoAddress({
    ipv6AddressMode: row.ipv6_address_mode,
    ipv6RaMode: row.ipv6_ra_mode,
  })
  await ensureSequence(deps.db, lockName(row.network_id))
  await deps.db.transaction().execute(async (trx) => {
    await nextValue<NetworkTables>(trx, lockName(row.network_id))
    // Waits for port transactions holding this subnet (ipam locks it shared) to finish.
    await lockForUpdate(trx, deps.dialect, id)
    const holders = await trx
      .selectFrom('ip_allocation')
      .innerJoin('port', 'port.id', 'ip_allocation.port_id')
      .select(['port.id', 'port.device_owner'])
      .where('ip_allocation.subnet_id', '=', id)
      .execute()
    if (holders.some((h) => ROUTER_INTERFACE_OWNERS.includes(h.device_owner))) throw inUse()
    if (!auto && holders.some((h) => !AUTO_DELETE_OWNERS.includes(h.device_owner))) throw inUse()
    await trx.deleteFrom('ip_allocation').where('subnet_id', '=', id).execute()
    for (const h of holders) await bumpRevision({ db: trx, clock: deps.clock }, 'port', h.id, {})
    await trx.deleteFrom('subnet_allocation_pool').where('subnet_id', '=', id).execute()
    await trx.deleteFrom('subnet_dns_nameserver').where('subnet_id', '=', id).execute()
    await trx.deleteFrom('subnet_host_route').where('subnet_id', '=', id).execute()
    await deleteTags(trx, 'subnets', id)
    await trx.deleteFrom('subnet').where('id', '=', id).execute()
    await bumpRevision({ db: trx, clock: deps.clock }, 'network', row.network_id, {})
  })
  deps.notifier.notify('subnet.delete.end', { subnet_id: id })
  await subnetDeleted(deps, id, row.network_id)
}
