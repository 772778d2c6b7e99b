/**
 * @module A server's network info cache (Nova's instance_info_cache): the VIFs the network
 * service last reported, kept in compute's database so views and lists never ask the network
 * service per server, and shaped into the API's `addresses` the way Nova's view builder does.
 */
import type { Kysely } from 'kysely'
import { isUniqueViolation } from '../../../lib/db/errors.js'
import { fromJson, toJson } from '../../../lib/db/values.js'
import type { ComputeTables } from '../../db/tables.js'
import type { NetworkCaller, Vif } from '../../network-client.js'
import type { ComputeDeps } from '../deps.js'

type Db = Kysely<ComputeTables>

/** The cached VIFs of many servers (servers without a cache have none). */
export async function loadNetworkInfo(db: Db, instanceIds: string[]): Promise<Map<string, Vif[]>> {
  const out = new Map<string, Vif[]>()
  if (instanceIds.length === 0) return out
  const rows = await db
    .selectFrom('instance_info_cache')
    .select(['instance_id', 'network_info'])
    .where('instance_id', 'in', instanceIds)
    .execute()
  for (const r of rows) out.set(r.instance_id, fromJson<Vif[]>(r.network_info, []))
  return out
}

export async function networkInfoOf(db: Db, instanceId: string): Promise<Vif[]> {
  return (await loadNetworkInfo(db, [instanceId])).get(instanceId) ?? []
}

/** Replaces the server's cache (last writer wins, as Nova's info cache save). */
export async function saveNetworkInfo(
  db: Db,
  instanceId: string,
  vifs: readonly Vif[],
  nowIso: string,
): Promise<void> {
  const values = { network_info: toJson(vifs), updated_at: nowIso }
  const res = await db
    .updateTable('instance_info_cache')
    .set(values)
    .where('instance_id', '=', instanceId)
    .executeTakeFirst()
  if (Number(res.numUpdatedRows) > 0) return
  try {
    await db
      .insertInto('instance_info_cache')
      .values({ instance_id: instanceId, ...values })
      .execute()
  } catch (err) {
    // Another writer made the row between our update and insert: write over it.
    if (!isUniqueViolation(err)) throw err
    await db
      .updateTable('instance_info_cache')
      .set(values)
      .where('instance_id', '=', instanceId)
      .execute()
  }
}

/**
 * Re-reads the server's ports from the network service into its cache (Nova's refresh_cache
 * after a change made through compute's API, e.g. a floating IP associated).
 */
export async function refreshNetworkInfo(
  deps: Pick<ComputeDeps, 'db' | 'network' | 'clock'>,
  caller: NetworkCaller,
  instanceId: string,
): Promise<Vif[]> {
  const cached = await networkInfoOf(deps.db, instanceId)
  if (!deps.network) return cached
  const vifs = await deps.network.getInstanceNwInfo(caller, instanceId, cached)
  await saveNetworkInfo(deps.db, instanceId, vifs, deps.clock.now().toISOString())
  return vifs
}

export interface AddressView {
  version: number
  addr: string
  'OS-EXT-IPS:type'?: 'fixed' | 'floating'
  'OS-EXT-IPS-MAC:mac_addr'?: string
}

/**
 * `addresses` as Nova shows them: one key per network name in port order; under it every
 * fixed address of the server's ports on that network, then their floating addresses. The
 * `extended` form (show and detail) adds the type and the port's MAC.
 */
export function addressesView(
  vifs: readonly Vif[],
  extended: boolean,
): Record<string, AddressView[]> {
  const networks = new Map<string, { fixed: AddressView[]; floating: AddressView[] }>()
  for (const vif of vifs) {
    let entry = networks.get(vif.network.label)
    if (!entry) {
      entry = { fixed: [], floating: [] }
      networks.set(vif.network.label, entry)
    }
    const view = (addr: string, version: number, type: 'fixed' | 'floating'): AddressView =>
      extended
        ? { version, addr, 'OS-EXT-IPS:type': type, 'OS-EXT-IPS-MAC:mac_addr': vif.address }
        : { version, addr }
    for (const subnet of vif.network.subnets)
      for (const ip of subnet.ips) {
        entry.fixed.push(view(ip.address, ip.version, 'fixed'))
        for (const f of ip.floatingIps)
          entry.floating.push(view(f, f.includes(':') ? 6 : 4, 'floating'))
      }
  }
  const out: Record<string, AddressView[]> = {}
  for (const [label, e] of networks) out[label] = [...e.fixed, ...e.floating]
  return out
}

/** Every fixed address of the server, in port order (Nova's NetworkInfo.fixed_ips()). */
export function fixedIpsOf(vifs: readonly Vif[]): { address: string; version: number }[] {
  return vifs.flatMap((v) =>
    v.network.subnets.flatMap((s) =>
      s.ips.map((ip) => ({ address: ip.address, version: ip.version })),
    ),
  )
}

/** Ports the user brought to the server (given back, not deleted, when it goes). */
export function preservedPortIds(vifs: readonly Vif[]): string[] {
  return vifs.filter((v) => v.preserveOnDelete).map((v) => v.id)
}
