/**
 * @module Security groups of servers as Nova uses them over Neutron (security_group_api.py):
 * names resolved to ids in the project, the groups of a server's ports, groups added to and
 * removed from every port of a server.
 */
import {
  networkFailure,
  type NetworkCaller,
  type NovaSecurityGroup,
} from '../../compute/network-client.js'
import type { SecurityGroupRow } from '../db/tables.js'
import type { NetworkDeps } from '../core/deps.js'
import { listPorts } from '../core/ports.js'
import { listSecurityGroups } from '../core/security-groups.js'
import { asCaller, type Json, neutronStatus, neutronUpdatePort } from './neutron.js'
import { toNovaGroup } from './security-group-proxy.js'
import { portsOfDevices } from './nw-info.js'

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i
const str = (v: unknown) => (typeof v === 'string' ? v : '')
const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** The project's groups (Nova lists with tenant_id = project). */
export async function projectGroups(
  deps: NetworkDeps,
  caller: NetworkCaller,
  projectId: string,
): Promise<Json[]> {
  const all = await listSecurityGroups(deps, asCaller(caller), projectId)
  return all.filter((g) => g.project_id === projectId)
}

/**
 * Nova's _process_security_groups at allocation: group names (or ids) of the project to ids;
 * `default` alone means Neutron's default, so no ids.
 */
export async function securityGroupIds(
  deps: NetworkDeps,
  caller: NetworkCaller,
  projectId: string,
  names: readonly string[],
): Promise<string[]> {
  if (names.length === 0 || (names.length === 1 && names[0] === 'default')) return []
  const groups = await projectGroups(deps, caller, projectId)
  return names.map((name) => {
    const byName = groups.filter((g) => g.name === name)
    if (byName.length > 1)
      throw networkFailure(
        'NoUniqueMatch',
        'Conflict',
        `Multiple security groups found matching '${name}'. Use an ID to be more specific.`,
      )
    const id = str(byName[0]?.id) || str(groups.find((g) => g.id === name)?.id)
    if (id === '')
      throw networkFailure('SecurityGroupNotFound', 'NotFound', `Security group ${name} not found.`)
    return id
  })
}

/**
 * neutronclient's find_resourceid_by_name_or_id: an id the caller sees, else one name in the
 * project. Throws with neutronclient's messages (`notFound` overrides the missing one).
 */
async function findGroupId(
  deps: NetworkDeps,
  caller: NetworkCaller,
  nameOrId: string,
  notFound?: string,
): Promise<string> {
  if (UUID_RE.test(nameOrId)) {
    const all = await listSecurityGroups(deps, asCaller(caller), undefined)
    if (all.some((g) => g.id === nameOrId)) return nameOrId
  }
  const named = (await projectGroups(deps, caller, caller.projectId)).filter(
    (g) => g.name === nameOrId,
  )
  if (named.length > 1)
    throw networkFailure(
      'NoUniqueMatch',
      'Conflict',
      `Multiple security_group matches found for name '${nameOrId}', use an ID to be more specific.`,
    )
  const [one] = named
  if (!one)
    throw networkFailure(
      'SecurityGroupNotFound',
      'NotFound',
      notFound ?? `Unable to find security_group with name or id '${nameOrId}'`,
    )
  return str(one.id)
}

/** Nova's _check_requested_secgroups at server create (`default` is always there). */
export async function validateSecurityGroups(
  deps: NetworkDeps,
  caller: NetworkCaller,
  names: readonly string[],
): Promise<void> {
  for (const name of names) if (name !== 'default') await findGroupId(deps, caller, name)
}

/**
 * device_id -> the groups (ids, one entry per port and group) of its ports the caller sees,
 * for groups the caller sees too (Nova's get_instances_security_groups_bindings).
 */
