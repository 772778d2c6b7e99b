/**
 * @module Neutron's auto-allocated topology: on a project's first ask, a network
 * (`auto_allocated_network`, down until complete), a subnet from each default subnet pool and
 * a router (`auto_allocated_router`) with its gateway on the default external network and an
 * interface on each subnet. Askers may build at once: the insert of the project's topology row
 * (its primary key) decides which copy stays, the others take theirs down and answer the
 * winner's network. `dry-run` only checks that a build could start.
 */
import { insertIfAbsent } from '../../lib/db/errors.js'
import { isAppError } from '../../lib/errors/app-error.js'
import { networkErrors, neutronError } from '../errors.js'
import { defaultExternalNetwork } from './default-external-network.js'
import type { Caller, NetworkDeps } from './deps.js'
import { createNetwork, deleteNetwork, updateNetwork } from './networks.js'
import { addRouterInterface, removeRouterInterface } from './router-interfaces.js'
import { createRouter, deleteRouter } from './routers.js'
import { createSubnet } from './subnets.js'
import { defaultSubnetpool } from './subnetpools.js'

const DRY_RUN = 'dry-run'

export type TopologyItem = Record<string, unknown>

const failure = (reason: string) =>
  neutronError('Conflict', 'AutoAllocationFailure', `Deployment error: ${reason}.`)

const status = (err: unknown) => (isAppError(err) ? err.status : undefined)

/** Neutron's _validate: `None` means the caller's project; others' only for admins. */
function projectOf(caller: Caller, requested: string): string {
  const project = requested === 'None' ? (caller.projectId ?? '') : requested
  if (!caller.isAdmin && project !== caller.projectId)
    throw neutronError('Forbidden', 'NotAuthorized', 'Not authorized.')
  return project
}

async function externalNetworkId(deps: NetworkDeps): Promise<string> {
  const net = await defaultExternalNetwork(deps.db)
  if (!net) throw failure('No default router:external network')
  return net.id
}

/** The default pools (IPv4, IPv6) the caller sees; none is a 404 inside Neutron. */
async function defaultPools(deps: NetworkDeps, caller: Caller) {
  const pools = []
  for (const version of [4, 6]) {
    const pool = await defaultSubnetpool(deps, caller, version)
    if (pool) pools.push(pool)
  }
  if (pools.length === 0) throw networkErrors.notFound('subnetpool', 'default')
  return pools
}

async function topologyRow(deps: NetworkDeps, projectId: string) {
  return deps.db
    .selectFrom('auto_allocated_topology')
    .selectAll()
    .where('project_id', '=', projectId)
    .executeTakeFirst()
}

/** GET /auto-allocated-topology/{project}: the project's network, built on first ask. */
export async function getAutoAllocatedTopology(
  deps: NetworkDeps,
  caller: Caller,
  requested: string,
  fields: readonly string[],
): Promise<TopologyItem> {
  const projectId = projectOf(caller, requested)
  if (fields.includes(DRY_RUN)) {
    await externalNetworkId(deps)
    await defaultPools(deps, caller).catch((err: unknown) => {
      throw status(err) === 404 ? failure('No default subnetpools defined') : err
    })
    return { id: 'dry-run=pass', tenant_id: projectId }
  }
  if (fields.length > 0)
    throw neutronError('BadRequest', 'BadRequest', 'Bad auto_allocate request: Unrecognized field.')
  const existing = await topologyRow(deps, projectId)
  const networkId = existing
    ? existing.network_id
    : await buildTopology(deps, caller, projectId, await externalNetworkId(deps))
  return { id: networkId, tenant_id: projectId, project_id: projectId }
}

/** DELETE /auto-allocated-topology/{project}: interfaces, router, then network go. */
export async function deleteAutoAllocatedTopology(
  deps: NetworkDeps,
  caller: Caller,
  requested: string,
): Promise<void> {
  const projectId = projectOf(caller, requested)
  const row = await topologyRow(deps, projectId)
  if (!row) return
  const subnets = await deps.db
    .selectFrom('subnet')
    .select('id')
    .where('network_id', '=', row.network_id)
    .execute()
  await cleanup(deps, caller, {
    networkId: row.network_id,
    routerId: row.router_id,
    subnetIds: subnets.map((s) => s.id),
  })
}

