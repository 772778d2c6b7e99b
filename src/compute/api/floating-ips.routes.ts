/**
 * @module The nova-network era floating IP proxies up to 2.35 (404 from 2.36): /os-floating-ips
 * (the project's addresses, allocate from a pool, release) and /os-floating-ip-pools (the
 * external networks), answered from the network service in Nova's shapes.
 */
import type { FastifyRequest } from 'fastify'
import { type InstanceRow, loadInstance } from '../core/servers/records.js'
import { refreshNetworkInfo } from '../core/servers/network-info.js'
import { computeErrors } from '../errors.js'
import {
  type NetworkClient,
  type NovaFloatingIp,
  novaExceptionOf,
  withStatuses,
} from '../network-client.js'
import { type ComputeApi, callerOf, enforce, param } from './compute-api.js'
import { proxyGone } from './security-groups.routes.js'

export function floatingIpView(fip: NovaFloatingIp): Record<string, unknown> {
  return {
    id: fip.id,
    ip: fip.address,
    pool: fip.pool,
    fixed_ip: fip.fixedAddress,
    instance_id: fip.instanceId,
  }
}

function networkOf(api: ComputeApi): NetworkClient {
  const network = api.deps.network
  if (!network) throw computeErrors.notImplemented('The requested functionality is not supported.')
  return network
}

/** Nova's get_instance_by_floating_ip_addr: the server behind the address, if any (404 unseen). */
export async function serverOfAddress(
  api: ComputeApi,
  req: FastifyRequest,
  address: string,
): Promise<InstanceRow | undefined> {
  const fip = await networkOf(api)
    .getFloatingIpByAddress(callerOf(req), address)
    .catch((err: unknown) => {
      throw withStatuses(err, {
        FloatingIpNotFoundForAddress: 'NotFound',
        FloatingIpMultipleFoundForAddress: 'Conflict',
      })
    })
  if (!fip.portId || !fip.instanceId) return undefined
  return loadInstance(api.deps, callerOf(req), fip.instanceId)
}

export function floatingIpsRoutes(api: ComputeApi): void {
  const { app, deps } = api
  const rule = (name: string) => `os_compute_api:os-floating-ips:${name}`
  const notFound = (id: string) => computeErrors.notFound(`Floating IP not found for ID ${id}`)

  app.route({
    method: 'GET',
    url: '/v2.1/os-floating-ips',
    access: 'token',
    handler: async (req) => {
      proxyGone(req.raw)
      enforce(api, req.raw, rule('list'))
      const fips = await networkOf(api).listFloatingIps(callerOf(req.raw))
      return { floating_ips: fips.map(floatingIpView) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.1/os-floating-ips/:id',
    access: 'token',
    handler: async (req) => {
      proxyGone(req.raw)
      enforce(api, req.raw, rule('show'))
      const id = param(req.raw, 'id')
      const fip = await networkOf(api)
        .getFloatingIp(callerOf(req.raw), id)
        .catch((err: unknown) => {
          throw novaExceptionOf(err) === undefined ? err : notFound(id)
        })
      return { floating_ip: floatingIpView(fip) }
    },
  })

  app.route({
    method: 'POST',
    url: '/v2.1/os-floating-ips',
    access: 'token',
    handler: async (req) => {
      proxyGone(req.raw)
      enforce(api, req.raw, rule('create'))
      const body = req.body as Record<string, unknown> | null | undefined
      const pool = body && typeof body.pool === 'string' ? body.pool : undefined
      const caller = callerOf(req.raw)
      const network = networkOf(api)
      try {
        const address = await network.allocateFloatingIp(
          caller,
          pool ?? deps.config.defaultFloatingPool,
        )
        return {
          floating_ip: floatingIpView(await network.getFloatingIpByAddress(caller, address)),
        }
      } catch (err) {
        const name = novaExceptionOf(err)
        if (name === 'NoMoreFloatingIps')
          throw computeErrors.notFound(
            pool ? `No more floating IPs in pool ${pool}.` : 'No more floating IPs available.',
          )
        if (name === 'FloatingIpLimitExceeded')
          throw computeErrors.forbidden(
            pool ? `IP allocation over quota in pool ${pool}.` : 'IP allocation over quota.',
          )
        throw withStatuses(err, {
          FloatingIpPoolNotFound: 'NotFound',
          FloatingIpBadRequest: 'BadRequest',
        })
      }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v2.1/os-floating-ips/:id',
    access: 'token',
    handler: async (req, reply) => {
      proxyGone(req.raw)
      enforce(api, req.raw, rule('delete'))
      const id = param(req.raw, 'id')
      const caller = callerOf(req.raw)
      const network = networkOf(api)
      const fip = await network.getFloatingIp(caller, id).catch((err: unknown) => {
        throw novaExceptionOf(err) === undefined ? err : notFound(id)
      })
      const server = await serverOfAddress(api, req.raw, fip.address)
      await network.releaseFloatingIp(caller, fip.address).catch((err: unknown) => {
        throw withStatuses(err, {
          FloatingIpNotFoundForAddress: 'NotFound',
          Forbidden: 'Forbidden',
        })
      })
      if (server) await refreshNetworkInfo(deps, caller, server.id)
      void reply.code(202)
      return undefined
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.1/os-floating-ip-pools',
    access: 'token',
    handler: async (req) => {
      proxyGone(req.raw)
      enforce(api, req.raw, 'os_compute_api:os-floating-ip-pools', {})
      const pools = await networkOf(api).floatingIpPools(callerOf(req.raw))
      return { floating_ip_pools: pools.map((name) => ({ name })) }
    },
  })
}
