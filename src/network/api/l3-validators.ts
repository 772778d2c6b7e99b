/**
 * @module Router request bodies as Neutron validates them: external_gateway_info
 * (type:dict_or_nodata with network_id, enable_snat, external_fixed_ips) and the interface
 * actions' bodies, with its reasons word for word.
 */
import { badRequestFor } from '../core/l3-errors.js'
import type { GatewayRequest } from '../core/router-gateway.js'
import type { InterfaceRequest } from '../core/router-interfaces.js'
import { pyStr } from '../core/py-repr.js'
import { networkErrors } from '../errors.js'
import { isUuid } from './attributes.js'
import { fixedIpsReason, isDictionary } from './ip-validators.js'

/** Neutron's convert_to_boolean (InvalidInput when it cannot). */
function toStrictBoolean(v: unknown): boolean {
  if (typeof v === 'boolean') return v
  if (v === 0 || v === 1) return v === 1
  if (typeof v === 'string') {
    const s = v.toLowerCase()
    if (['1', 't', 'true', 'on', 'y', 'yes'].includes(s)) return true
    if (['0', 'f', 'false', 'off', 'n', 'no'].includes(s)) return false
  }
  throw networkErrors.invalidInput(`'${pyStr(v)}' cannot be converted to boolean`)
}

const GATEWAY_KEYS: readonly string[] = ['network_id', 'enable_snat', 'external_fixed_ips']

const pySet = (keys: string[]) =>
  `{${[...keys]
    .sort()
    .map((k) => `'${k}'`)
    .join(', ')}}`

/** Python truthiness of JSON: an empty value means "no gateway". */
function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return true
  if (Array.isArray(v)) return v.length === 0
  return isDictionary(v) && Object.keys(v).length === 0
}

/** external_gateway_info: null when empty (no gateway), else the checked request. */
export function toGatewayRequest(v: unknown): GatewayRequest | null {
  const bad = (reason: string) => networkErrors.invalidAttribute('external_gateway_info', reason)
  if (isEmpty(v)) return null
  if (!isDictionary(v)) throw bad(`'${pyStr(v)}' is not a dictionary`)
  if (!('network_id' in v))
    throw bad(
      `Validation of dictionary's keys failed. Expected keys: {'network_id'} Provided keys: ${pySet(Object.keys(v))}`,
    )
  const unexpected = Object.keys(v).filter((k) => !GATEWAY_KEYS.includes(k))
  if (unexpected.length > 0) throw bad(`Unexpected keys supplied: ${unexpected.join(', ')}`)
  const uuidReason = isUuid(v.network_id)
  if (uuidReason) throw bad(uuidReason)
  const out: GatewayRequest = { network_id: String(v.network_id) }
  if ('enable_snat' in v) out.enable_snat = toStrictBoolean(v.enable_snat)
  if ('external_fixed_ips' in v) {
    const reason = fixedIpsReason(v.external_fixed_ips)
    if (reason) throw bad(reason)
    out.external_fixed_ips = (v.external_fixed_ips as Record<string, unknown>[]).map((f) => ({
      ...(typeof f.subnet_id === 'string' ? { subnet_id: f.subnet_id } : {}),
      ...(typeof f.ip_address === 'string' ? { ip_address: f.ip_address } : {}),
    }))
  }
  return out
}

/**
 * The body of add_router_interface / remove_router_interface: `{"subnet_id": ...}` or
 * `{"port_id": ...}` (removal may name both), with Neutron's refusals.
 */
export function toInterfaceRequest(body: unknown, forRemoval: boolean): InterfaceRequest {
  const info = isDictionary(body) ? body : {}
  const hasPort = 'port_id' in info
  const hasSubnet = 'subnet_id' in info
  if (!hasPort && !hasSubnet)
    throw badRequestFor('router', 'Either subnet_id or port_id must be specified')
  for (const key of ['port_id', 'subnet_id'] as const) {
    if (!(key in info)) continue
    const reason = isUuid(info[key])
    if (reason) throw badRequestFor('router', reason)
  }
  if (!forRemoval && hasPort && hasSubnet)
    throw badRequestFor('router', 'Cannot specify both subnet-id and port-id')
  return {
    portId: hasPort ? String(info.port_id) : undefined,
    subnetId: hasSubnet ? String(info.subnet_id) : undefined,
  }
}
