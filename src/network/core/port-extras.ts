/**
 * @module What hangs off a port besides its addresses: security group bindings, allowed
 * address pairs (allowed-address-pairs) and extra DHCP options (extra_dhcp_opt), each checked
 * with Neutron's own errors before anything is written, then written in the port's transaction.
 */
import type { Kysely } from 'kysely'
import type { NetworkTables } from '../db/tables.js'
import { networkErrors, neutronError } from '../errors.js'
import { parseCidr, parseIp } from './ip.js'
import { macReason } from './mac.js'
import { pyRepr, pyStr } from './py-repr.js'

/** Neutron's max_allowed_address_pair default. */
export const MAX_ADDRESS_PAIRS = 10

export interface AddressPair {
  ip_address: string
  /** Absent: the port's own MAC. */
  mac_address?: string
}

export interface DhcpOption {
  opt_name: string
  /** null asks an update to remove the option. */
  opt_value: string | null
  ip_version: number
}

const badRequest = (message: string) => neutronError('BadRequest', 'HTTPBadRequest', message)

/** neutron-lib's allowed-address-pairs validator, with its mixed error types. */
export function checkAddressPairs(raw: unknown): AddressPair[] {
  if (raw === null || raw === undefined) return []
  if (!Array.isArray(raw)) throw badRequest('Allowed address pairs must be a list.')
  if (raw.length > MAX_ADDRESS_PAIRS)
    throw neutronError(
      'BadRequest',
      'AllowedAddressPairExhausted',
      `The number of allowed address pair exceeds the maximum ${MAX_ADDRESS_PAIRS}.`,
    )
  const seen = new Set<string>()
  return raw.map((pair: unknown) => {
    if (pair === null || typeof pair !== 'object' || Array.isArray(pair))
      throw networkErrors.invalidAttribute(
        'allowed_address_pairs',
        `'${pyStr(pair)}' is not a dictionary`,
      )
    const p = pair as Record<string, unknown>
    if ('mac_address' in p) {
      const bad = macReason(p.mac_address)
      if (bad) throw badRequest(bad)
    }
    if (!('ip_address' in p))
      throw neutronError(
        'BadRequest',
        'AllowedAddressPairsMissingIP',
        'AllowedAddressPair must contain ip_address',
      )
    const key = `${pyStr(p.mac_address)}|${pyStr(p.ip_address)}`
    if (seen.has(key))
      throw neutronError(
        'BadRequest',
        'DuplicateAddressPairInRequest',
        `Request contains duplicate address pair: mac_address ${pyStr(p.mac_address)} ip_address ${pyStr(p.ip_address)}.`,
      )
    seen.add(key)
    const extra = Object.keys(p).filter((k) => k !== 'mac_address' && k !== 'ip_address')
    if (extra.length > 0) throw badRequest(`Unrecognized attribute(s) '${extra.join(', ')}'`)
    const ip = p.ip_address
    const valid =
      typeof ip === 'string' &&
      (ip.includes('/') ? parseCidr(ip) !== undefined : parseIp(ip) !== undefined)
    if (!valid)
      throw badRequest(
        typeof ip === 'string' && ip.includes('/')
          ? `'${ip}' is not a valid IP subnet`
          : `'${pyStr(ip)}' is not a valid IP address`,
      )
    return {
      ip_address: ip,
      ...(typeof p.mac_address === 'string' ? { mac_address: p.mac_address } : {}),
    }
  })
}

const ONE_LINE = /^[^\n\r]+$/
const BLANKABLE = ['router', 'classless-static-route']