export async function serverGroupBindings(
  deps: NetworkDeps,
  caller: NetworkCaller,
  instanceIds: readonly string[],
): Promise<{ bindings: Map<string, string[]>; groups: Map<string, SecurityGroupRow> }> {
  const bindings = new Map<string, string[]>()
  const groups = new Map<string, SecurityGroupRow>()
  const ports = await portsOfDevices(deps, instanceIds)
  if (ports.length === 0) return { bindings, groups }
  const owners = new Map(
    (
      await deps.db
        .selectFrom('network')
        .select(['id', 'project_id'])
        .where('id', 'in', [...new Set(ports.map((p) => p.network_id))])
        .execute()
    ).map((n) => [n.id, n.project_id]),
  )
  const visible = ports.filter(
    (p) =>
      caller.isAdmin ||
      p.project_id === caller.projectId ||
      owners.get(p.network_id) === caller.projectId,
  )
  if (visible.length === 0) return { bindings, groups }
  const links = await deps.db
    .selectFrom('port_security_group')
    .selectAll()
    .where(
      'port_id',
      'in',
      visible.map((p) => p.id),
    )
    .execute()
  const groupIds = [...new Set(links.map((l) => l.security_group_id))]
  if (groupIds.length > 0)
    for (const g of await deps.db
      .selectFrom('security_group')
      .selectAll()
      .where('id', 'in', groupIds)
      .execute())
      if (caller.isAdmin || g.project_id === caller.projectId) groups.set(g.id, g)
  for (const port of visible)
    for (const link of links)
      if (link.port_id === port.id && groups.has(link.security_group_id))
        bindings.set(port.device_id, [
          ...(bindings.get(port.device_id) ?? []),
          link.security_group_id,
        ])
  return { bindings, groups }
}

/** The groups of one server's ports, detailed (Nova's get_instance_security_groups). */
export async function serverGroups(
  deps: NetworkDeps,
  caller: NetworkCaller,
  instanceId: string,
): Promise<NovaSecurityGroup[]> {
  const { bindings } = await serverGroupBindings(deps, caller, [instanceId])
  const ids = bindings.get(instanceId) ?? []
  if (ids.length === 0) return []
  const all = new Map(
    (await listSecurityGroups(deps, asCaller(caller), undefined)).map((g) => [str(g.id), g]),
  )
  return ids.flatMap((id) => {
    const g = all.get(id)
    return g ? [toNovaGroup(g)] : []
  })
}

function hasGroupRequirements(port: Json): boolean {
  const fixed = Array.isArray(port.fixed_ips) && port.fixed_ips.length > 0
  return fixed && port.port_security_enabled !== false
}

async function serverPorts(
  deps: NetworkDeps,
  caller: NetworkCaller,
  instanceId: string,
): Promise<Json[]> {
  const ports = await listPorts(deps, asCaller(caller), { device_id: instanceId })
  if (ports.length === 0)
    throw networkFailure(
      'SecurityGroupNotFound',
      'NotFound',
      `instance_id ${instanceId} could not be found as device id on any ports`,
    )
  return ports
}

const groupsOf = (port: Json) => (port.security_groups as string[] | undefined) ?? []

/** Nova's add_to_instance: the group goes on every port of the server. */
export async function addToInstance(
  deps: NetworkDeps,
  caller: NetworkCaller,
  instanceId: string,
  name: string,
): Promise<void> {
  const id = await findGroupId(
    deps,
    caller,
    name,
    `Security group ${name} is not found for project ${caller.projectId}`,
  )
  for (const port of await serverPorts(deps, caller, instanceId)) {
    if (!hasGroupRequirements(port))
      throw networkFailure(
        'SecurityGroupCannotBeApplied',
        'BadRequest',
        'Network requires port_security_enabled and subnet associated in order to apply security groups.',
      )
    try {
      await neutronUpdatePort(deps, asCaller(caller), str(port.id), {
        security_groups: [...new Set([...groupsOf(port), id])],
      })
    } catch (err) {
      if (neutronStatus(err) === 400)
        throw networkFailure('SecurityGroupCannotBeApplied', 'BadRequest', message(err))
      throw err
    }
  }
}

/** Nova's remove_from_instance: off every port that has it; 404 when none had it. */
export async function removeFromInstance(
  deps: NetworkDeps,
  caller: NetworkCaller,
  instanceId: string,
  name: string,
): Promise<void> {
  const id = await findGroupId(
    deps,
    caller,
    name,
    `Security group ${name} is not found for project ${caller.projectId}`,
  )
  let found = false
  for (const port of await serverPorts(deps, caller, instanceId)) {
    if (!groupsOf(port).includes(id)) continue
    await neutronUpdatePort(deps, asCaller(caller), str(port.id), {
      security_groups: groupsOf(port).filter((g) => g !== id),
    })
    found = true
  }
  if (!found)
    throw networkFailure(
      'SecurityGroupNotFound',
      'NotFound',
      `Security group ${name} not associated with the instance ${instanceId}`,
    )
}
