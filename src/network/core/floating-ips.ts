/**
 * @module Floating IPs (Neutron's floatingip with fip-port-details): an address held by a
 * port on an external network that belongs to no project, pointed at a fixed IP through a
 * router; counted by the 'floatingip' quota. ACTIVE while associated, DOWN otherwise.
 */
import { portsChanged } from './nova-notifier.js'
import type { Kysely } from 'kysely'
import { insertIfAbsent, isUniqueViolation } from '../../lib/db/errors.js'
import { uuid } from '../../lib/ids/ids.js'
import type { FloatingIpRow, NetworkTables } from '../db/tables.js'
import { routerUpdated } from './agent-notify.js'
import { type Caller, type NetworkDeps, neutronTime } from './deps.js'
import {
  type Association,
  type FloatingIpRef,
  NO_ASSOCIATION,
  resolveAssociation,
} from './floating-ip-association.js'
import { parseIp } from './ip.js'
import { DEVICE_OWNER_FLOATINGIP, elevated, subnetsOfNetwork } from './l3-db.js'
import { badRequestFor, l3Errors } from './l3-errors.js'
import { bumpRevision, findNetwork } from './networks.js'
import { createPort, deletePort } from './ports.js'
import { projectLimits, usage, withQuota } from './quotas.js'
import { deleteTags, tagsOf } from './tags.js'
import { networkErrors } from '../errors.js'

export type FloatingIpItem = Record<string, unknown>

const isString = (v: string | null): v is string => v !== null
const statusOf = (a: Association) => (a.portId === null ? 'DOWN' : 'ACTIVE')

const NO_ASSOCIATION_COLUMNS = {
  fixed_port_id: NO_ASSOCIATION.portId,
  fixed_ip_address: NO_ASSOCIATION.fixedIp,
  router_id: NO_ASSOCIATION.routerId,
}

export async function floatingIpItems(
  deps: Pick<NetworkDeps, 'db'>,
  rows: FloatingIpRow[],
): Promise<FloatingIpItem[]> {
  if (rows.length === 0) return []
  const portIds = [...new Set(rows.flatMap((r) => (r.fixed_port_id ? [r.fixed_port_id] : [])))]
  const [ports, tags] = await Promise.all([
    portIds.length === 0
      ? Promise.resolve([])
      : deps.db
          .selectFrom('port')
          .select([
            'id',
            'name',
            'network_id',
            'mac_address',
            'admin_state_up',
            'status',
            'device_id',
            'device_owner',
          ])
          .where('id', 'in', portIds)
          .execute(),
    tagsOf(
      deps.db,
      'floatingips',
      rows.map((r) => r.id),
    ),
  ])
  const portOf = new Map(ports.map((p) => [p.id, p]))
  return rows.map((r) => {
    const port = r.fixed_port_id ? portOf.get(r.fixed_port_id) : undefined
    return {
      id: r.id,
      project_id: r.project_id,
      floating_ip_address: r.floating_ip_address,
      floating_network_id: r.floating_network_id,
      router_id: r.router_id,
      port_id: r.fixed_port_id,
      fixed_ip_address: r.fixed_ip_address,
      status: r.status,
      description: r.description,
      port_details: port
        ? {
            name: port.name,
            network_id: port.network_id,
            mac_address: port.mac_address,
            admin_state_up: port.admin_state_up === 1,
            status: port.status,
            device_id: port.device_id,
            device_owner: port.device_owner,
          }
        : null,
      tags: tags.get(r.id) ?? [],
      created_at: r.created_at,
      updated_at: r.updated_at,
      revision_number: r.revision_number,
    }
  })
}

/** Filters the list narrows in SQL (Nova asks for the floating IPs of one port at a time). */
export interface FloatingIpListFilter {
  ids?: readonly string[]
  portIds?: readonly string[]
  networkIds?: readonly string[]
  addresses?: readonly string[]
}

