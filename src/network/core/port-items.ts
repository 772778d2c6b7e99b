/**
 * @module Ports as Neutron shows them, and port lists narrowed in SQL: the columns a filter
 * names (network, device, owner, project, MAC, status, name, host, fixed IPs, groups) go into
 * the WHERE clause, and the children of the rows found (fixed IPs, groups, address pairs, DHCP
 * options, tags) are read in a few batched queries, so listing 10,000 ports stays cheap.
 */
import type { SelectQueryBuilder } from 'kysely'
import type { NetworkTables, PortRow } from '../db/tables.js'
import type { Caller, NetworkDeps } from './deps.js'
import { normalizeMac } from './mac.js'
import { rowsFor } from './subnet-items.js'
import { tagsOf } from './tags.js'

export type PortItem = Record<string, unknown>

/** Lists of wanted values per filter (repeated = any of); fixed IP keys apply to one entry each. */
export interface PortFilters {
  id?: readonly string[]
  network_id?: readonly string[]
  device_id?: readonly string[]
  device_owner?: readonly string[]
  project_id?: readonly string[]
  mac_address?: readonly string[]
  status?: readonly string[]
  name?: readonly string[]
  host_id?: readonly string[]
  ip_address?: readonly string[]
  subnet_id?: readonly string[]
  ip_address_substr?: readonly string[]
  security_groups?: readonly string[]
}

/** Above this many rows the children are read whole rather than by id lists. */
const SCAN_ABOVE = 2000

async function children<T extends { port_id: string }>(
  ids: string[],
  read: (chunk: string[] | undefined) => Promise<T[]>,
): Promise<Map<string, T[]>> {
  const wanted = new Set(ids)
  const rows = ids.length > SCAN_ABOVE ? await read(undefined) : await rowsFor(ids, read)
  const out = new Map<string, T[]>()
  for (const r of rows) {
    if (!wanted.has(r.port_id)) continue
    const list = out.get(r.port_id)
    if (list) list.push(r)
    else out.set(r.port_id, [r])
  }
  return out
}

/** A stored JSON object (most are `{}`: no parse for those). */
const object = (text: string): unknown => (text === '{}' ? {} : JSON.parse(text))

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Wire dicts for many ports: five child queries (or scans), whatever the number of rows. */
export async function portItems(
  deps: Pick<NetworkDeps, 'db'>,
  rows: readonly PortRow[],
): Promise<PortItem[]> {
  if (rows.length === 0) return []
  const db = deps.db
  const ids = rows.map((r) => r.id)
  const [ips, groups, pairs, opts, tags] = await Promise.all([
    children(ids, (c) =>
      db
        .selectFrom('ip_allocation')
        .select(['port_id', 'subnet_id', 'ip_address'])
        .$if(c !== undefined, (q) => q.where('port_id', 'in', c ?? []))
        .execute(),
    ),
    children(ids, (c) =>
      db
        .selectFrom('port_security_group')
        .selectAll()
        .$if(c !== undefined, (q) => q.where('port_id', 'in', c ?? []))
        .execute(),
    ),
    children(ids, (c) =>
      db
        .selectFrom('port_address_pair')
        .selectAll()
        .$if(c !== undefined, (q) => q.where('port_id', 'in', c ?? []))
        .execute(),
    ),
    children(ids, (c) =>
      db
        .selectFrom('port_dhcp_option')
        .selectAll()
        .$if(c !== undefined, (q) => q.where('port_id', 'in', c ?? []))
        .execute(),
    ),
    tagsOf(db, 'ports', ids),
  ])
  return rows.map((r) => {
    const bound = r.vif_type !== 'unbound'
    return {
      id: r.id,
      name: r.name,
      network_id: r.network_id,
      project_id: r.project_id,
      mac_address: r.mac_address,
      admin_state_up: r.admin_state_up === 1,
      status: r.status,
      device_id: r.device_id,
      device_owner: r.device_owner,
      // Neutron orders a port's addresses by (ip_address, subnet_id) as text.
      fixed_ips: (ips.get(r.id) ?? [])
        .map((i) => ({ subnet_id: i.subnet_id, ip_address: i.ip_address }))
        .sort((a, b) => byText(a.ip_address, b.ip_address) || byText(a.subnet_id, b.subnet_id)),
      allowed_address_pairs: (pairs.get(r.id) ?? [])
        .map((p) => ({ ip_address: p.ip_address, mac_address: p.mac_address }))
        .sort((a, b) => byText(a.ip_address, b.ip_address) || byText(a.mac_address, b.mac_address)),
      extra_dhcp_opts: (opts.get(r.id) ?? [])
        .map((o) => ({ opt_name: o.opt_name, opt_value: o.opt_value, ip_version: o.ip_version }))
        .sort((a, b) => byText(a.opt_name, b.opt_name) || a.ip_version - b.ip_version),
      security_groups: (groups.get(r.id) ?? []).map((g) => g.security_group_id).sort(),
      port_security_enabled: r.port_security_enabled === 1,
      'binding:host_id': r.host_id,
      'binding:vnic_type': r.vnic_type,
      'binding:vif_type': r.vif_type,
      'binding:vif_details': bound ? object(r.vif_details) : {},
      'binding:profile': object(r.binding_profile),
      ip_allocation: r.ip_allocation,
      description: r.description,
      tags: tags.get(r.id) ?? [],
      created_at: r.created_at,
      updated_at: r.updated_at,
      revision_number: r.revision_number,
    }
  })
}

