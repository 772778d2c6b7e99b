/** @module Registered limits and limits as Keystone renders them. */
import type { FastifyRequest } from 'fastify'
import type { Limit, RegisteredLimit } from '../core/limits.js'
import { entityLink } from './links.js'

export function registeredLimitView(
  req: FastifyRequest,
  r: RegisteredLimit,
): Record<string, unknown> {
  return {
    id: r.id,
    service_id: r.service_id,
    region_id: r.region_id,
    resource_name: r.resource_name,
    default_limit: r.default_limit,
    description: r.description,
    links: entityLink(req, `registered_limits/${r.id}`),
  }
}

export function limitView(req: FastifyRequest, l: Limit): Record<string, unknown> {
  return {
    id: l.id,
    project_id: l.project_id,
    domain_id: l.domain_id,
    service_id: l.service_id,
    region_id: l.region_id,
    resource_name: l.resource_name,
    resource_limit: l.resource_limit,
    description: l.description,
    links: entityLink(req, `limits/${l.id}`),
  }
}
