/** @module What every image route module receives, and who is calling. */
import type { FastifyRequest } from 'fastify'
import type { ServiceApp } from '../../lib/http/service-app.js'
import type { Caller, ImageDeps } from '../core/deps.js'

export interface ImageApi {
  app: ServiceApp
  deps: ImageDeps
}

export function callerOf(req: FastifyRequest): Caller {
  const auth = req.auth
  return {
    projectId: auth?.projectId,
    userId: auth?.userId ?? '',
    // Glance's context_is_admin.
    isAdmin: auth?.roles.some((r) => r.toLowerCase() === 'admin') ?? false,
    requestId: req.id,
  }
}

export function param(req: FastifyRequest, name: string): string {
  // SAFETY: Fastify path params are strings.
  return (req.params as Record<string, string>)[name] ?? ''
}
