/** @module Trusts as OS-TRUST renders them (note the odd `roles_links.self`, without OS-TRUST/trusts). */
import type { FastifyRequest } from 'fastify'
import { requestBaseUrl } from '../../lib/http/urls.js'
import { type RoleRow, secondsZ } from '../core/delegation.js'
import type { Trust } from '../core/trusts.js'
import { entityLink } from './links.js'
import { roleDict } from './role-dict.view.js'

/** The list form: everything but the roles. */
export function trustSummary(req: FastifyRequest, t: Trust): Record<string, unknown> {
  return {
    ...t.extra,
    id: t.id,
    trustor_user_id: t.trustorUserId,
    trustee_user_id: t.trusteeUserId,
    project_id: t.projectId,
    impersonation: t.impersonation,
    expires_at: t.expiresAt === null ? null : secondsZ(t.expiresAt),
    remaining_uses: t.remainingUses,
    redelegated_trust_id: t.redelegatedTrustId,
    redelegation_count: t.redelegationCount,
    deleted_at: t.deletedAt,
    links: entityLink(req, `OS-TRUST/trusts/${t.id}`),
  }
}

export function trustRoleView(req: FastifyRequest, r: RoleRow): Record<string, unknown> {
  return { ...roleDict(r), links: entityLink(req, `roles/${r.id}`) }
}

export function trustRolesLinks(
  req: FastifyRequest,
  t: Trust,
): { self: string; next: null; previous: null } {
  return { self: `${requestBaseUrl(req)}/v3/${t.id}/roles`, next: null, previous: null }
}

export function trustView(
  req: FastifyRequest,
  t: Trust,
  roles: RoleRow[],
): Record<string, unknown> {
  return {
    ...trustSummary(req, t),
    roles: roles.map((r) => trustRoleView(req, r)),
    roles_links: trustRolesLinks(req, t),
  }
}
