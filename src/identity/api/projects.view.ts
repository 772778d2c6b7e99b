/** @module Projects and domains as Keystone renders them. */
import type { FastifyRequest } from 'fastify'
import type { Selectable } from 'kysely'
import { fromFlag, fromJson } from '../../lib/db/values.js'
import type { ProjectTable } from '../db/tables.js'
import { entityLink } from './links.js'

export type ProjectRow = Selectable<ProjectTable>

export function projectView(
  req: FastifyRequest,
  p: ProjectRow,
  tags: string[],
): Record<string, unknown> {
  return {
    ...fromJson<Record<string, unknown>>(p.extra, {}),
    id: p.id,
    name: p.name,
    domain_id: p.domain_id,
    description: p.description ?? '',
    enabled: fromFlag(p.enabled),
    parent_id: p.parent_id,
    is_domain: fromFlag(p.is_domain),
    tags,
    options: fromJson<Record<string, unknown>>(p.options, {}),
    links: entityLink(req, `projects/${p.id}`),
  }
}

export function domainView(
  req: FastifyRequest,
  d: ProjectRow,
  tags: string[],
): Record<string, unknown> {
  return {
    ...fromJson<Record<string, unknown>>(d.extra, {}),
    id: d.id,
    name: d.name,
    description: d.description ?? '',
    enabled: fromFlag(d.enabled),
    tags,
    options: fromJson<Record<string, unknown>>(d.options, {}),
    links: entityLink(req, `domains/${d.id}`),
  }
}
