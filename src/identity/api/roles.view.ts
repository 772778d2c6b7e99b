/** @module Roles and role inference rules as Keystone renders them. */
import type { FastifyRequest } from 'fastify'
import type { Role } from '../core/role-admin.js'
import { roleDict } from './role-dict.view.js'
import { entityLink } from './links.js'

/** The same dict for create, GET and list items (Tempest compares them). */
export function roleView(req: FastifyRequest, r: Role): Record<string, unknown> {
  return { ...roleDict(r), links: entityLink(req, `roles/${r.id}`) }
}

/** A role as policy rules see it (`target.role.domain_id` is None for a global role). */
export function roleTarget(r: Role): Record<string, unknown> {
  return roleDict(r)
}

/** `{id, links, name}`: how prior and implied roles appear in inference rules. */
export function inferenceRef(req: FastifyRequest, r: Role): Record<string, unknown> {
  return { id: r.id, links: entityLink(req, `roles/${r.id}`), name: r.name }
}
