/** @module Regions, services, endpoints and endpoint groups as Keystone renders them. */
import type { FastifyRequest } from 'fastify'
import { fromFlag, fromJson } from '../../lib/db/values.js'
import type { Endpoint, Service } from '../core/catalog-services.js'
import type { EndpointGroup } from '../core/endpoint-groups.js'
import type { Region } from '../core/regions.js'
import { entityLink } from './links.js'

function extras(text: string): Record<string, unknown> {
  return fromJson<Record<string, unknown>>(text, {})
}

export function regionView(req: FastifyRequest, r: Region): Record<string, unknown> {
  return {
    ...extras(r.extra),
    id: r.id,
    description: r.description,
    parent_region_id: r.parent_region_id,
    links: entityLink(req, `regions/${r.id}`),
  }
}

/** `name` (and `description`, when one was given) come from the stored extra attributes. */
export function serviceView(req: FastifyRequest, s: Service): Record<string, unknown> {
  return {
    ...extras(s.extra),
    id: s.id,
    type: s.type,
    enabled: fromFlag(s.enabled),
    links: entityLink(req, `services/${s.id}`),
  }
}

/** `region` mirrors `region_id` for clients of the v2-era attribute. */
export function endpointView(req: FastifyRequest, e: Endpoint): Record<string, unknown> {
  return {
    ...extras(e.extra),
    id: e.id,
    interface: e.interface,
    region_id: e.region_id,
    region: e.region_id,
    service_id: e.service_id,
    url: e.url,
    enabled: fromFlag(e.enabled),
    links: entityLink(req, `endpoints/${e.id}`),
  }
}

export function endpointGroupView(req: FastifyRequest, g: EndpointGroup): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    filters: fromJson<Record<string, unknown>>(g.filters, {}),
    links: entityLink(req, `OS-EP-FILTER/endpoint_groups/${g.id}`),
  }
}