interface Built {
  networkId?: string | undefined
  routerId?: string | null | undefined
  subnetIds: string[]
}

/** Takes a (partial) topology down; what is already gone is no error (another cleanup ran). */
async function cleanup(deps: NetworkDeps, caller: Caller, built: Built): Promise<void> {
  const gone = (err: unknown) => {
    if (status(err) !== 404) throw err
  }
  if (built.routerId) {
    for (const subnetId of built.subnetIds)
      await removeRouterInterface(deps, caller, built.routerId, {
        subnetId,
        portId: undefined,
      }).catch(gone)
    await deleteRouter(deps, caller, built.routerId).catch(gone)
  }
  if (built.networkId) await deleteNetwork(deps, caller, built.networkId).catch(gone)
}

/** Neutron's _build_topology: provisions, then saves or yields to a concurrent build. */
async function buildTopology(
  deps: NetworkDeps,
  caller: Caller,
  projectId: string,
  externalId: string,
): Promise<string> {
  const built: Built = { subnetIds: [] }
  try {
    await provisionNetwork(deps, caller, projectId, built)
    await provisionRouter(deps, caller, projectId, externalId, built)
  } catch (err) {
    await cleanup(deps, caller, built)
    throw err
  }
  const networkId = built.networkId ?? ''
  const saved = await insertIfAbsent(
    deps.db.insertInto('auto_allocated_topology').values({
      project_id: projectId,
      network_id: networkId,
      router_id: built.routerId ?? null,
    }),
    deps.dialect,
  )
  if (!saved) {
    await cleanup(deps, caller, built)
    const winner = await topologyRow(deps, projectId)
    if (!winner) throw failure('Unable to provide tenant private network')
    return winner.network_id
  }
  await updateNetwork(deps, caller, networkId, { admin_state_up: true })
  return networkId
}

/** The private network and its subnets; bad input or no pool is Neutron's AutoAllocationFailure. */
async function provisionNetwork(
  deps: NetworkDeps,
  caller: Caller,
  projectId: string,
  built: Built,
): Promise<void> {
  const network = await createNetwork(deps, caller, {
    project_id: projectId,
    name: 'auto_allocated_network',
    admin_state_up: false,
  })
  built.networkId = String(network.id)
  try {
    for (const pool of await defaultPools(deps, caller)) {
      const subnet = await createSubnet(deps, caller, {
        project_id: projectId,
        name: `auto_allocated_subnet_v${pool.ip_version}`,
        network_id: built.networkId,
        ip_version: pool.ip_version,
        subnetpool_id: pool.id,
        enable_dhcp: true,
      })
      built.subnetIds.push(String(subnet.id))
    }
  } catch (err) {
    const type = isAppError(err) ? err.details.type : undefined
    if (status(err) === 400 || status(err) === 404 || type === 'SubnetAllocationError') {
      await cleanup(deps, caller, { networkId: built.networkId, subnetIds: [] })
      built.networkId = undefined
      built.subnetIds = []
      throw failure('Unable to provide tenant private network')
    }
    throw err
  }
}

/** The router, its gateway and interfaces; a bad request is Neutron's AutoAllocationFailure. */
async function provisionRouter(
  deps: NetworkDeps,
  caller: Caller,
  projectId: string,
  externalId: string,
  built: Built,
): Promise<void> {
  const attached: string[] = []
  try {
    const router = await createRouter(deps, caller, {
      project_id: projectId,
      name: 'auto_allocated_router',
      admin_state_up: true,
      external_gateway_info: { network_id: externalId },
    })
    built.routerId = String(router.id)
    for (const subnetId of built.subnetIds) {
      await addRouterInterface(deps, caller, built.routerId, { subnetId, portId: undefined })
      attached.push(subnetId)
    }
  } catch (err) {
    if (status(err) !== 400) throw err
    await cleanup(deps, caller, { ...built, subnetIds: attached })
    built.networkId = undefined
    built.routerId = undefined
    throw failure('Unable to provide external connectivity')
  }
}
