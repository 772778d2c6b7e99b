/**
 * @module A subnet's rows besides its own: pools, DNS servers and host routes written whole,
 * the overlap check and the locks subnet changes take, and the EUI-64 addresses a new SLAAC
 * subnet gives the ports already on its network.
 */
import { sql, type Kysely, type Transaction } from 'kysely'
import { insertIfAbsent } from '../../lib/db/errors.js'
import type { DialectName } from '../../lib/db/open-database.js'
import type { NetworkTables } from '../db/tables.js'
import { networkErrors } from '../errors.js'
import type { NetworkDeps } from './deps.js'
import { type Cidr, formatIp, normalizeIp, parseCidr } from './ip.js'
import { ROUTER_INTERFACE_OWNERS_SNAT } from './ipam.js'
import { eui64 } from './mac.js'
import { bumpRevision } from './networks.js'
import type { HostRoute, Pool } from './subnet-rules.js'

export async function checkOverlap(
  trx: Kysely<NetworkTables>,
  networkId: string,
  cidr: Cidr,
  cidrText: string,
): Promise<void> {
  const others = await trx
    .selectFrom('subnet')
    .select('cidr')
    .where('network_id', '=', networkId)
    .execute()
  for (const o of others) {
    const other = parseCidr(o.cidr)
    if (!other || other.version !== cidr.version) continue
    const prefix = Math.min(other.prefix, cidr.prefix)
    const span = BigInt((cidr.version === 4 ? 32 : 128) - prefix)
    if (other.network >> span === cidr.network >> span)
      throw networkErrors.invalidInput(
        `Requested subnet with cidr: ${cidrText} for network: ${networkId} overlaps with another subnet`,
      )
  }
}

export async function writePools(
  trx: Kysely<NetworkTables>,
  subnetId: string,
  version: 4 | 6,
  pools: Pool[],
): Promise<void> {
  await trx.deleteFrom('subnet_allocation_pool').where('subnet_id', '=', subnetId).execute()
  if (pools.length > 0)
    await trx
      .insertInto('subnet_allocation_pool')
      .values(
        pools.map(([a, b]) => ({
          subnet_id: subnetId,
          first_ip: formatIp(version, a),
          last_ip: formatIp(version, b),
        })),
      )
      .execute()
}

export async function writeDns(
  trx: Kysely<NetworkTables>,
  subnetId: string,
  dns: string[],
): Promise<void> {
  await trx.deleteFrom('subnet_dns_nameserver').where('subnet_id', '=', subnetId).execute()
  if (dns.length > 0)
    await trx
      .insertInto('subnet_dns_nameserver')
      .values(dns.map((address, position) => ({ subnet_id: subnetId, address, position })))
      .execute()
}

export async function writeRoutes(
  trx: Kysely<NetworkTables>,
  subnetId: string,
  routes: HostRoute[],
): Promise<void> {
  await trx.deleteFrom('subnet_host_route').where('subnet_id', '=', subnetId).execute()
  if (routes.length > 0)
    await trx
      .insertInto('subnet_host_route')
      .values(
        routes.map((r) => ({
          subnet_id: subnetId,
          destination: canonicalRoute(r.destination),
          nexthop: normalizeIp(r.nexthop) ?? r.nexthop,
        })),
      )
      .execute()
}

function canonicalRoute(destination: string): string {
  const c = parseCidr(destination)
  return c ? `${formatIp(c.version, c.network)}/${c.prefix}` : destination
}

/** A new SLAAC subnet gives every port of its network (but router interfaces) its EUI-64 address. */
export async function addAutoAddresses(
  trx: Transaction<NetworkTables>,
  deps: Pick<NetworkDeps, 'dialect' | 'clock'>,
  subnet: { id: string; networkId: string; cidr: Cidr },
): Promise<void> {
  const ports = await trx
    .selectFrom('port')
    .select(['id', 'mac_address', 'device_owner'])
    .where('network_id', '=', subnet.networkId)
    .execute()
  for (const p of ports) {
    if (ROUTER_INTERFACE_OWNERS_SNAT.includes(p.device_owner)) continue
    const ip = formatIp(6, eui64(subnet.cidr, p.mac_address))
    const row = {
      subnet_id: subnet.id,
      ip_address: ip,
      port_id: p.id,
      network_id: subnet.networkId,
    }
    if (await insertIfAbsent(trx.insertInto('ip_allocation').values(row), deps.dialect))
      await bumpRevision({ db: trx, clock: deps.clock }, 'port', p.id, {})
  }
}

/** Takes the subnet row exclusively until commit (SQLite's single writer already does). */
export async function lockForUpdate(
  trx: Transaction<NetworkTables>,
  dialect: DialectName,
  subnetId: string,
): Promise<void> {
  if (dialect === 'sqlite') return
  await sql`SELECT id FROM subnet WHERE id = ${subnetId} FOR UPDATE`.execute(trx)
}
