/**
 * @module add_router_interface / remove_router_interface: a router joins a subnet through a
 * port holding the subnet's gateway address (made here, or a free port the caller brings),
 * and leaves it only when no floating IP or extra route still needs that subnet.
 */
import type { RouterRow, SubnetRow } from '../db/tables.js'
import { routerUpdated } from './agent-notify.js'
import { scheduleRouter } from './agent-scheduler.js'
import type { Caller, NetworkDeps } from './deps.js'
import { routesUseCidr } from './extra-routes.js'
import { contains, parseCidr, parseIp } from './ip.js'
import {
  DEVICE_OWNER_ROUTER_INTF,
  elevated,
  type FixedIp,
  findRouter,
  findSubnet,
  lockRouter,
  routerPorts,
  subnetsById,
} from './l3-db.js'
import { badRequestFor, l3Errors } from './l3-errors.js'
import { createPort, deletePort, showPort, updatePort } from './ports.js'
import { checkAddressMode, checkDuplicateSubnets } from './router-subnets.js'
import { checkPortAttachable } from './router-interface-port.js'

export interface InterfaceInfo {
  id: string
  tenant_id: string
  project_id: string
  port_id: string
  network_id: string
  subnet_id: string
  subnet_ids: string[]
}

/** What the caller names: a port, or a subnet (removal may give both). */
export interface InterfaceRequest {
  portId: string | undefined
  subnetId: string | undefined
}

function interfaceInfo(
  router: RouterRow,
  port: Record<string, unknown>,
  subnetIds: string[],
  pick: 'first' | 'last',
): InterfaceInfo {
  const project = typeof port.project_id === 'string' ? port.project_id : router.project_id
  return {
    id: router.id,
    tenant_id: project,
    project_id: project,
    port_id: String(port.id),
    network_id: String(port.network_id),
    subnet_id: (pick === 'first' ? subnetIds[0] : subnetIds[subnetIds.length - 1]) ?? '',
    subnet_ids: subnetIds,
  }
}

/** Records the port as the router's interface; a router deleted meanwhile undoes nothing here. */
async function recordInterface(deps: NetworkDeps, routerId: string, portId: string) {
  await deps.db.transaction().execute(async (trx) => {
    await lockRouter(trx, deps, routerId)
    await trx
      .insertInto('router_port')
      .values({ router_id: routerId, port_id: portId, port_type: DEVICE_OWNER_ROUTER_INTF })
      .execute()
  })
}

async function addBySubnet(
  deps: NetworkDeps,
  caller: Caller,
  router: RouterRow,
  subnetId: string,
): Promise<InterfaceInfo> {
  const subnet = await findSubnet(deps, caller, subnetId)
  if (!subnet.gateway_ip)
    throw badRequestFor('router', 'Subnet for router interface must have a gateway IP')
  if (!caller.isAdmin && subnet.project_id !== caller.projectId)
    throw badRequestFor(
      'router',
      `Cannot add interface to router because subnet ${subnet.id} is not owned by project making the request`,
    )
  checkAddressMode(subnet)
  await checkDuplicateSubnets(deps.db, router.id, [subnet])
  const fixedIp: FixedIp = { subnet_id: subnet.id, ip_address: subnet.gateway_ip }
  const admin = elevated(caller)
  if (subnet.ip_version === 6) {
    // Another IPv6 prefix of a network the router is on joins that interface port.
    const ports = (await routerPorts(deps.db, router.id)).filter(
      (p) =>
        p.portType === DEVICE_OWNER_ROUTER_INTF &&
        p.networkId === subnet.network_id &&
        p.fixedIps.some((ip) => parseIp(ip.ip_address)?.version === 6),
    )
    const existing = ports[0]
    if (existing) {
      const port = await updatePort(deps, admin, existing.portId, {
        fixed_ips: [...existing.fixedIps, fixedIp],
      })
      await deps.db.transaction().execute((trx) => lockRouter(trx, deps, router.id))
      return interfaceInfo(router, port, [subnet.id], 'last')
    }
  }
  const port = await createPort(deps, admin, {
    project_id: router.project_id,
    network_id: subnet.network_id,
    name: '',
    description: '',
    admin_state_up: true,
    fixed_ips: [fixedIp],
    device_id: router.id,
    device_owner: DEVICE_OWNER_ROUTER_INTF,
  })
  const portId = String(port.id)
  try {
    await recordInterface(deps, router.id, portId)
  } catch (err) {
    await deletePort(deps, admin, portId, { internal: true })
    throw err
  }
  return interfaceInfo(router, port, [subnet.id], 'last')
}

async function addByPort(
  deps: NetworkDeps,
  caller: Caller,
  router: RouterRow,
  portId: string,
): Promise<InterfaceInfo> {
  const port = await showPort(deps, caller, portId)
  const subnets = await checkPortAttachable(deps, caller, router, port)
  const admin = elevated(caller)
  const before = { device_id: '', device_owner: String(port.device_owner) }
  const updated = await updatePort(deps, admin, portId, {
    device_id: router.id,
    device_owner: DEVICE_OWNER_ROUTER_INTF,
  })
  try {
    await recordInterface(deps, router.id, portId)
  } catch (err) {
    await updatePort(deps, admin, portId, before)
    throw err
  }
  return interfaceInfo(
    router,
    updated,
    subnets.map((s) => s.id),
    'last',
  )
}

