/** @module Users and groups as Keystone renders them (extras echoed as top-level keys). */
import type { FastifyRequest } from 'fastify'
import { isoMicros } from '../../lib/clock/timestamps.js'
import { fromFlag, fromJson } from '../../lib/db/values.js'
import type { Group } from '../core/groups.js'
import type { User } from '../core/users.js'
import { entityLink } from './links.js'

export function userView(req: FastifyRequest, u: User): Record<string, unknown> {
  const view: Record<string, unknown> = {
    ...fromJson<Record<string, unknown>>(u.extra, {}),
    id: u.id,
    name: u.name,
    domain_id: u.domain_id,
    enabled: fromFlag(u.enabled),
    password_expires_at:
      u.password_expires_at === null ? null : isoMicros(new Date(u.password_expires_at)),
    options: fromJson<Record<string, unknown>>(u.options, {}),
    links: entityLink(req, `users/${u.id}`),
  }
  if (u.default_project_id !== null) view.default_project_id = u.default_project_id
  return view
}

export function groupView(req: FastifyRequest, g: Group): Record<string, unknown> {
  return {
    ...fromJson<Record<string, unknown>>(g.extra, {}),
    id: g.id,
    name: g.name,
    domain_id: g.domain_id,
    description: g.description ?? '',
    links: entityLink(req, `groups/${g.id}`),
  }
}
