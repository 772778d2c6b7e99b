/**
 * @module The identity service's own TokenValidator: validates a token against the live state
 * and hands services an AuthContext. A token that fails is a 401 here (it is the caller's own
 * credential), unlike GET /v3/auth/tokens where a bad subject token is a 404.
 */
import type { AuthContext } from '../../lib/http/auth-context.js'
import type { TokenValidator } from '../../lib/http/token-validator.js'
import { unauthorized } from '../errors.js'
import type { IdentityDeps } from './deps.js'
import { TokenInvalid, type TokenData, validateToken } from './token-model.js'

export function toAuthContext(t: TokenData): AuthContext {
  return {
    token: t.token,
    userId: t.user.id,
    userName: t.user.name,
    userDomainId: t.user.domain.id,
    userDomainName: t.user.domain.name,
    projectId: t.project?.id,
    projectName: t.project?.name,
    projectDomainId: t.project?.domain.id,
    projectDomainName: t.project?.domain.name,
    domainId: t.domain?.id,
    domainName: t.domain?.name,
    system: t.system ? 'all' : undefined,
    roles: t.roles.map((r) => r.name),
    roleIds: t.roles.map((r) => r.id),
    // No [resource] admin_project configured: Keystone treats every project as the admin project.
    isAdminProject: true,
    methods: t.methods,
    auditIds: t.payload.auditIds,
    expiresAt: new Date(t.expiresAtMs).toISOString(),
    issuedAt: new Date(t.issuedAtMs).toISOString(),
    trustId: t.trust?.id,
    trustorUserId: t.trust?.trustorUserId,
    trusteeUserId: t.trust?.trusteeUserId,
    applicationCredentialId: t.applicationCredential?.id,
  }
}

export class IdentityTokenValidator implements TokenValidator {
  readonly #deps: IdentityDeps
  constructor(deps: IdentityDeps) {
    this.#deps = deps
  }

  async validate(token: string): Promise<AuthContext> {
    try {
      return toAuthContext(await validateToken(this.#deps, token))
    } catch (err) {
      if (err instanceof TokenInvalid) throw unauthorized()
      throw err
    }
  }
}
