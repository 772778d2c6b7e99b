/**
 * @module A router's external gateway (Neutron's external_gateway_info with ext-gw-mode): a
 * port on an external network owned by no project, SNAT on by default. Changing networks
 * makes the new port before the old one goes, so a refusal leaves the old gateway in place.
 */
import type { Kysely } from 'kysely'
import type { NetworkTables, RouterRow, SubnetRow } from '../db/tables.js'
import { networkErrors } from '../errors.js'
import { type Caller, type NetworkDeps, neutronTime } from './deps.js'
import { connectedCidrs, routesOf, validateRoutes } from './extra-routes.js'
import {
  DEVICE_OWNER_ROUTER_GW,
  elevated,
  type FixedIp,
  fixedIpsOf,
  subnetsOfNetwork,
} from './l3-db.js'
import { badRequestFor, l3Errors } from './l3-errors.js'
import { findNetwork } from './networks.js'
import { createPort, deletePort, updatePort } from './ports.js'
import { checkDuplicateSubnets } from './router-subnets.js'

export interface GatewayRequest {
  network_id: string
  enable_snat?: boolean
  external_fixed_ips?: Partial<FixedIp>[]
}

/** Neutron's enable_snat_by_default. */
const ENABLE_SNAT_BY_DEFAULT = true

/** Only admins choose SNAT or the gateway's addresses (Neutron's default policy). */
export function checkGatewayPolicy(
  caller: Caller,
  action: 'create_router' | 'update_router',
  info: GatewayRequest | null,
): void {
  if (!info || caller.isAdmin) return
  if (info.enable_snat !== undefined)
    throw networkErrors.policy(`${action}:external_gateway_info:enable_snat`)
  if (info.external_fixed_ips !== undefined)
    throw networkErrors.policy(`${action}:external_gateway_info:external_fixed_ips`)
}

interface GatewayPort {
  id: string
  networkId: string
  fixedIps: FixedIp[]
}

async function gatewayPort(
  db: Kysely<NetworkTables>,
  id: string | null,
): Promise<GatewayPort | undefined> {
  if (id === null) return undefined
  const row = await db
    .selectFrom('port')
    .select(['id', 'network_id'])
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) return undefined
  return { id, networkId: row.network_id, fixedIps: (await fixedIpsOf(db, [id])).get(id) ?? [] }
}

/** Whether requested addresses differ from the gateway's (none requested: no change). */
function externalIpsChanged(gw: GatewayPort | undefined, wanted: Partial<FixedIp>[]): boolean {
  if (wanted.length === 0) return false
  if (!gw) return true
  const same = (a: Set<string>, b: Set<string>) =>
    a.size === b.size && [...a].every((x) => b.has(x))
  const subnets = new Set(wanted.flatMap((f) => (f.subnet_id ? [f.subnet_id] : [])))
  if (!same(subnets, new Set(gw.fixedIps.map((f) => f.subnet_id)))) return true
  const ips = new Set(wanted.flatMap((f) => (f.ip_address ? [f.ip_address] : [])))
  return !same(ips, new Set(gw.fixedIps.map((f) => f.ip_address)))
}

/** The external network to use (null: none), after Neutron's checks of the request. */
async function validateGatewayInfo(
  deps: NetworkDeps,
  caller: Caller,
  router: RouterRow,
  info: GatewayRequest | null,
): Promise<string | null> {
  let gwSubnets: SubnetRow[] = []
  if (info) {
    const net = await findNetwork(deps, caller, info.network_id)
    if (net.external !== 1)
      throw badRequestFor('router', `Network ${net.id} is not an external network`)
    gwSubnets = await subnetsOfNetwork(deps.db, net.id)
    for (const ip of info.external_fixed_ips ?? [])
      if (gwSubnets.some((s) => s.gateway_ip !== null && s.gateway_ip === ip.ip_address))
        throw badRequestFor('router', `External IP ${ip.ip_address} is the same as the gateway IP`)
  }
  const routes = (await routesOf(deps.db, [router.id])).get(router.id) ?? []
  if (routes.length > 0) {
    // The routes must stay reachable through the interfaces and the new gateway network.
    const connected = await connectedCidrs(deps.db, router.id, { excludePortId: router.gw_port_id })
    connected.cidrs.push(...gwSubnets.map((s) => s.cidr))
    await validateRoutes(deps, router.id, routes, connected)
  }
  return info ? info.network_id : null
}