/** extra_dhcp_opt's key specs: name, value (null or blank only where allowed), ip_version. */
export function checkDhcpOptions(raw: unknown): DhcpOption[] {
  if (raw === null || raw === undefined) return []
  if (!Array.isArray(raw)) throw networkErrors.invalidInput(`'${pyStr(raw)}' is not a list`)
  const dups = raw.filter((x, i) => raw.findIndex((y) => pyRepr(y) === pyRepr(x)) !== i)
  if (dups.length > 0)
    throw networkErrors.invalidInput(`Duplicate items in the list: '${dups.map(pyStr).join(', ')}'`)
  const byKey = new Map<string, DhcpOption>()
  for (const opt of raw) {
    const o = (opt ?? {}) as Record<string, unknown>
    const fail = () => networkErrors.invalidInput(`No valid key specs matched for: ${pyStr(opt)}`)
    if (typeof opt !== 'object' || Array.isArray(opt) || !('opt_name' in o) || !('opt_value' in o))
      throw fail()
    if (Object.keys(o).some((k) => !['opt_name', 'opt_value', 'ip_version'].includes(k)))
      throw fail()
    const name = o.opt_name
    const value = o.opt_value
    const version = o.ip_version === undefined ? 4 : Number(o.ip_version)
    if (version !== 4 && version !== 6) throw fail()
    if (typeof name !== 'string' || !ONE_LINE.test(name) || name.length > 64) throw fail()
    const blankable = BLANKABLE.includes(name)
    if (value !== null) {
      if (typeof value !== 'string' || value.length > 255) throw fail()
      if (!blankable && !ONE_LINE.test(value)) throw fail()
    }
    byKey.set(`${name}|${version}`, { opt_name: name, opt_value: value, ip_version: version })
  }
  return [...byKey.values()]
}

/** Whether Neutron stores the option (blank values only for the blank-able ones, never null). */
export function storable(o: DhcpOption): boolean {
  return BLANKABLE.includes(o.opt_name) ? o.opt_value !== null : Boolean(o.opt_value)
}

/**
 * The requested groups, if they exist and the port's project may use them (its own, or any
 * for an admin); SecurityGroupNotFound naming the others.
 */
export async function checkSecurityGroups(
  db: Kysely<NetworkTables>,
  ids: readonly string[],
  ctx: { projectId: string; isAdmin: boolean },
): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('security_group')
    .select(['id', 'project_id'])
    .where('id', 'in', [...ids])
    .execute()
  const valid = new Set(
    rows.filter((r) => ctx.isAdmin || r.project_id === ctx.projectId).map((r) => r.id),
  )
  const missing = ids.filter((id) => !valid.has(id))
  if (missing.length > 0) throw networkErrors.notFound('security_group', missing.join(', '))
  return [...ids]
}

export async function writeSecurityGroups(
  trx: Kysely<NetworkTables>,
  portId: string,
  ids: readonly string[],
): Promise<void> {
  await trx.deleteFrom('port_security_group').where('port_id', '=', portId).execute()
  if (ids.length > 0)
    await trx
      .insertInto('port_security_group')
      .values(ids.map((security_group_id) => ({ port_id: portId, security_group_id })))
      .execute()
}

export async function writeAddressPairs(
  trx: Kysely<NetworkTables>,
  portId: string,
  mac: string,
  pairs: readonly AddressPair[],
): Promise<void> {
  await trx.deleteFrom('port_address_pair').where('port_id', '=', portId).execute()
  if (pairs.length > 0)
    await trx
      .insertInto('port_address_pair')
      .values(
        pairs.map((p) => ({
          port_id: portId,
          ip_address: p.ip_address,
          // Neutron keeps the MAC as written.
          mac_address: p.mac_address ?? mac,
        })),
      )
      .execute()
}

/** On create: every storable option. On update: a merge (null removes, others add or replace). */
export async function writeDhcpOptions(
  trx: Kysely<NetworkTables>,
  portId: string,
  opts: readonly DhcpOption[],
): Promise<void> {
  for (const o of opts) {
    // A value Neutron would not store (blank where not allowed) leaves the option as it is.
    if (o.opt_value !== null && !storable(o)) continue
    await trx
      .deleteFrom('port_dhcp_option')
      .where('port_id', '=', portId)
      .where('opt_name', '=', o.opt_name)
      .where('ip_version', '=', o.ip_version)
      .execute()
    if (o.opt_value !== null)
      await trx
        .insertInto('port_dhcp_option')
        .values({
          port_id: portId,
          opt_name: o.opt_name,
          opt_value: o.opt_value,
          ip_version: o.ip_version,
        })
        .execute()
  }
}
