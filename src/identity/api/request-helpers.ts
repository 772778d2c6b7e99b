/** @module Small helpers shared by identity route modules. */
import type { FastifyRequest } from 'fastify'
import type { AuthContext } from '../../lib/http/auth-context.js'
import { badRequest } from '../errors.js'
import { DEFAULT_DOMAIN_ID } from '../core/bootstrap.js'

/** The `{ "<key>": {...} }` envelope of a create/update body; 400 when absent or not an object. */
export function envelope(body: unknown, key: string): Record<string, unknown> {
  const value =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest(
      `Expecting to find ${key} in request body. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`,
    )
  return value as Record<string, unknown>
}

/** Where a new project, user or group goes when the request names no domain (Keystone's rule). */
export function defaultDomainFor(auth: AuthContext | undefined): string {
  return auth?.domainId ?? DEFAULT_DOMAIN_ID
}

/** A string query parameter, or undefined. */
export function queryString(req: FastifyRequest, key: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[key]
  return typeof v === 'string' ? v : undefined
}

export function params(req: FastifyRequest): Record<string, string> {
  // SAFETY: Fastify path params are always strings.
  return req.params as Record<string, string>
}

/** 400 unless `value` is a boolean or absent (Keystone rejects "true" strings). */
export function optionalBool(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'boolean')
    throw badRequest(
      `Invalid input for field '${field}': ${JSON.stringify(value)} is not of type 'boolean'`,
    )
  return value
}

/** 400 unless `value` is a string, null or absent. */
export function optionalText(value: unknown, field: string): string | null | undefined {
  if (value === undefined || value === null) return value
  if (typeof value !== 'string')
    throw badRequest(
      `Invalid input for field '${field}': ${JSON.stringify(value)} is not of type 'string'`,
    )
  return value
}

/** 400 for an empty update body (Keystone's minProperties: 1). */
export function requireSomething(patch: Record<string, unknown>, key: string): void {
  if (Object.keys(patch).length === 0)
    throw badRequest(`Invalid input for field '${key}': {} does not have enough properties`)
}