/**
 * Points the router's gateway at `to` (and sets SNAT) if it still is `from`: two concurrent
 * gateway changes cannot both win.
 */
async function swapGateway(
  deps: NetworkDeps,
  routerId: string,
  change: { from: string | null; to: string | null; enableSnat: boolean },
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const { from, to } = change
    const updated = await trx
      .updateTable('router')
      .set((eb) => ({
        gw_port_id: to,
        enable_snat: change.enableSnat ? 1 : 0,
        revision_number: eb('revision_number', '+', 1),
        updated_at: neutronTime(deps.clock),
      }))
      .where('id', '=', routerId)
      .where((eb) => (from === null ? eb('gw_port_id', 'is', null) : eb('gw_port_id', '=', from)))
      .executeTakeFirst()
    if (updated.numUpdatedRows === 0n) {
      const exists = await trx
        .selectFrom('router')
        .select('id')
        .where('id', '=', routerId)
        .executeTakeFirst()
      if (!exists) throw l3Errors.routerNotFound(routerId)
      throw l3Errors.routerInUse(routerId, 'had its gateway changed by another request')
    }
    if (from !== null && from !== to)
      await trx.deleteFrom('router_port').where('port_id', '=', from).execute()
    if (to !== null && from !== to)
      await trx
        .insertInto('router_port')
        .values({ router_id: routerId, port_id: to, port_type: DEVICE_OWNER_ROUTER_GW })
        .execute()
  })
}

/**
 * Sets, changes or (info null) removes the router's gateway. Refuses to move away from a
 * network whose floating IPs use the router (RouterExternalGatewayInUseByFloatingIp).
 */
export async function updateGateway(
  deps: NetworkDeps,
  caller: Caller,
  router: RouterRow,
  info: GatewayRequest | null,
): Promise<void> {
  const admin = elevated(caller)
  const gw = await gatewayPort(deps.db, router.gw_port_id)
  const wantedIps = info?.external_fixed_ips ?? []
  const networkId = await validateGatewayInfo(deps, caller, router, info)
  const enableSnat = info?.enable_snat ?? ENABLE_SNAT_BY_DEFAULT
  const current = gw?.id ?? null
  if (gw && gw.networkId === networkId) {
    if (externalIpsChanged(gw, wantedIps))
      await updatePort(deps, admin, gw.id, { fixed_ips: wantedIps })
    await swapGateway(deps, router.id, { from: current, to: current, enableSnat })
    return
  }
  if (gw) {
    const fip = await deps.db
      .selectFrom('floating_ip')
      .select('id')
      .where('router_id', '=', router.id)
      .executeTakeFirst()
    if (fip) throw l3Errors.gatewayInUseByFloatingIp(router.id, gw.networkId)
  }
  let made: string | null = null
  if (networkId !== null) {
    const subnets = await subnetsOfNetwork(deps.db, networkId)
    await checkDuplicateSubnets(deps.db, router.id, subnets, { excludePortId: current })
    const port = await createPort(deps, admin, {
      project_id: '',
      network_id: networkId,
      name: '',
      description: '',
      admin_state_up: true,
      device_id: router.id,
      device_owner: DEVICE_OWNER_ROUTER_GW,
      ...(wantedIps.length > 0 ? { fixed_ips: wantedIps } : {}),
    })
    made = String(port.id)
  }
  try {
    await swapGateway(deps, router.id, { from: current, to: made, enableSnat })
  } catch (err) {
    if (made !== null) await deletePort(deps, admin, made, { internal: true })
    throw err
  }
  if (gw) await deletePort(deps, admin, gw.id, { internal: true })
}
