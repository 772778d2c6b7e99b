/**
 * @module What Nova's neutronclient calls would do, in process: each request goes through the
 * resource's attribute map (the same checks and defaults as the REST API) to the network core,
 * as the caller or as the service itself (Nova's admin client). Neutron's refusals keep their
 * type (`neutronType`) so the Nova side can translate them as Nova does.
 */
import { isAppError } from '../../lib/errors/app-error.js'
import type { NetworkCaller } from '../../compute/network-client.js'
import { FLOATINGIP_ATTRIBUTES } from '../api/floatingips.routes.js'
import { type AttributeMap, prepareCreate, prepareUpdate } from '../api/attributes.js'
import { SECURITY_GROUP_ATTRIBUTES } from '../api/security-groups.routes.js'
import { SECURITY_GROUP_RULE_ATTRIBUTES } from '../api/security-group-rules.routes.js'
import type { Caller, NetworkDeps } from '../core/deps.js'
import { createFloatingIp, updateFloatingIp } from '../core/floating-ips.js'
import { createPort, deletePort, updatePort } from '../core/ports.js'
import { createSecurityGroup, updateSecurityGroup } from '../core/security-groups.js'
import { createSecurityGroupRules } from '../core/security-group-rules.js'

export type Json = Record<string, unknown>

/** The network core's caller for a compute caller. */
export function asCaller(caller: NetworkCaller): Caller {
  return {
    projectId: caller.projectId === '' ? undefined : caller.projectId,
    userId: caller.userId,
    isAdmin: caller.isAdmin,
    requestId: caller.requestId,
  }
}

/** The same caller with admin rights (Nova's admin client), still a compute-side caller. */
export function asAdmin(caller: NetworkCaller): NetworkCaller {
  return { ...caller, isAdmin: true }
}

/** Nova's admin client: the service acting for itself. */
export function admin(caller: NetworkCaller): Caller {
  return { ...asCaller(caller), isAdmin: true }
}

/** Neutron's exception type of a refusal (PortNotFound, OverQuota...), if it is one. */
export function neutronType(err: unknown): string | undefined {
  if (!isAppError(err)) return undefined
  const type = err.details.type
  return typeof type === 'string' ? type : undefined
}

/** The HTTP status a remote neutronclient would have seen. */
export function neutronStatus(err: unknown): number | undefined {
  return isAppError(err) ? err.status : undefined
}

function prepared(map: AttributeMap, member: string, body: Json, caller: Caller): Json {
  return prepareCreate(map, member, body, caller)
}

/**
 * A port create as Nova sends it; the body is already in the shape the attribute map makes
 * (Nova's bodies are small and checked on the compute side), which ports.ts takes internally.
 */
export function neutronCreatePort(deps: NetworkDeps, caller: Caller, body: Json): Promise<Json> {
  return createPort(deps, caller, { name: '', description: '', admin_state_up: true, ...body })
}

/** A port update as Nova sends it (binding:host_id '' unbinds, as null does on the wire). */
export function neutronUpdatePort(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  body: Json,
): Promise<Json> {
  const attrs = { ...body }
  if ('binding:host_id' in attrs && attrs['binding:host_id'] === null) attrs['binding:host_id'] = ''
  return updatePort(deps, caller, id, attrs)
}

/** Deletes the port; one already gone is fine (Nova logs and goes on). */
export async function neutronDeletePort(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
): Promise<void> {
  try {
    await deletePort(deps, caller, id)
  } catch (err) {
    if (neutronStatus(err) !== 404) throw err
  }
}

export function neutronCreateSecurityGroup(
  deps: NetworkDeps,
  caller: Caller,
  body: Json,
): Promise<Json> {
  return createSecurityGroup(
    deps,
    caller,
    prepared(SECURITY_GROUP_ATTRIBUTES, 'security_group', body, caller),
  )
}

export function neutronUpdateSecurityGroup(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  body: Json,
): Promise<Json> {
  return updateSecurityGroup(
    deps,
    caller,
    id,
    prepareUpdate(SECURITY_GROUP_ATTRIBUTES, 'security_group', body, caller),
  )
}

export async function neutronCreateRule(
  deps: NetworkDeps,
  caller: Caller,
  body: Json,
): Promise<Json> {
  const [rule] = await createSecurityGroupRules(deps, caller, [
    prepared(SECURITY_GROUP_RULE_ATTRIBUTES, 'security_group_rule', body, caller),
  ])
  // SAFETY: one rule asked, one made (or a refusal thrown).
  return rule as Json
}

export function neutronCreateFloatingIp(
  deps: NetworkDeps,
  caller: Caller,
  body: Json,
): Promise<Json> {
  return createFloatingIp(deps, caller, prepared(FLOATINGIP_ATTRIBUTES, 'floatingip', body, caller))
}

export function neutronUpdateFloatingIp(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  body: Json,
): Promise<Json> {
  return updateFloatingIp(
    deps,
    caller,
    id,
    prepareUpdate(FLOATINGIP_ATTRIBUTES, 'floatingip', body, caller),
  )
}
