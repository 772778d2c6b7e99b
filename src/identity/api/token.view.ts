/** @module The token body, field for field as Keystone renders it (render_token.py). */
import { isoMicros, isoMicrosZ } from '../../lib/clock/timestamps.js'
import type { CatalogEntry } from '../core/catalog.js'
import type { TokenData } from '../core/token-model.js'
import { roleDict } from './role-dict.view.js'

export function tokenView(
  t: TokenData,
  catalog: CatalogEntry[] | undefined,
): { token: Record<string, unknown> } {
  const body: Record<string, unknown> = {
    methods: t.methods,
    user: {
      domain: { id: t.user.domain.id, name: t.user.domain.name },
      id: t.user.id,
      name: t.user.name,
      password_expires_at:
        t.user.passwordExpiresAt === null ? null : isoMicros(new Date(t.user.passwordExpiresAt)),
    },
    audit_ids: t.payload.auditIds,
    expires_at: isoMicrosZ(new Date(t.expiresAtMs)),
    // Keystone shows whole seconds; the payload keeps milliseconds for revocation checks.
    issued_at: isoMicrosZ(new Date(Math.floor(t.issuedAtMs / 1000) * 1000)),
  }
  const roles = t.roles.map((r) => ({ id: r.id, name: r.name }))
  if (t.system) {
    body.roles = roles
    body.system = { all: true }
  } else if (t.domain) {
    body.domain = { id: t.domain.id, name: t.domain.name }
    body.roles = roles
  } else if (t.trust && t.project) {
    body['OS-TRUST:trust'] = {
      id: t.trust.id,
      trustor_user: { id: t.trust.trustorUserId },
      trustee_user: { id: t.trust.trusteeUserId },
      impersonation: t.trust.impersonation,
    }
    body.project = { domain: t.project.domain, id: t.project.id, name: t.project.name }
    // Keystone shows the delegated roles as full role documents here, not {id, name}.
    body.roles = (t.trustRoleRows ?? []).map(roleDict)
  } else if (t.project) {
    body.project = { domain: t.project.domain, id: t.project.id, name: t.project.name }
    body.is_domain = t.project.isDomain
    body.roles = roles
  }
  if (catalog) body.catalog = catalog
  if (t.applicationCredential) {
    const ac = t.applicationCredential
    body.application_credential = {
      id: ac.id,
      name: ac.name,
      restricted: !ac.unrestricted,
      ...(ac.accessRules.length > 0 ? { access_rules: ac.accessRules } : {}),
    }
  }
  return { token: body }
}
