/** @module Subnets as Neutron shows them, built for many rows in a few queries. */
import type { SubnetRow } from '../db/tables.js'
import type { NetworkDeps } from './deps.js'
import { parseIp } from './ip.js'
import { tagsOf } from './tags.js'

/** Ids per IN list: far below every dialect's bound-parameter limit. */
export const CHUNK = 1000

/** Rows of `table` whose `column` is one of `ids`, a chunk at a time. */
export async function rowsFor<T>(
  ids: readonly string[],
  query: (chunk: string[]) => Promise<T[]>,
): Promise<T[]> {
  const chunks: string[][] = []
  for (let i = 0; i < ids.length; i += CHUNK) chunks.push(ids.slice(i, i + CHUNK))
  return (await Promise.all(chunks.map(query))).flat()
}

function group<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const r of rows) {
    const k = key(r)
    const list = out.get(k)
    if (list) list.push(r)
    else out.set(k, [r])
  }
  return out
}

const numeric = (a: string, b: string) => {
  const x = parseIp(a)?.value ?? 0n
  const y = parseIp(b)?.value ?? 0n
  return x < y ? -1 : x > y ? 1 : 0
}

export async function subnetItems(
  deps: Pick<NetworkDeps, 'db'>,
  rows: SubnetRow[],
): Promise<Record<string, unknown>[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const db = deps.db
  const [pools, dns, routes, tags] = await Promise.all([
    rowsFor(ids, (c) =>
      db.selectFrom('subnet_allocation_pool').selectAll().where('subnet_id', 'in', c).execute(),
    ),
    rowsFor(ids, (c) =>
      db
        .selectFrom('subnet_dns_nameserver')
        .selectAll()
        .where('subnet_id', 'in', c)
        .orderBy('position')
        .execute(),
    ),
    rowsFor(ids, (c) =>
      db
        .selectFrom('subnet_host_route')
        .selectAll()
        .where('subnet_id', 'in', c)
        .orderBy('destination')
        .orderBy('nexthop')
        .execute(),
    ),
    tagsOf(db, 'subnets', ids),
  ])
  const poolsOf = group(pools, (p) => p.subnet_id)
  const dnsOf = group(dns, (d) => d.subnet_id)
  const routesOf = group(routes, (r) => r.subnet_id)
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    project_id: r.project_id,
    network_id: r.network_id,
    ip_version: r.ip_version,
    subnetpool_id: r.subnetpool_id,
    enable_dhcp: r.enable_dhcp === 1,
    ipv6_ra_mode: r.ipv6_ra_mode,
    ipv6_address_mode: r.ipv6_address_mode,
    gateway_ip: r.gateway_ip,
    cidr: r.cidr,
    allocation_pools: (poolsOf.get(r.id) ?? [])
      .sort((a, b) => numeric(a.first_ip, b.first_ip))
      .map((p) => ({ start: p.first_ip, end: p.last_ip })),
    host_routes: (routesOf.get(r.id) ?? []).map((h) => ({
      destination: h.destination,
      nexthop: h.nexthop,
    })),
    dns_nameservers: (dnsOf.get(r.id) ?? []).map((d) => d.address),
    segment_id: r.segment_id,
    service_types: [],
    description: r.description,
    tags: tags.get(r.id) ?? [],
    created_at: r.created_at,
    updated_at: r.updated_at,
    revision_number: r.revision_number,
  }))
}
