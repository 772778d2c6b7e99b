/**
 * @module A router's extra routes (Neutron's extraroute and extraroute-atomic): each nexthop
 * must sit on a subnet the router is connected to and must not be one of the router's own
 * addresses; the whole set is replaced at once.
 */
import type { Kysely } from 'kysely'
import type { NetworkTables } from '../db/tables.js'
import type { NetworkDeps } from './deps.js'
import { contains, formatCidr, normalizeIp, parseCidr, parseIp } from './ip.js'
import { lockRouter, routerPorts, subnetsById } from './l3-db.js'
import { l3Errors } from './l3-errors.js'

export interface Route {
  destination: string
  nexthop: string
}

/** Neutron's max_routes default. */
export const MAX_ROUTES = 30

export async function routesOf(
  db: Kysely<NetworkTables>,
  routerIds: readonly string[],
): Promise<Map<string, Route[]>> {
  const out = new Map<string, Route[]>()
  if (routerIds.length === 0) return out
  const rows = await db
    .selectFrom('router_route')
    .selectAll()
    .$if(routerIds.length <= 500, (q) => q.where('router_id', 'in', routerIds))
    .orderBy('destination')
    .orderBy('nexthop')
    .execute()
  for (const r of rows)
    out.set(r.router_id, [
      ...(out.get(r.router_id) ?? []),
      { destination: r.destination, nexthop: r.nexthop },
    ])
  return out
}

/** The CIDRs a router reaches directly and its own addresses (gateway and interfaces). */
export async function connectedCidrs(
  db: Kysely<NetworkTables>,
  routerId: string,
  opts: { excludePortId?: string | null } = {},
): Promise<{ cidrs: string[]; ips: string[] }> {
  const ports = (await routerPorts(db, routerId)).filter((p) => p.portId !== opts.excludePortId)
  const ips = ports.flatMap((p) => p.fixedIps)
  const subnets = await subnetsById(
    db,
    ips.map((ip) => ip.subnet_id),
  )
  const cidrOf = new Map(subnets.map((s) => [s.id, s.cidr]))
  return {
    cidrs: ips.map((ip) => cidrOf.get(ip.subnet_id)).filter((c): c is string => c !== undefined),
    ips: ips.map((ip) => ip.ip_address),
  }
}

/**
 * Refuses routes a router cannot use (InvalidRoutes, RoutesExhausted). `connected` defaults
 * to what the router is attached to now.
 */
export async function validateRoutes(
  deps: Pick<NetworkDeps, 'db'>,
  routerId: string,
  routes: readonly Route[],
  connected?: { cidrs: string[]; ips: string[] },
): Promise<void> {
  if (routes.length > MAX_ROUTES) throw l3Errors.routesExhausted(routerId, MAX_ROUTES)
  if (routes.length === 0) return
  const { cidrs, ips } =
    connected && (connected.cidrs.length > 0 || connected.ips.length > 0)
      ? connected
      : await connectedCidrs(deps.db, routerId)
  const nets = cidrs.map((c) => parseCidr(c)).filter((c) => c !== undefined)
  const own = new Set(ips.map((ip) => normalizeIp(ip)))
  for (const route of routes) {
    const hop = parseIp(route.nexthop)
    if (!hop || !nets.some((n) => contains(n, hop)))
      throw l3Errors.invalidRoutes(routes, 'the nexthop is not connected with router')
    if (own.has(normalizeIp(route.nexthop)))
      throw l3Errors.invalidRoutes(routes, 'the nexthop is used by router')
  }
}

/** Canonical text of a route, as Neutron stores it. */
export function normalizeRoute(route: Route): Route {
  const dest = parseCidr(route.destination)
  return {
    destination: dest ? formatCidr(dest) : route.destination,
    nexthop: normalizeIp(route.nexthop) ?? route.nexthop,
  }
}

function uniqueRoutes(routes: readonly Route[]): Route[] {
  const seen = new Map<string, Route>()
  for (const r of routes.map(normalizeRoute)) seen.set(`${r.destination} ${r.nexthop}`, r)
  return [...seen.values()]
}

/** Replaces the router's routes after validating them (bumps the router's revision). */
export async function setRoutes(
  deps: Pick<NetworkDeps, 'db' | 'clock'>,
  routerId: string,
  routes: readonly Route[],
): Promise<void> {
  const wanted = uniqueRoutes(routes)
  await validateRoutes(deps, routerId, wanted)
  await deps.db.transaction().execute(async (trx) => {
    await lockRouter(trx, deps, routerId)
    await trx.deleteFrom('router_route').where('router_id', '=', routerId).execute()
    if (wanted.length > 0)
      await trx
        .insertInto('router_route')
        .values(wanted.map((r) => ({ router_id: routerId, ...r })))
        .execute()
  })
}

/** extraroute-atomic: the current routes plus `add` (exact duplicates merged). */
export async function addExtraRoutes(
  deps: Pick<NetworkDeps, 'db' | 'clock'>,
  routerId: string,
  add: readonly Route[],
): Promise<void> {
  const current = (await routesOf(deps.db, [routerId])).get(routerId) ?? []
  await setRoutes(deps, routerId, uniqueRoutes([...current, ...add]))
}

/** extraroute-atomic: the current routes minus `remove` (missing ones are no error). */
export async function removeExtraRoutes(
  deps: Pick<NetworkDeps, 'db' | 'clock'>,
  routerId: string,
  remove: readonly Route[],
): Promise<void> {
  const current = (await routesOf(deps.db, [routerId])).get(routerId) ?? []
  const gone = new Set(uniqueRoutes(remove).map((r) => `${r.destination} ${r.nexthop}`))
  await setRoutes(
    deps,
    routerId,
    current.filter((r) => !gone.has(`${r.destination} ${r.nexthop}`)),
  )
}

/** Whether any route of the router goes through the CIDR (its interface there is needed). */
export async function routesUseCidr(
  db: Kysely<NetworkTables>,
  routerId: string,
  cidr: string,
): Promise<boolean> {
  const net = parseCidr(cidr)
  if (!net) return false
  const routes = (await routesOf(db, [routerId])).get(routerId) ?? []
  return routes.some((r) => {
    const hop = parseIp(r.nexthop)
    return hop !== undefined && contains(net, hop)
  })
}