export async function listFloatingIps(
  deps: NetworkDeps,
  caller: Caller,
  filter: FloatingIpListFilter = {},
): Promise<FloatingIpItem[]> {
  const some = (v: readonly string[] | undefined): v is readonly string[] =>
    v !== undefined && v.length > 0
  const rows = await deps.db
    .selectFrom('floating_ip')
    .selectAll()
    .$if(!caller.isAdmin, (q) => q.where('project_id', '=', caller.projectId ?? ''))
    .$if(some(filter.ids), (q) => q.where('id', 'in', [...(filter.ids ?? [])]))
    .$if(some(filter.portIds), (q) => q.where('fixed_port_id', 'in', [...(filter.portIds ?? [])]))
    .$if(some(filter.networkIds), (q) =>
      q.where('floating_network_id', 'in', [...(filter.networkIds ?? [])]),
    )
    .$if(some(filter.addresses), (q) =>
      q.where('floating_ip_address', 'in', [...(filter.addresses ?? [])]),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return floatingIpItems(deps, rows)
}

export async function findFloatingIp(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  id: string,
): Promise<FloatingIpRow> {
  const row = await deps.db
    .selectFrom('floating_ip')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row || (!caller.isAdmin && row.project_id !== caller.projectId))
    throw l3Errors.floatingIpNotFound(id)
  return row
}

export async function showFloatingIp(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
): Promise<FloatingIpItem> {
  const [item] = await floatingIpItems(deps, [await findFloatingIp(deps, caller, id)])
  // SAFETY: floatingIpItems returns one item per row.
  return item as FloatingIpItem
}

function refOf(row: FloatingIpRow): FloatingIpRef {
  return {
    id: row.id,
    projectId: row.project_id,
    networkId: row.floating_network_id,
    address: row.floating_ip_address,
    portId: row.fixed_port_id,
    fixedIp: row.fixed_ip_address,
    routerId: row.router_id,
  }
}

const optionalString = (v: unknown) => (typeof v === 'string' ? v : v === null ? null : undefined)

/** Neutron checks the quota before it makes the port; withQuota checks again under the lock. */
async function checkQuota(deps: NetworkDeps, projectId: string): Promise<void> {
  const limit = (await projectLimits(deps, projectId)).floatingip
  if (limit >= 0 && (await usage(deps.db, projectId, 'floatingip')) + 1 > limit)
    throw networkErrors.overQuota('floatingip')
}

/**
 * Allocates an address on the external network (at `floating_ip_address` or from
 * `subnet_id` if given) and optionally associates it. A refusal removes the port again.
 */
export async function createFloatingIp(
  deps: NetworkDeps,
  caller: Caller,
  attrs: Record<string, unknown>,
): Promise<FloatingIpItem> {
  const projectId = String(attrs.project_id)
  const networkId = String(attrs.floating_network_id)
  const net = await findNetwork(deps, caller, networkId)
  if (net.external !== 1)
    throw badRequestFor('floatingip', `Network ${networkId} is not a valid external network`)
  if (!(await subnetsOfNetwork(deps.db, networkId)).some((s) => s.ip_version === 4))
    throw badRequestFor('floatingip', `Network ${networkId} does not contain any IPv4 subnet`)
  await checkQuota(deps, projectId)
  const id = uuid()
  const fixed: Record<string, string> = {}
  if (typeof attrs.subnet_id === 'string') fixed.subnet_id = attrs.subnet_id
  if (typeof attrs.floating_ip_address === 'string') fixed.ip_address = attrs.floating_ip_address
  const admin = elevated(caller)
  const port = await createPort(deps, admin, {
    project_id: '',
    network_id: networkId,
    name: '',
    description: '',
    admin_state_up: true,
    device_id: id,
    device_owner: DEVICE_OWNER_FLOATINGIP,
    ...(Object.keys(fixed).length > 0 ? { fixed_ips: [fixed] } : {}),
  })
  const portId = String(port.id)
  let routerId: string | null = null
  let assocPort: string | null = null
  try {
    const address = (port.fixed_ips as { ip_address: string }[] | undefined)?.find(
      (ip) => parseIp(ip.ip_address)?.version === 4,
    )?.ip_address
    if (address === undefined) throw l3Errors.externalIpAddressExhausted(networkId)
    const now = neutronTime(deps.clock)
    const row: FloatingIpRow = {
      id,
      project_id: projectId,
      floating_network_id: networkId,
      floating_port_id: portId,
      floating_ip_address: address,
      fixed_port_id: null,
      fixed_ip_address: null,
      router_id: null,
      status: 'DOWN',
      description: typeof attrs.description === 'string' ? attrs.description : '',
      created_at: now,
      updated_at: now,
      revision_number: 0,
    }
    const assoc = await resolveAssociation(deps, caller, refOf(row), {
      portId: optionalString(attrs.port_id) ?? null,
      fixedIp: optionalString(attrs.fixed_ip_address) ?? null,
    })
    await withQuota(deps, projectId, 'floatingip', 1, async (trx) => {
      const inserted = await insertIfAbsent(
        trx.insertInto('floating_ip').values({
          ...row,
          fixed_port_id: assoc.portId,
          fixed_ip_address: assoc.fixedIp,
          router_id: assoc.routerId,
          status: statusOf(assoc),
        }),
        deps.dialect,
      )
      if (!inserted) throw alreadyAssociated(row, assoc)
    })
    routerId = assoc.routerId
    assocPort = assoc.portId
  } catch (err) {
    await deletePort(deps, admin, portId, { internal: true })
    throw err
  }
  deps.notifier.notify('floatingip.create.end', { floatingip: { id, project_id: projectId } })
  if (routerId) await routerUpdated(deps, [routerId])
  await portsChanged(deps, [assocPort])
  return showFloatingIp(deps, admin, id)
}

