/**
 * @module A token as it stands now: the payload decrypted, then checked against the current
 * state (user and domains enabled, project enabled, not revoked, not expired, trust and
 * application credential still valid) and completed with names and effective roles.
 * Every failure is a TokenInvalid: callers answer 401 (X-Auth-Token) or 404 (X-Subject-Token).
 */
import { AppError } from '../../lib/errors/app-error.js'
import { fromFlag } from '../../lib/db/values.js'
import type { IdentityDeps } from './deps.js'
import { type RoleRow, delegableRoleIds, isGlobalRole, loadRoles } from './delegation.js'
import { type RoleRef, domainRoles, projectRoles, systemRoles, withImpliedRoles } from './roles.js'
import { originalTrustor } from './trusts.js'
import type { AuthMethod, TokenPayload } from './token-payload.js'
import { unpackPayload } from './token-payload.js'

export interface NamedRef {
  id: string
  name: string
}

export interface TokenUser extends NamedRef {
  domain: NamedRef
  passwordExpiresAt: string | null
}

export interface TokenProject extends NamedRef {
  domain: NamedRef
  isDomain: boolean
}

export interface TokenTrust {
  id: string
  trustorUserId: string
  trusteeUserId: string
  impersonation: boolean
  projectId: string | null
  /** The trustor at the root of a redelegation chain (whose roles back the trust). */
  originalTrustorUserId: string
}

export interface TokenAppCred {
  id: string
  name: string
  unrestricted: boolean
  accessRules: { id: string; service: string; path: string; method: string }[]
}

export interface TokenData {
  token: string
  payload: TokenPayload
  methods: AuthMethod[]
  /** The user the token acts as (the trustor for an impersonating trust). */
  user: TokenUser
  /** The user who authenticated (differs from user only with impersonation). */
  authenticatedUserId: string
  project?: TokenProject | undefined
  domain?: NamedRef | undefined
  system: boolean
  roles: RoleRef[]
  /** Trust-scoped tokens show full role documents (Keystone's role_api.get_role). */
  trustRoleRows?: RoleRow[] | undefined
  trust?: TokenTrust | undefined
  applicationCredential?: TokenAppCred | undefined
  issuedAtMs: number
  expiresAtMs: number
}

export class TokenInvalid extends AppError {
  constructor(reason: string) {
    super({ code: 'IDENTITY_TOKEN_INVALID', kind: 'NotFound', message: reason })
  }
}

export function decodeToken(deps: IdentityDeps, token: string): TokenPayload {
  const out = deps.tokenKeys.decrypt(token)
  const payload = out ? unpackPayload(out.plaintext) : undefined
  if (!payload) throw new TokenInvalid('Could not find token.')
  return payload
}

async function loadDomain(
  deps: IdentityDeps,
  id: string,
): Promise<(NamedRef & { enabled: boolean }) | undefined> {
  const row = await deps.db
    .selectFrom('project')
    .select(['id', 'name', 'enabled'])
    .where('id', '=', id)
    .where('is_domain', '=', 1)
    .executeTakeFirst()
  return row ? { id: row.id, name: row.name, enabled: fromFlag(row.enabled) } : undefined
}

async function loadUser(deps: IdentityDeps, id: string): Promise<TokenUser> {
  const row = await deps.db
    .selectFrom('user')
    .select(['id', 'name', 'domain_id', 'enabled', 'password_expires_at'])
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row || !fromFlag(row.enabled)) throw new TokenInvalid('Could not find token.')
  const domain = await loadDomain(deps, row.domain_id)
  if (!domain?.enabled) throw new TokenInvalid('Could not find token.')
  return {
    id: row.id,
    name: row.name,
    domain: { id: domain.id, name: domain.name },
    passwordExpiresAt: row.password_expires_at,
  }
}

