/**
 * @module Who is calling: the validated token as every service sees it, and the oslo.policy
 * credentials derived from it.
 */
import type { Credentials } from '../policy/enforcer.js'

export interface AuthContext {
  readonly token: string
  readonly userId: string
  readonly userName: string
  readonly userDomainId: string
  readonly userDomainName: string
  readonly projectId?: string | undefined
  readonly projectName?: string | undefined
  readonly projectDomainId?: string | undefined
  readonly projectDomainName?: string | undefined
  readonly domainId?: string | undefined
  readonly domainName?: string | undefined
  /** Present on system-scoped tokens. */
  readonly system?: 'all' | undefined
  /** Role names, effective (implied roles included). */
  readonly roles: readonly string[]
  readonly roleIds: readonly string[]
  readonly isAdminProject: boolean
  readonly methods: readonly string[]
  readonly auditIds: readonly string[]
  /** ISO-8601 UTC. */
  readonly expiresAt: string
  readonly issuedAt: string
  readonly trustId?: string | undefined
  readonly trustorUserId?: string | undefined
  readonly trusteeUserId?: string | undefined
  readonly applicationCredentialId?: string | undefined
}

export function isScoped(auth: AuthContext): boolean {
  return auth.projectId !== undefined || auth.domainId !== undefined || auth.system !== undefined
}

/** The oslo.policy credentials dictionary, with the keys Keystone's and Nova's rules use. */
export function policyCredentials(auth: AuthContext | undefined): Credentials {
  if (!auth) return { roles: [] }
  return {
    user_id: auth.userId,
    user_domain_id: auth.userDomainId,
    project_id: auth.projectId ?? null,
    project_domain_id: auth.projectDomainId ?? null,
    domain_id: auth.domainId ?? null,
    domain_name: auth.domainName ?? null,
    system_scope: auth.system ?? null,
    roles: auth.roles,
    is_admin: false,
    is_admin_project: auth.isAdminProject,
    trust_id: auth.trustId ?? null,
    trustor_id: auth.trustorUserId ?? null,
    trustee_id: auth.trusteeUserId ?? null,
    token: {
      user: { id: auth.userId, domain: { id: auth.userDomainId } },
      project:
        auth.projectId === undefined
          ? undefined
          : { id: auth.projectId, domain: { id: auth.projectDomainId } },
      domain: auth.domainId === undefined ? undefined : { id: auth.domainId },
      is_admin_project: auth.isAdminProject,
    },
  }
}
