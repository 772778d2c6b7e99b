/**
 * @module Floating IPs as Nova's proxy uses them over Neutron: a project's addresses with their
 * pool (external network) and server, allocation from a pool by name or id, release, and
 * association with the server's port that holds a fixed address; with Nova's refusals.
 */
import {
  networkFailure,
  type NetworkCaller,
  type NovaFloatingIp,
} from '../../compute/network-client.js'
import type { NetworkDeps } from '../core/deps.js'
import { deleteFloatingIp, listFloatingIps, showFloatingIp } from '../core/floating-ips.js'
import { canSeeNetwork } from '../core/networks.js'
import {
  asCaller,
  type Json,
  neutronCreateFloatingIp,
  neutronStatus,
  neutronType,
  neutronUpdateFloatingIp,
} from './neutron.js'
import { portsOfDevices } from './nw-info.js'

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i
const str = (v: unknown) => (typeof v === 'string' ? v : '')
const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** Pools (networks) by id, as the caller sees them; a missing one is Nova's NetworkNotFound. */
async function poolsOf(
  deps: NetworkDeps,
  caller: NetworkCaller,
  networkIds: readonly string[],
): Promise<Map<string, string>> {
  if (networkIds.length === 0) return new Map()
  const rows = await deps.db
    .selectFrom('network')
    .selectAll()
    .where('id', 'in', [...new Set(networkIds)])
    .execute()
  const names = new Map(
    rows.filter((r) => canSeeNetwork(asCaller(caller), r)).map((r) => [r.id, r.name || r.id]),
  )
  for (const id of networkIds)
    if (!names.has(id))
      throw networkFailure('NetworkNotFound', 'NotFound', `Network ${id} could not be found.`)
  return names
}

async function toNova(
  deps: NetworkDeps,
  caller: NetworkCaller,
  fips: readonly Json[],
): Promise<NovaFloatingIp[]> {
  const pools = await poolsOf(
    deps,
    caller,
    fips.map((f) => str(f.floating_network_id)),
  )
  return fips.map((f) => {
    const details = f.port_details as { device_id?: unknown } | null | undefined
    return {
      id: str(f.id),
      address: str(f.floating_ip_address),
      fixedAddress: typeof f.fixed_ip_address === 'string' ? f.fixed_ip_address : null,
      portId: typeof f.port_id === 'string' ? f.port_id : null,
      pool: pools.get(str(f.floating_network_id)) ?? '',
      instanceId: details ? str(details.device_id) : null,
    }
  })
}

export async function listProjectFloatingIps(
  deps: NetworkDeps,
  caller: NetworkCaller,
): Promise<NovaFloatingIp[]> {
  const fips = (await listFloatingIps(deps, asCaller(caller))).filter(
    (f) => f.project_id === caller.projectId,
  )
  return toNova(deps, caller, fips)
}

export async function getFloatingIp(
  deps: NetworkDeps,
  caller: NetworkCaller,
  id: string,
): Promise<NovaFloatingIp> {
  let fip: Json
  try {
    fip = await showFloatingIp(deps, asCaller(caller), id)
  } catch (err) {
    if (neutronStatus(err) === 404)
      throw networkFailure('FloatingIpNotFound', 'NotFound', `Floating IP not found for ID ${id}.`)
    throw err
  }
  const [out] = await toNova(deps, caller, [fip])
  // SAFETY: one floating IP in, one out.
  return out as NovaFloatingIp
}

async function fipByAddress(deps: NetworkDeps, caller: NetworkCaller, address: string) {
  const fips = await listFloatingIps(deps, asCaller(caller), { addresses: [address] })
  if (fips.length > 1)
    throw networkFailure(
      'FloatingIpMultipleFoundForAddress',
      'Conflict',
      `Multiple floating IPs are found for address ${address}.`,
    )
  const [fip] = fips
  if (!fip)
    throw networkFailure(
      'FloatingIpNotFoundForAddress',
      'NotFound',
      `Floating IP not found for address ${address}.`,
    )
  return fip
}

export async function getFloatingIpByAddress(
  deps: NetworkDeps,
  caller: NetworkCaller,
  address: string,
): Promise<NovaFloatingIp> {
  const [out] = await toNova(deps, caller, [await fipByAddress(deps, caller, address)])
  // SAFETY: one floating IP in, one out.
  return out as NovaFloatingIp
}