function alreadyAssociated(row: FloatingIpRow, assoc: Association) {
  return l3Errors.portAlreadyAssociated({
    floatingIpAddress: row.floating_ip_address,
    fipId: row.id,
    portId: assoc.portId ?? '',
    fixedIp: assoc.fixedIp ?? '',
    networkId: row.floating_network_id,
  })
}

/** Associates (port_id), moves, or disassociates (port_id null); description may change too. */
export async function updateFloatingIp(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  attrs: Record<string, unknown>,
): Promise<FloatingIpItem> {
  const row = await findFloatingIp(deps, caller, id)
  const assoc = await resolveAssociation(deps, caller, refOf(row), {
    portId: 'port_id' in attrs ? optionalString(attrs.port_id) : undefined,
    fixedIp: optionalString(attrs.fixed_ip_address),
  })
  const set: Partial<FloatingIpRow> = {
    fixed_port_id: assoc.portId,
    fixed_ip_address: assoc.fixedIp,
    router_id: assoc.routerId,
    status: statusOf(assoc),
  }
  if (typeof attrs.description === 'string') set.description = attrs.description
  try {
    await bumpRevision(deps, 'floating_ip', id, set)
  } catch (err) {
    // Another request took this fixed address meanwhile (the unique index decided).
    if (isUniqueViolation(err)) throw alreadyAssociated(row, assoc)
    throw err
  }
  deps.notifier.notify('floatingip.update.end', {
    floatingip: { id, project_id: row.project_id, port_id: assoc.portId },
  })
  await routerUpdated(deps, [...new Set([row.router_id, assoc.routerId])].filter(isString))
  if (row.fixed_port_id !== assoc.portId)
    await portsChanged(deps, [row.fixed_port_id, assoc.portId])
  return showFloatingIp(deps, caller, id)
}

/** Releases the address: the floating IP and its external port go. */
export async function deleteFloatingIp(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
): Promise<void> {
  const row = await findFloatingIp(deps, caller, id)
  await deps.db.transaction().execute(async (trx) => {
    await deleteTags(trx, 'floatingips', id)
    await trx.deleteFrom('floating_ip').where('id', '=', id).execute()
  })
  await deletePort(deps, elevated(caller), row.floating_port_id, { internal: true })
  deps.notifier.notify('floatingip.delete.end', {
    floatingip_id: id,
    floatingip: { id, project_id: row.project_id },
  })
  if (row.router_id) await routerUpdated(deps, [row.router_id])
  await portsChanged(deps, [row.fixed_port_id])
}

/**
 * For the port delete path (Neutron's disassociate_floatingips): floating IPs pointing at the
 * port let go of it. `db` may be the caller's transaction. Returns the routers that served them.
 */
export async function disassociateFloatingIpsOfPort(
  deps: { db: Kysely<NetworkTables>; clock: NetworkDeps['clock'] },
  portId: string,
): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('floating_ip')
    .select(['id', 'router_id'])
    .where('fixed_port_id', '=', portId)
    .execute()
  for (const r of rows)
    await bumpRevision(deps, 'floating_ip', r.id, {
      ...NO_ASSOCIATION_COLUMNS,
      status: 'DOWN',
    })
  return [...new Set(rows.flatMap((r) => (r.router_id ? [r.router_id] : [])))]
}

/**
 * For the network delete path (Neutron deletes the unassociated floating IPs of an external
 * network before checking it is unused).
 */
export async function deleteDisassociatedFloatingIps(
  deps: NetworkDeps,
  caller: Caller,
  networkId: string,
): Promise<void> {
  const rows = await deps.db
    .selectFrom('floating_ip')
    .select('id')
    .where('floating_network_id', '=', networkId)
    .where('fixed_port_id', 'is', null)
    .execute()
  for (const r of rows) await deleteFloatingIp(deps, elevated(caller), r.id)
}