async function loadProject(deps: IdentityDeps, id: string): Promise<TokenProject> {
  const row = await deps.db
    .selectFrom('project')
    .select(['id', 'name', 'domain_id', 'enabled', 'is_domain'])
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row || !fromFlag(row.enabled)) throw new TokenInvalid('Could not find token.')
  const isDomain = fromFlag(row.is_domain)
  const domain = isDomain
    ? { id: row.id, name: row.name, enabled: true }
    : await loadDomain(deps, row.domain_id)
  if (!domain?.enabled) throw new TokenInvalid('Could not find token.')
  return { id: row.id, name: row.name, domain: { id: domain.id, name: domain.name }, isDomain }
}

async function loadTrust(
  deps: IdentityDeps,
  id: string,
  nowMs: number,
): Promise<{ trust: TokenTrust; roleIds: string[] }> {
  const row = await deps.db.selectFrom('trust').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row || row.deleted_at !== null) throw new TokenInvalid('Could not find token.')
  if (row.expires_at !== null && Date.parse(row.expires_at) <= nowMs)
    throw new TokenInvalid('Could not find token.')
  const roles = await deps.db
    .selectFrom('trust_role')
    .select('role_id')
    .where('trust_id', '=', id)
    .execute()
  // A redelegated trust draws on the roles of the first trustor in its chain.
  const originalTrustorUserId = await originalTrustor(
    deps.db,
    row.trustor_user_id,
    row.redelegated_trust_id,
  )
  if (originalTrustorUserId === undefined) throw new TokenInvalid('Could not find token.')
  return {
    trust: {
      id: row.id,
      trustorUserId: row.trustor_user_id,
      trusteeUserId: row.trustee_user_id,
      impersonation: fromFlag(row.impersonation),
      projectId: row.project_id,
      originalTrustorUserId,
    },
    roleIds: roles.map((r) => r.role_id),
  }
}

/**
 * The delegated roles (and those they imply) as full role rows; a trust whose trustor no
 * longer holds every one of them on the project is void. Domain-specific roles are dropped.
 */
async function trustRoles(
  deps: IdentityDeps,
  trust: TokenTrust,
  roleIds: string[],
): Promise<RoleRow[]> {
  if (trust.projectId === null) return []
  const held = await delegableRoleIds(deps.db, trust.originalTrustorUserId, trust.projectId)
  const delegated = await withImpliedRoles(deps.db, roleIds)
  for (const id of delegated)
    if (!held.has(id)) throw new TokenInvalid('Trustee has no delegated roles.')
  const rows = await loadRoles(deps.db, [...delegated])
  return rows.filter(isGlobalRole).sort((a, b) => a.name.localeCompare(b.name))
}

async function loadAppCred(
  deps: IdentityDeps,
  id: string,
  nowMs: number,
): Promise<{ appCred: TokenAppCred; roleIds: string[] }> {
  const row = await deps.db
    .selectFrom('application_credential')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) throw new TokenInvalid('Could not find token.')
  if (row.expires_at !== null && Date.parse(row.expires_at) <= nowMs)
    throw new TokenInvalid('Could not find token.')
  const roles = await deps.db
    .selectFrom('application_credential_role')
    .select('role_id')
    .where('application_credential_id', '=', id)
    .execute()
  const rules = await deps.db
    .selectFrom('application_credential_access_rule')
    .innerJoin('access_rule', 'access_rule.id', 'application_credential_access_rule.access_rule_id')
    .select(['access_rule.id', 'access_rule.service', 'access_rule.path', 'access_rule.method'])
    .where('application_credential_access_rule.application_credential_id', '=', id)
    .execute()
  return {
    appCred: {
      id: row.id,
      name: row.name,
      unrestricted: fromFlag(row.unrestricted),
      accessRules: rules,
    },
    roleIds: roles.map((r) => r.role_id),
  }
}

export interface ValidateOptions {
  /** Accept a token expired less than allow_expired_window ago (services validating for long jobs). */
  allowExpired?: boolean
}

/** Rebuilds and checks a token; throws TokenInvalid when it must be refused. */
export async function validateToken(
  deps: IdentityDeps,
  token: string,
  options: ValidateOptions = {},
): Promise<TokenData> {
  const payload = decodeToken(deps, token)
  return completeToken(deps, token, payload, options)
}