/** External networks the caller sees (Nova's pools), optionally by name or id. */
async function externalNetworks(deps: NetworkDeps, caller: NetworkCaller, nameOrId?: string) {
  const rows = await deps.db
    .selectFrom('network')
    .selectAll()
    .where('external', '=', 1)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return rows.filter(
    (r) =>
      canSeeNetwork(asCaller(caller), r) &&
      (nameOrId === undefined ||
        (UUID_RE.test(nameOrId) ? r.id === nameOrId : r.name === nameOrId)),
  )
}

export async function floatingIpPools(deps: NetworkDeps, caller: NetworkCaller): Promise<string[]> {
  return (await externalNetworks(deps, caller)).map((r) => r.name || r.id)
}

/** Nova's allocate_floating_ip: the pool by name or id, then an address from it. */
export async function allocateFloatingIp(
  deps: NetworkDeps,
  caller: NetworkCaller,
  pool: string,
): Promise<string> {
  const nets = await externalNetworks(deps, caller, pool)
  if (nets.length === 0)
    throw networkFailure('FloatingIpPoolNotFound', 'NotFound', 'Floating IP pool not found.')
  if (nets.length > 1)
    throw networkFailure(
      'NovaException',
      'Conflict',
      `Multiple floating IP pools matches found for name '${pool}'`,
    )
  try {
    const fip = await neutronCreateFloatingIp(deps, asCaller(caller), {
      floating_network_id: nets[0]?.id,
    })
    return str(fip.floating_ip_address)
  } catch (err) {
    const type = neutronType(err)
    if (type === 'IpAddressGenerationFailure' || type === 'ExternalIpAddressExhausted')
      throw networkFailure('NoMoreFloatingIps', 'NotFound', message(err))
    if (type === 'OverQuota')
      throw networkFailure('FloatingIpLimitExceeded', 'Forbidden', message(err))
    if (neutronStatus(err) === 400)
      throw networkFailure('FloatingIpBadRequest', 'BadRequest', message(err))
    throw err
  }
}

/** Nova's disassociate_and_release_floating_ip. */
export async function releaseFloatingIp(
  deps: NetworkDeps,
  caller: NetworkCaller,
  address: string,
): Promise<void> {
  const fip = await fipByAddress(deps, caller, address)
  try {
    await deleteFloatingIp(deps, asCaller(caller), str(fip.id))
  } catch (err) {
    if (neutronStatus(err) === 404)
      throw networkFailure(
        'FloatingIpNotFoundForAddress',
        'NotFound',
        `Floating IP not found for address ${address}.`,
      )
    throw err
  }
}

/** Nova's associate_floating_ip: the server's port holding `fixedAddress` gets the address. */
export async function associateFloatingIp(
  deps: NetworkDeps,
  caller: NetworkCaller,
  instanceId: string,
  floatingAddress: string,
  fixedAddress: string,
): Promise<void> {
  const ports = await portsOfDevices(deps, [instanceId])
  const held = await deps.db
    .selectFrom('ip_allocation')
    .select('port_id')
    .where('ip_address', '=', fixedAddress)
    .where('port_id', 'in', ports.length === 0 ? [''] : ports.map((p) => p.id))
    .executeTakeFirst()
  if (!held)
    throw networkFailure(
      'FixedIpNotFoundForAddress',
      'NotFound',
      `Fixed IP not found for address ${fixedAddress}.`,
    )
  const fip = await fipByAddress(deps, caller, floatingAddress)
  try {
    await neutronUpdateFloatingIp(deps, asCaller(caller), str(fip.id), {
      port_id: held.port_id,
      fixed_ip_address: fixedAddress,
    })
  } catch (err) {
    if (neutronStatus(err) === 409)
      throw networkFailure('FloatingIpAssociateFailed', 'BadRequest', message(err))
    throw err
  }
}

export async function disassociateFloatingIp(
  deps: NetworkDeps,
  caller: NetworkCaller,
  address: string,
): Promise<void> {
  const fip = await fipByAddress(deps, caller, address)
  await neutronUpdateFloatingIp(deps, asCaller(caller), str(fip.id), { port_id: null })
}
