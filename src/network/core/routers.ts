/**
 * @module Routers (Neutron's router with ext-gw-mode, extraroute and router_availability_zone):
 * seen by their project and admins, counted by the 'router' quota, deleted only once no
 * interface is left (the gateway port goes with them).
 */
import { scheduleRouter } from './agent-scheduler.js'
import type { RouterRow } from '../db/tables.js'
import { routerDeleted, routerUpdated } from './agent-notify.js'
import { type Caller, type NetworkDeps, neutronTime } from './deps.js'
import { type Route, routesOf, setRoutes } from './extra-routes.js'
import { DEVICE_OWNER_ROUTER_INTF, elevated, findRouter, fixedIpsOf, lockRouter } from './l3-db.js'
import { l3Errors } from './l3-errors.js'
import { bumpRevision } from './networks.js'
import { deletePort } from './ports.js'
import { withQuota } from './quotas.js'
import { checkGatewayPolicy, type GatewayRequest, updateGateway } from './router-gateway.js'
import { deleteTags, tagsOf } from './tags.js'
import { uuid } from '../../lib/ids/ids.js'

export type RouterItem = Record<string, unknown>

const bool = (v: number) => v === 1

export async function routerItems(
  deps: Pick<NetworkDeps, 'db' | 'config'>,
  rows: RouterRow[],
): Promise<RouterItem[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const gwIds = rows.flatMap((r) => (r.gw_port_id ? [r.gw_port_id] : []))
  const [gwPorts, gwIps, routes, tags] = await Promise.all([
    gwIds.length === 0
      ? Promise.resolve([])
      : deps.db.selectFrom('port').select(['id', 'network_id']).where('id', 'in', gwIds).execute(),
    fixedIpsOf(deps.db, gwIds),
    routesOf(deps.db, ids),
    tagsOf(deps.db, 'routers', ids),
  ])
  const gwNetwork = new Map(gwPorts.map((p) => [p.id, p.network_id]))
  return rows.map((r) => {
    const hints = JSON.parse(r.availability_zone_hints) as string[]
    const network = r.gw_port_id ? gwNetwork.get(r.gw_port_id) : undefined
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      project_id: r.project_id,
      admin_state_up: bool(r.admin_state_up),
      status: r.status,
      external_gateway_info:
        network !== undefined && r.gw_port_id
          ? {
              network_id: network,
              enable_snat: bool(r.enable_snat),
              external_fixed_ips: gwIps.get(r.gw_port_id) ?? [],
            }
          : null,
      routes: routes.get(r.id) ?? [],
      distributed: bool(r.distributed),
      ha: bool(r.ha),
      availability_zone_hints: hints,
      availability_zones: hints.length > 0 ? hints : deps.config.defaultAvailabilityZones,
      tags: tags.get(r.id) ?? [],
      created_at: r.created_at,
      updated_at: r.updated_at,
      revision_number: r.revision_number,
    }
  })
}