export async function completeToken(
  deps: IdentityDeps,
  token: string,
  payload: TokenPayload,
  options: ValidateOptions = {},
): Promise<TokenData> {
  const nowMs = deps.clock.nowMs()
  const graceMs = options.allowExpired === true ? deps.config.allowExpiredWindow * 1000 : 0
  if (payload.expiresAtMs + graceMs <= nowMs) throw new TokenInvalid('Could not find token.')

  let trust: TokenTrust | undefined
  let trustRoleIds: string[] = []
  if (payload.trustId !== undefined) {
    ;({ trust, roleIds: trustRoleIds } = await loadTrust(deps, payload.trustId, nowMs))
    if (trust.trusteeUserId !== payload.userId) throw new TokenInvalid('User is not a trustee.')
  }
  const authenticated = await loadUser(deps, payload.userId)
  const user =
    trust?.impersonation === true ? await loadUser(deps, trust.trustorUserId) : authenticated
  if (trust && !trust.impersonation) await loadUser(deps, trust.trustorUserId)

  let project: TokenProject | undefined
  let domain: NamedRef | undefined
  let roles: RoleRef[] = []
  let trustRoleRows: RoleRow[] | undefined
  let appCred: TokenAppCred | undefined
  let appCredRoleIds: string[] = []
  // Checked whatever the scope: a deleted or expired application credential voids its tokens.
  if (payload.applicationCredentialId !== undefined)
    ({ appCred, roleIds: appCredRoleIds } = await loadAppCred(
      deps,
      payload.applicationCredentialId,
      nowMs,
    ))
  const scope = payload.scope
  if (scope.kind === 'project') {
    project = await loadProject(deps, scope.projectId)
    if (trust) {
      trustRoleRows = await trustRoles(deps, trust, trustRoleIds)
      roles = trustRoleRows.map((r) => ({ id: r.id, name: r.name }))
    } else if (appCred) {
      // The credential's roles the user still holds (no implied roles added).
      const held = await projectRoles(deps.db, payload.userId, scope.projectId)
      const wanted = new Set(appCredRoleIds)
      roles = held.filter((r) => wanted.has(r.id))
    } else roles = await projectRoles(deps.db, payload.userId, scope.projectId)
    if (roles.length === 0) throw new TokenInvalid('Could not find token.')
  } else if (scope.kind === 'domain') {
    const d = await loadDomain(deps, scope.domainId)
    if (!d?.enabled) throw new TokenInvalid('Could not find token.')
    domain = { id: d.id, name: d.name }
    roles = await domainRoles(deps.db, payload.userId, scope.domainId)
    if (roles.length === 0) throw new TokenInvalid('Could not find token.')
  } else if (scope.kind === 'system') {
    roles = await systemRoles(deps.db, payload.userId)
    if (roles.length === 0) throw new TokenInvalid('Could not find token.')
  }

  await deps.revocations.refresh()
  const revoked = deps.revocations.isRevoked({
    userId: payload.userId,
    trustorId: trust?.trustorUserId,
    trusteeId: trust?.trusteeUserId,
    projectId: project?.id,
    assignmentDomainId: project?.domain.id ?? domain?.id,
    identityDomainId: authenticated.domain.id,
    roleIds: roles.map((r) => r.id),
    trustId: trust?.id,
    auditIds: payload.auditIds,
    issuedAtMs: payload.issuedAtMs,
  })
  if (revoked) throw new TokenInvalid('Could not find token.')

  return {
    token,
    payload,
    methods: payload.methods,
    user,
    authenticatedUserId: authenticated.id,
    project,
    domain,
    system: scope.kind === 'system',
    roles,
    trustRoleRows,
    trust,
    applicationCredential: appCred,
    issuedAtMs: payload.issuedAtMs,
    expiresAtMs: payload.expiresAtMs,
  }
}
