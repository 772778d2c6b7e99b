/**
 * @module APIs that left Nova with nova-network and answer 410 Gone at every microversion:
 * os-fixed-ips (show, reserve/unreserve), os-floating-ips-bulk and
 * /servers/{id}/os-virtual-interfaces (served instead with a legacy
 * [network] manager, see legacy-networks.routes.ts), os-floating-ip-dns,
 * os-security-group-default-rules.
 */
import { computeErrors } from '../errors.js'
import { actionOf, type ComputeApi } from './compute-api.js'

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

/** Served by the legacy managers; gone with Neutron. */
const LEGACY: readonly [Method, string][] = [
  ['GET', '/os-fixed-ips/:id'],
  ['GET', '/os-floating-ips-bulk'],
  ['POST', '/os-floating-ips-bulk'],
  ['GET', '/os-floating-ips-bulk/:id'],
  ['PUT', '/os-floating-ips-bulk/:id'],
  ['GET', '/servers/:server_id/os-virtual-interfaces'],
]

const GONE: readonly [Method, string][] = [
  ['GET', '/os-floating-ip-dns'],
  ['PUT', '/os-floating-ip-dns/:id'],
  ['DELETE', '/os-floating-ip-dns/:id'],
  ['GET', '/os-floating-ip-dns/:id/entries/:entry'],
  ['PUT', '/os-floating-ip-dns/:id/entries/:entry'],
  ['DELETE', '/os-floating-ip-dns/:id/entries/:entry'],
  ['GET', '/os-security-group-default-rules'],
  ['POST', '/os-security-group-default-rules'],
  ['GET', '/os-security-group-default-rules/:id'],
  ['DELETE', '/os-security-group-default-rules/:id'],
]

export function novaNetworkGoneRoutes(api: ComputeApi): void {
  const gone = () => {
    throw computeErrors.gone()
  }
  for (const [method, url] of GONE)
    api.app.route({ method, url: `/v2.1${url}`, access: 'token', handler: gone })
  if (api.deps.network?.legacy) return
  for (const [method, url] of LEGACY)
    api.app.route({ method, url: `/v2.1${url}`, access: 'token', handler: gone })

  // Nova dispatches the action first: only reserve and unreserve are gone.
  api.app.route({
    method: 'POST',
    url: '/v2.1/os-fixed-ips/:id/action',
    access: 'token',
    handler: (req) => {
      const key = actionOf(req.body)
      if (key !== 'reserve' && key !== 'unreserve')
        throw computeErrors.badRequest(`There is no such action: ${key}`)
      throw computeErrors.gone()
    },
  })
}