type AllocationQuery = SelectQueryBuilder<NetworkTables, 'ip_allocation', { port_id: string }>

/** Port rows the caller may see (owner of the port or of its network, or admin) matching `f`. */
export async function selectPorts(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  f: PortFilters = {},
): Promise<PortRow[]> {
  const db = deps.db
  let q = db.selectFrom('port').selectAll()
  if (!caller.isAdmin) {
    const project = caller.projectId ?? ''
    q = q.where((eb) =>
      eb.or([
        eb('project_id', '=', project),
        eb(
          'network_id',
          'in',
          eb.selectFrom('network').select('id').where('project_id', '=', project),
        ),
      ]),
    )
  }
  const columns = [
    'id',
    'network_id',
    'device_id',
    'device_owner',
    'project_id',
    'status',
    'name',
    'host_id',
  ] as const
  for (const c of columns) {
    const wanted = f[c]
    if (wanted && wanted.length > 0) q = q.where(c, 'in', [...wanted])
  }
  if (f.mac_address && f.mac_address.length > 0)
    q = q.where(
      'mac_address',
      'in',
      f.mac_address.map((m) => normalizeMac(m) ?? m.toLowerCase()),
    )
  // Each fixed IP key is matched by some address of the port (not necessarily the same one).
  const allocations = (where: (sub: AllocationQuery) => AllocationQuery) =>
    where(db.selectFrom('ip_allocation').select('port_id'))
  if (f.ip_address && f.ip_address.length > 0) {
    const ips = [...f.ip_address]
    q = q.where(
      'id',
      'in',
      allocations((s) => s.where('ip_address', 'in', ips)),
    )
  }
  if (f.subnet_id && f.subnet_id.length > 0) {
    const subnets = [...f.subnet_id]
    q = q.where(
      'id',
      'in',
      allocations((s) => s.where('subnet_id', 'in', subnets)),
    )
  }
  for (const part of f.ip_address_substr ?? [])
    // Address text has no LIKE wildcards; a filter with any matches nothing.
    q = q.where(
      'id',
      'in',
      allocations((s) =>
        /^[0-9a-fA-F.:]*$/.test(part)
          ? s.where('ip_address', 'like', `%${part.toLowerCase()}%`)
          : s.where('ip_address', '=', ''),
      ),
    )
  const groups = f.security_groups ?? []
  if (groups.length > 0)
    q = q.where('id', 'in', (eb) =>
      eb
        .selectFrom('port_security_group')
        .select('port_id')
        .where('security_group_id', 'in', [...groups]),
    )
  return q.orderBy('created_at').orderBy('id').execute()
}

/** Every port the caller may see, optionally narrowed (the internal API of other services). */
export async function listPorts(
  deps: Pick<NetworkDeps, 'db'>,
  caller: Caller,
  filters: { device_id?: string; network_id?: string; device_owner?: string } = {},
): Promise<PortItem[]> {
  const f: PortFilters = {}
  if (filters.device_id !== undefined) f.device_id = [filters.device_id]
  if (filters.network_id !== undefined) f.network_id = [filters.network_id]
  if (filters.device_owner !== undefined) f.device_owner = [filters.device_owner]
  return portItems(deps, await selectPorts(deps, caller, f))
}
