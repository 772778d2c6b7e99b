/**
 * @module Compute API microversions: `OpenStack-API-Version: compute 2.x` (or the legacy
 * `X-OpenStack-Nova-API-Version: 2.x`), `latest`, no header = 2.1; 400 for a malformed one and
 * 406 outside [min, max]. Every response says which version answered (and Varies on it).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../lib/errors/app-error.js'

export interface Microversion {
  major: number
  minor: number
}

export const MIN_MICROVERSION: Microversion = { major: 2, minor: 1 }

declare module 'fastify' {
  interface FastifyRequest {
    microversion: Microversion | undefined
  }
}

export function parseVersion(text: string): Microversion | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(text.trim())
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined
}

export function format(v: Microversion): string {
  return `${v.major}.${v.minor}`
}

export function compare(a: Microversion, b: Microversion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor
}

function requested(req: FastifyRequest): string | undefined {
  const header = req.headers['openstack-api-version']
  const modern = Array.isArray(header) ? header.join(',') : header
  if (modern !== undefined) {
    for (const part of modern.split(',')) {
      const [service, version] = part.trim().split(/\s+/)
      if (service?.toLowerCase() === 'compute' && version !== undefined) return version
    }
  }
  const legacy = req.headers['x-openstack-nova-api-version']
  return Array.isArray(legacy) ? legacy[0] : legacy
}

/** Negotiates the request's microversion and sets the response headers (also on errors). */
export function negotiate(req: FastifyRequest, reply: FastifyReply, max: Microversion): void {
  const text = requested(req)
  let version = MIN_MICROVERSION
  if (text !== undefined) {
    if (text.trim().toLowerCase() === 'latest') version = max
    else {
      const parsed = parseVersion(text)
      if (!parsed)
        throw new AppError({
          code: 'COMPUTE_BAD_VERSION',
          kind: 'BadRequest',
          message: `API Version String ${text} is of invalid format. Must be of format MajorNum.MinorNum.`,
        })
      version = parsed
    }
  }
  const shown = format(version)
  void reply
    .header('openstack-api-version', `compute ${shown}`)
    .header('x-openstack-nova-api-version', shown)
    .header('vary', 'OpenStack-API-Version, X-OpenStack-Nova-API-Version')
  if (compare(version, MIN_MICROVERSION) < 0 || compare(version, max) > 0)
    throw new AppError({
      code: 'COMPUTE_VERSION_NOT_SUPPORTED',
      kind: 'NotAcceptable',
      message: `Version ${shown} is not supported by the API. Minimum is ${format(MIN_MICROVERSION)} and maximum is ${format(max)}.`,
    })
  req.microversion = version
}

/** Whether the request asked for at least `version` (e.g. '2.53'). */
export function atLeast(req: FastifyRequest, version: string): boolean {
  const v = parseVersion(version)
  if (!v) throw new Error(`bad version ${version}`)
  return compare(req.microversion ?? MIN_MICROVERSION, v) >= 0
}
