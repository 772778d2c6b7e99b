/**
 * @module Networks: who sees them (owner, admin, shared, external), their segment, MTU and
 * zones, and delete rules (409 while ports other than DHCP and router gateways remain).
 */
import { type Kysely, sql } from 'kysely'
import { uuid } from '../../lib/ids/ids.js'
import type { NetworkRow, NetworkTables } from '../db/tables.js'
import { networkErrors } from '../errors.js'
import { type Caller, type NetworkDeps, neutronTime } from './deps.js'
import { checkDefaultExternal, ensureDefaultLock } from './default-external-network.js'
import { ensureDefaultSecurityGroup } from './default-security-group.js'
import { withQuota } from './quotas.js'
import {
  allocateSegment,
  checkProviderSegment,
  mtuFor,
  type NetworkType,
  type SegmentRequest,
} from './segments.js'
import { deleteTags, tagsOf } from './tags.js'
import { deleteDisassociatedFloatingIps } from './floating-ips.js'

export type NetworkItem = Record<string, unknown>

const bool = (v: number) => v === 1

/** Whether the caller may see a network (Neutron: owner, admin, shared, or external). */
export function canSeeNetwork(caller: Caller, row: NetworkRow): boolean {
  return (
    caller.isAdmin || row.project_id === caller.projectId || row.shared === 1 || row.external === 1
  )
}

export async function networkItems(
  deps: Pick<NetworkDeps, 'db' | 'config'>,
  rows: NetworkRow[],
): Promise<NetworkItem[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const small = ids.length <= 500
  const [segments, subnets, tags] = await Promise.all([
    deps.db
      .selectFrom('network_segment')
      .selectAll()
      .$if(small, (q) => q.where('network_id', 'in', ids))
      .orderBy('segment_index')
      .execute(),
    deps.db
      .selectFrom('subnet')
      .select(['id', 'network_id'])
      .$if(small, (q) => q.where('network_id', 'in', ids))
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    tagsOf(deps.db, 'networks', ids),
  ])
  const segmentOf = new Map(segments.map((s) => [s.network_id, s]))
  const subnetsOf = new Map<string, string[]>()
  for (const s of subnets)
    subnetsOf.set(s.network_id, [...(subnetsOf.get(s.network_id) ?? []), s.id])
  return rows.map((r) => {
    const seg = segmentOf.get(r.id)
    const hints = JSON.parse(r.availability_zone_hints) as string[]
    return {
      id: r.id,
      name: r.name,
      project_id: r.project_id,
      admin_state_up: bool(r.admin_state_up),
      status: r.status,
      shared: bool(r.shared),
      'router:external': bool(r.external),
      // Only external networks have the flag (Neutron keeps it on their externalnetworks row).
      ...(r.external === 1 ? { is_default: bool(r.is_default) } : {}),
      mtu: r.mtu,
      port_security_enabled: bool(r.port_security_enabled),
      availability_zone_hints: hints,
      availability_zones: hints.length > 0 ? hints : deps.config.defaultAvailabilityZones,
      subnets: subnetsOf.get(r.id) ?? [],
      'provider:network_type': seg?.network_type ?? 'local',
      'provider:physical_network': seg?.physical_network || null,
      'provider:segmentation_id': seg && seg.segmentation_id !== 0 ? seg.segmentation_id : null,
      ipv4_address_scope: null,
      ipv6_address_scope: null,
      l2_adjacency: true,
      description: r.description,
      tags: tags.get(r.id) ?? [],
      created_at: r.created_at,
      updated_at: r.updated_at,
      revision_number: r.revision_number,
    }
  })
}

export async function listNetworks(deps: NetworkDeps, caller: Caller): Promise<NetworkItem[]> {
  let q = deps.db.selectFrom('network').selectAll()
  if (!caller.isAdmin)
    q = q.where((eb) =>
      eb.or([
        eb('project_id', '=', caller.projectId ?? ''),
        eb('shared', '=', 1),
        eb('external', '=', 1),
      ]),
    )
  return networkItems(deps, await q.execute())
}

/** The row, if the caller may see it; else NetworkNotFound. */
export async function findNetwork(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  id: string,
): Promise<NetworkRow> {
  const row = await deps.db
    .selectFrom('network')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row || !canSeeNetwork(caller, row)) throw networkErrors.notFound('network', id)
  return row
}

export async function showNetwork(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
): Promise<NetworkItem> {
  const [item] = await networkItems(deps, [await findNetwork(deps, caller, id)])
  return item as NetworkItem
}

function segmentRequest(attrs: Record<string, unknown>): SegmentRequest | undefined {
  const type = attrs['provider:network_type']
  const physnet = attrs['provider:physical_network']
  const segId = attrs['provider:segmentation_id']
  if (type === undefined && physnet === undefined && segId === undefined) return undefined
  return {
    network_type: type as string | undefined,
    physical_network: physnet as string | null | undefined,
    segmentation_id: segId as number | null | undefined,
  }
}

/** How a network is made: `operator` for nova-network's legacy tools (no quota, segment as given). */
export interface CreateOptions {
  operator?: boolean
}