export async function listRouters(
  deps: NetworkDeps,
  caller: Caller,
  opts: { ids?: readonly string[] } = {},
): Promise<RouterItem[]> {
  const rows = await deps.db
    .selectFrom('router')
    .selectAll()
    .$if(!caller.isAdmin, (q) => q.where('project_id', '=', caller.projectId ?? ''))
    .$if(opts.ids !== undefined && opts.ids.length > 0, (q) =>
      q.where('id', 'in', [...(opts.ids ?? [])]),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return routerItems(deps, rows)
}

export async function showRouter(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
): Promise<RouterItem> {
  const [item] = await routerItems(deps, [await findRouter(deps, caller, id)])
  // SAFETY: routerItems returns one item per row.
  return item as RouterItem
}

const flag = (v: unknown) => (v === true ? 1 : 0)

export async function createRouter(
  deps: NetworkDeps,
  caller: Caller,
  attrs: Record<string, unknown>,
): Promise<RouterItem> {
  const gateway = (attrs.external_gateway_info ?? null) as GatewayRequest | null
  checkGatewayPolicy(caller, 'create_router', gateway)
  const projectId = String(attrs.project_id)
  const id = uuid()
  const now = neutronTime(deps.clock)
  const row: RouterRow = {
    id,
    project_id: projectId,
    name: typeof attrs.name === 'string' ? attrs.name : '',
    description: typeof attrs.description === 'string' ? attrs.description : '',
    admin_state_up: attrs.admin_state_up === false ? 0 : 1,
    status: 'ACTIVE',
    gw_port_id: null,
    enable_snat: 1,
    distributed: flag(attrs.distributed),
    ha: flag(attrs.ha),
    availability_zone_hints: JSON.stringify(attrs.availability_zone_hints ?? []),
    created_at: now,
    updated_at: now,
    revision_number: 1,
  }
  await withQuota(deps, projectId, 'router', 1, async (trx) => {
    await trx.insertInto('router').values(row).execute()
  })
  if (gateway) {
    try {
      await updateGateway(deps, caller, row, gateway)
    } catch (err) {
      // A gateway refused at creation leaves no router behind (updateGateway removed its port).
      await deps.db.deleteFrom('router').where('id', '=', id).execute()
      throw err
    }
  }
  deps.notifier.notify('router.create.end', { router: { id, project_id: projectId } })
  if (gateway) await scheduleRouter(deps, id)
  await routerUpdated(deps, [id])
  return showRouter(deps, elevated(caller), id)
}

export async function updateRouter(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  attrs: Record<string, unknown>,
): Promise<RouterItem> {
  const router = await findRouter(deps, caller, id)
  if ('external_gateway_info' in attrs)
    checkGatewayPolicy(
      caller,
      'update_router',
      (attrs.external_gateway_info ?? null) as GatewayRequest | null,
    )
  if (Array.isArray(attrs.routes)) await setRoutes(deps, id, attrs.routes as Route[])
  if ('external_gateway_info' in attrs) {
    const gateway = (attrs.external_gateway_info ?? null) as GatewayRequest | null
    await updateGateway(deps, caller, await findRouter(deps, caller, id), gateway)
    if (gateway) await scheduleRouter(deps, id)
  }
  const set: Partial<RouterRow> = {}
  if (typeof attrs.name === 'string') set.name = attrs.name
  if (typeof attrs.description === 'string') set.description = attrs.description
  if (typeof attrs.admin_state_up === 'boolean') set.admin_state_up = flag(attrs.admin_state_up)
  if (typeof attrs.distributed === 'boolean') set.distributed = flag(attrs.distributed)
  if (typeof attrs.ha === 'boolean') set.ha = flag(attrs.ha)
  if (Object.keys(set).length > 0) await bumpRevision(deps, 'router', id, set)
  deps.notifier.notify('router.update.end', { router: { id, project_id: router.project_id } })
  await routerUpdated(deps, [id])
  return showRouter(deps, caller, id)
}

/**
 * Deletes a router without interfaces (RouterInUse otherwise) and then its gateway port. The
 * router row is locked first, so an interface added meanwhile either lands before (and the
 * delete is refused) or finds the router gone.
 */
export async function deleteRouter(deps: NetworkDeps, caller: Caller, id: string): Promise<void> {
  const router = await findRouter(deps, caller, id)
  const gwPortId = await deps.db.transaction().execute(async (trx) => {
    await lockRouter(trx, deps, id)
    const attached = await trx
      .selectFrom('router_port')
      .innerJoin('port', 'port.id', 'router_port.port_id')
      .select('router_port.port_id')
      .where('router_port.router_id', '=', id)
      .where('router_port.port_type', '=', DEVICE_OWNER_ROUTER_INTF)
      .orderBy('port.created_at')
      .execute()
    if (attached.length > 0)
      throw l3Errors.routerInUse(
        id,
        `has ports still attached: ${attached.map((p) => p.port_id).join(', ')}`,
      )
    const current = await trx
      .selectFrom('router')
      .select('gw_port_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    if (current.gw_port_id) {
      const fip = await trx
        .selectFrom('floating_ip')
        .select('floating_network_id')
        .where('router_id', '=', id)
        .executeTakeFirst()
      if (fip) throw l3Errors.gatewayInUseByFloatingIp(id, fip.floating_network_id)
    }
    await trx.deleteFrom('router_route').where('router_id', '=', id).execute()
    await trx.deleteFrom('router_port').where('router_id', '=', id).execute()
    await trx
      .deleteFrom('agent_binding')
      .where('resource_type', '=', 'router')
      .where('resource_id', '=', id)
      .execute()
    await deleteTags(trx, 'routers', id)
    // A topology outlives its router (Neutron's SET NULL), not the other way round.
    await trx
      .updateTable('auto_allocated_topology')
      .set({ router_id: null })
      .where('router_id', '=', id)
      .execute()
    await trx.deleteFrom('router').where('id', '=', id).execute()
    return current.gw_port_id
  })
  if (gwPortId) await deletePort(deps, elevated(caller), gwPortId, { internal: true })
  await routerDeleted(deps, id)
  deps.notifier.notify('router.delete.end', {
    router_id: id,
    router: { id, project_id: router.project_id },
  })
}