/** Attaches a subnet (new port on its gateway IP) or a free port to the router. */
export async function addRouterInterface(
  deps: NetworkDeps,
  caller: Caller,
  routerId: string,
  req: InterfaceRequest,
): Promise<InterfaceInfo> {
  const router = await findRouter(deps, caller, routerId)
  const info = req.portId
    ? await addByPort(deps, caller, router, req.portId)
    : await addBySubnet(deps, caller, router, String(req.subnetId))
  deps.notifier.notify('router.interface.create', { router_interface: info })
  await scheduleRouter(deps, router.id)
  await routerUpdated(deps, [router.id])
  return info
}

/** Refuses to detach a subnet that floating IPs or extra routes of the router still use. */
async function checkInterfaceUnused(
  deps: NetworkDeps,
  routerId: string,
  subnet: SubnetRow,
): Promise<void> {
  const cidr = parseCidr(subnet.cidr)
  const onSubnet = await deps.db
    .selectFrom('ip_allocation')
    .select('port_id')
    .where('subnet_id', '=', subnet.id)
    .execute()
  const portIds = new Set(onSubnet.map((r) => r.port_id))
  const fips = await deps.db
    .selectFrom('floating_ip')
    .select(['fixed_port_id', 'fixed_ip_address'])
    .where('router_id', '=', routerId)
    .execute()
  for (const fip of fips) {
    const ip = parseIp(fip.fixed_ip_address)
    if (cidr && ip && contains(cidr, ip) && portIds.has(fip.fixed_port_id ?? ''))
      throw l3Errors.routerInterfaceInUseByFloatingIp(routerId, subnet.id)
  }
  if (await routesUseCidr(deps.db, routerId, subnet.cidr))
    throw l3Errors.routerInterfaceInUseByRoute(routerId, subnet.id)
}

/** Forgets an interface port after it is gone (bumps the router's revision). */
async function forgetInterface(deps: NetworkDeps, routerId: string, portId: string) {
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('router_port').where('port_id', '=', portId).execute()
    await lockRouter(trx, deps, routerId).catch(() => undefined)
  })
}

async function removeByPort(
  deps: NetworkDeps,
  caller: Caller,
  router: RouterRow,
  req: InterfaceRequest & { portId: string },
): Promise<InterfaceInfo> {
  const port = (await routerPorts(deps.db, router.id)).find(
    (p) => p.portId === req.portId && p.portType === DEVICE_OWNER_ROUTER_INTF,
  )
  if (!port) throw l3Errors.routerInterfaceNotFound(router.id, req.portId)
  const subnetIds = [...new Set(port.fixedIps.map((ip) => ip.subnet_id))]
  if (req.subnetId !== undefined && !subnetIds.includes(req.subnetId))
    throw l3Errors.subnetMismatchForPort(req.portId, req.subnetId)
  const subnets = await subnetsById(deps.db, subnetIds)
  for (const s of subnets) await checkInterfaceUnused(deps, router.id, s)
  const wire = await showPort(deps, elevated(caller), port.portId)
  await deletePort(deps, elevated(caller), port.portId, { internal: true })
  await forgetInterface(deps, router.id, port.portId)
  return interfaceInfo(router, wire, subnetIds, 'first')
}

async function removeBySubnet(
  deps: NetworkDeps,
  caller: Caller,
  router: RouterRow,
  subnetId: string,
): Promise<InterfaceInfo> {
  const subnet = await findSubnet(deps, caller, subnetId)
  const ports = (await routerPorts(deps.db, router.id)).filter(
    (p) => p.portType === DEVICE_OWNER_ROUTER_INTF && p.networkId === subnet.network_id,
  )
  if (ports.length > 0) await checkInterfaceUnused(deps, router.id, subnet)
  const admin = elevated(caller)
  for (const p of ports) {
    const subnetIds = new Set(p.fixedIps.map((ip) => ip.subnet_id))
    if (!subnetIds.has(subnet.id)) continue
    const wire = await showPort(deps, admin, p.portId)
    if (subnetIds.size > 1) {
      // A port serving several IPv6 prefixes only loses this one.
      await updatePort(deps, admin, p.portId, {
        fixed_ips: p.fixedIps.filter((ip) => ip.subnet_id !== subnet.id),
      })
      await deps.db.transaction().execute((trx) => lockRouter(trx, deps, router.id))
    } else {
      await deletePort(deps, admin, p.portId, { internal: true })
      await forgetInterface(deps, router.id, p.portId)
    }
    return interfaceInfo(router, wire, [subnet.id], 'first')
  }
  throw l3Errors.routerInterfaceNotFoundForSubnet(router.id, subnet.id)
}

/** Detaches by port (the port is deleted) or by subnet. */
export async function removeRouterInterface(
  deps: NetworkDeps,
  caller: Caller,
  routerId: string,
  req: InterfaceRequest,
): Promise<InterfaceInfo> {
  const router = await findRouter(deps, caller, routerId)
  const info = req.portId
    ? await removeByPort(deps, caller, router, { ...req, portId: req.portId })
    : await removeBySubnet(deps, caller, router, String(req.subnetId))
  deps.notifier.notify('router.interface.delete', { router_interface: info })
  await routerUpdated(deps, [router.id])
  return info
}