export async function createNetwork(
  deps: NetworkDeps,
  caller: Caller,
  attrs: Record<string, unknown>,
  opts: CreateOptions = {},
): Promise<NetworkItem> {
  const projectId = String(attrs.project_id)
  const requested = segmentRequest(attrs)
  const provider =
    requested && !opts.operator ? checkProviderSegment(deps.config, requested) : requested
  const id = uuid()
  const now = neutronTime(deps.clock)
  await ensureDefaultSecurityGroup(deps, projectId)
  const external = attrs['router:external'] === true
  if (attrs.is_default === true) await ensureDefaultLock(deps.db)
  await withQuota(deps, projectId, 'network', opts.operator ? 0 : 1, async (trx) => {
    if (attrs.is_default === true) await checkDefaultExternal(trx, id)
    await trx
      .insertInto('network')
      .values({
        id,
        project_id: projectId,
        name: typeof attrs.name === 'string' ? attrs.name : '',
        admin_state_up: attrs.admin_state_up === false ? 0 : 1,
        status: 'ACTIVE',
        shared: attrs.shared === true ? 1 : 0,
        external: external ? 1 : 0,
        is_default: external && attrs.is_default === true ? 1 : 0,
        mtu: 0,
        port_security_enabled: attrs.port_security_enabled === false ? 0 : 1,
        availability_zone_hints: JSON.stringify(attrs.availability_zone_hints ?? []),
        description: typeof attrs.description === 'string' ? attrs.description : '',
        created_at: now,
        updated_at: now,
        revision_number: 1,
      })
      .execute()
  })
  // The segment is allocated after the quota transaction (its retries must not abort it); a
  // refusal removes the network again.
  try {
    const seg = await allocateSegment(deps.db, deps.dialect, deps.config, id, now, provider)
    const mtu = mtuFor(deps.config, seg.network_type)
    const wanted = typeof attrs.mtu === 'number' ? attrs.mtu : mtu
    if (wanted > mtu)
      throw networkErrors.invalidInput(`Requested MTU is too big, maximum is ${mtu}`)
    await deps.db.updateTable('network').set({ mtu: wanted }).where('id', '=', id).execute()
  } catch (err) {
    await deps.db.deleteFrom('network_segment').where('network_id', '=', id).execute()
    await deps.db.deleteFrom('network').where('id', '=', id).execute()
    throw err
  }
  deps.notifier.notify('network.create.end', { network: { id, project_id: projectId } })
  return withRequestedDefault(
    await showNetwork(deps, { ...caller, isAdmin: true }, id),
    attrs.is_default,
  )
}

/** Neutron's create and update answers echo a requested is_default, even on internal networks. */
function withRequestedDefault(item: NetworkItem, requested: unknown): NetworkItem {
  return typeof requested === 'boolean' && !('is_default' in item)
    ? { ...item, is_default: requested }
    : item
}

export async function updateNetwork(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  attrs: Record<string, unknown>,
): Promise<NetworkItem> {
  const row = await findNetwork(deps, caller, id)
  if (!caller.isAdmin && row.project_id !== caller.projectId)
    throw networkErrors.notFound('network', id)
  for (const k of [
    'provider:network_type',
    'provider:physical_network',
    'provider:segmentation_id',
  ])
    if (k in attrs)
      throw networkErrors.invalidInput('Plugin does not support updating provider attributes')
  if (attrs.shared === false && row.shared === 1) await checkUnshare(deps.db, row)
  if (attrs['router:external'] === false && row.external === 1) {
    const gateway = await deps.db
      .selectFrom('port')
      .select('id')
      .where('network_id', '=', id)
      .where('device_owner', '=', 'network:router_gateway')
      .executeTakeFirst()
    if (gateway)
      throw networkErrors.conflict(
        'ExternalNetworkInUse',
        `External network ${id} cannot be updated to be made non-external, since it has existing gateway ports.`,
      )
  }
  if (typeof attrs.mtu === 'number') {
    const seg = await deps.db
      .selectFrom('network_segment')
      .select('network_type')
      .where('network_id', '=', id)
      .executeTakeFirst()
    const max = mtuFor(deps.config, (seg?.network_type ?? 'local') as NetworkType)
    if (attrs.mtu > max)
      throw networkErrors.invalidInput(`Requested MTU is too big, maximum is ${max}`)
  }
  const set: Partial<NetworkRow> = {}
  if (typeof attrs.name === 'string') set.name = attrs.name
  if (typeof attrs.description === 'string') set.description = attrs.description
  if (typeof attrs.admin_state_up === 'boolean') set.admin_state_up = attrs.admin_state_up ? 1 : 0
  if (typeof attrs.shared === 'boolean') set.shared = attrs.shared ? 1 : 0
  if (typeof attrs['router:external'] === 'boolean') set.external = attrs['router:external'] ? 1 : 0
  const external = (set.external ?? row.external) === 1
  if (typeof attrs.is_default === 'boolean') set.is_default = external && attrs.is_default ? 1 : 0
  else if (!external) set.is_default = 0
  if (typeof attrs.port_security_enabled === 'boolean')
    set.port_security_enabled = attrs.port_security_enabled ? 1 : 0
  if (typeof attrs.mtu === 'number') set.mtu = attrs.mtu
  if (attrs.is_default === true) {
    await ensureDefaultLock(deps.db)
    await deps.db.transaction().execute(async (trx) => {
      await checkDefaultExternal(trx, id)
      await bumpRevision({ db: trx, clock: deps.clock }, 'network', id, set)
    })
  } else await bumpRevision(deps, 'network', id, set)
  return withRequestedDefault(await showNetwork(deps, caller, id), attrs.is_default)
}

