/** @module Application credentials and access rules as Keystone renders them. */
import type { FastifyRequest } from 'fastify'
import type { AccessRule, AppCred } from '../core/application-credentials.js'
import { microsNoZone, type RoleRow } from '../core/delegation.js'
import { entityLink } from './links.js'
import { roleDict } from './role-dict.view.js'

/** `secret` only in the create response; embedded access rules carry no links. */
export function appCredView(
  req: FastifyRequest,
  c: AppCred,
  roles: RoleRow[],
  secret?: string,
): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    user_id: c.userId,
    project_id: c.projectId,
    system: c.system,
    expires_at: c.expiresAt === null ? null : microsNoZone(c.expiresAt),
    unrestricted: c.unrestricted,
    roles: roles.map(roleDict),
    ...(c.accessRules.length > 0
      ? {
          access_rules: c.accessRules.map((r) => ({
            id: r.id,
            service: r.service,
            path: r.path,
            method: r.method,
          })),
        }
      : {}),
    ...(secret === undefined ? {} : { secret }),
    links: entityLink(req, `application_credentials/${c.id}`),
  }
}

/** Self links point at /v3/access_rules/{id}, not under the user. */
export function accessRuleView(req: FastifyRequest, r: AccessRule): Record<string, unknown> {
  return {
    id: r.id,
    service: r.service,
    path: r.path,
    method: r.method,
    links: entityLink(req, `access_rules/${r.id}`),
  }
}