/** Updates a row's columns, its updated_at and revision_number (Neutron's standard attributes). */
export async function bumpRevision(
  deps: Pick<NetworkDeps, 'db' | 'clock'>,
  table: 'network' | 'subnet' | 'port' | 'router' | 'security_group' | 'floating_ip' | 'subnetpool',
  id: string,
  set: Record<string, unknown>,
): Promise<void> {
  await sql`UPDATE ${sql.table(table)} SET revision_number = revision_number + 1 WHERE id = ${id}`.execute(
    deps.db,
  )
  // SAFETY: callers pass columns of `table`.
  const db = deps.db as unknown as Kysely<Record<string, { id: string; updated_at: string }>>
  await db
    .updateTable(table)
    .set({ ...set, updated_at: neutronTime(deps.clock) })
    .where('id', '=', id)
    .execute()
}

/** A shared network stays shared while other projects have ports on it (Neutron's InvalidSharedSetting). */
async function checkUnshare(db: Kysely<NetworkTables>, row: NetworkRow): Promise<void> {
  const other = await db
    .selectFrom('port')
    .select('id')
    .where('network_id', '=', row.id)
    .where('project_id', '!=', row.project_id)
    .where('device_owner', 'not like', 'network:%')
    .executeTakeFirst()
  if (other)
    throw networkErrors.conflict(
      'InvalidSharedSetting',
      `Unable to reconfigure sharing settings for network ${row.id}. Multiple tenants are using it.`,
    )
}

/** Ports Neutron removes with their network (DHCP ports); anything else keeps it in use. */
const AUTO_DELETED_OWNERS = ['network:dhcp']

export async function deleteNetwork(deps: NetworkDeps, caller: Caller, id: string): Promise<void> {
  const row = await findNetwork(deps, caller, id)
  if (!caller.isAdmin && row.project_id !== caller.projectId)
    throw networkErrors.notFound('network', id)
  // Neutron releases an external network's unassociated floating IPs with it.
  if (row.external === 1) await deleteDisassociatedFloatingIps(deps, caller, id)
  const inUse = await deps.db
    .selectFrom('port')
    .select('id')
    .where('network_id', '=', id)
    .where('device_owner', 'not in', AUTO_DELETED_OWNERS)
    .executeTakeFirst()
  if (inUse)
    throw networkErrors.inUse(
      'NetworkInUse',
      `Unable to complete operation on network ${id}. There are one or more ports still in use on the network.`,
    )
  await deps.db.transaction().execute(async (trx) => {
    const ports = await trx.selectFrom('port').select('id').where('network_id', '=', id).execute()
    const portIds = ports.map((p) => p.id)
    if (portIds.length > 0) {
      await trx.deleteFrom('ip_allocation').where('port_id', 'in', portIds).execute()
      await trx.deleteFrom('port_security_group').where('port_id', 'in', portIds).execute()
      await trx.deleteFrom('port_address_pair').where('port_id', 'in', portIds).execute()
      await trx.deleteFrom('port_dhcp_option').where('port_id', 'in', portIds).execute()
      for (const portId of portIds) await deleteTags(trx, 'ports', portId)
      await trx.deleteFrom('port').where('id', 'in', portIds).execute()
    }
    const subnets = await trx
      .selectFrom('subnet')
      .select('id')
      .where('network_id', '=', id)
      .execute()
    for (const s of subnets) {
      await trx.deleteFrom('subnet_allocation_pool').where('subnet_id', '=', s.id).execute()
      await trx.deleteFrom('subnet_dns_nameserver').where('subnet_id', '=', s.id).execute()
      await trx.deleteFrom('subnet_host_route').where('subnet_id', '=', s.id).execute()
      await trx.deleteFrom('ip_allocation').where('subnet_id', '=', s.id).execute()
      await deleteTags(trx, 'subnets', s.id)
    }
    await trx.deleteFrom('subnet').where('network_id', '=', id).execute()
    await trx.deleteFrom('network_segment').where('network_id', '=', id).execute()
    await trx
      .deleteFrom('agent_binding')
      .where('resource_type', '=', 'network')
      .where('resource_id', '=', id)
      .execute()
    await deleteTags(trx, 'networks', id)
    // A project's auto-allocated topology goes with its network (Neutron's cascade).
    await trx.deleteFrom('auto_allocated_topology').where('network_id', '=', id).execute()
    await trx.deleteFrom('network').where('id', '=', id).execute()
  })
  deps.notifier.notify('network.delete.end', { network_id: id })
}
