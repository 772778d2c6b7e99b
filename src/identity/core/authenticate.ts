/**
 * @module POST /v3/auth/tokens: prove who you are (password, token or application credential),
 * choose a scope (project, domain, system, trust, or none), and get a token payload back.
 * Every refusal is a 401 with Keystone's generic message, so callers learn nothing about which
 * part was wrong.
 */
import { AppError } from '../../lib/errors/app-error.js'
import { fromFlag } from '../../lib/db/values.js'
import { randomUrlSafe } from '../../lib/ids/ids.js'
import { badRequest, identityErrors, notFound, unauthorized } from '../errors.js'
import { delegableRoleIds } from './delegation.js'
import { originalTrustor } from './trusts.js'
import type { IdentityDeps } from './deps.js'
import { checkLockout, checkPasswordExpired, recordAuthResult } from './password-rules.js'
import { verifyPassword } from './passwords.js'
import { domainRoles, projectRoles, systemRoles } from './roles.js'
import { TokenInvalid, validateToken, type TokenData } from './token-model.js'
import type { AuthMethod, TokenPayload, TokenScope } from './token-payload.js'

interface DomainRef {
  id?: string
  name?: string
}
interface UserRef {
  id?: string
  name?: string
  domain?: DomainRef
  password?: string
}

export interface AuthRequest {
  identity: {
    methods: string[]
    password?: { user?: UserRef }
    token?: { id: string }
    application_credential?: { id?: string; name?: string; secret?: string; user?: UserRef }
  }
  scope?:
    | string
    | {
        project?: { id?: string; name?: string; domain?: DomainRef }
        domain?: DomainRef
        system?: { all?: boolean }
        'OS-TRUST:trust'?: { id?: string }
        unscoped?: unknown
      }
}

interface Authenticated {
  userId: string
  methods: AuthMethod[]
  /** Set when the method fixes the scope (application credentials). */
  fixedScope?: TokenScope
  expiresAtMs?: number
  parentAuditId?: string
  applicationCredentialId?: string
  parentToken?: TokenData
}

const GENERIC = 'The request you have made requires authentication.'

async function resolveDomainId(deps: IdentityDeps, ref: DomainRef): Promise<string> {
  const query = deps.db.selectFrom('project').select(['id', 'enabled']).where('is_domain', '=', 1)
  const row =
    ref.id !== undefined
      ? await query.where('id', '=', ref.id).executeTakeFirst()
      : await query.where('name', '=', ref.name ?? '').executeTakeFirst()
  if (!row) throw unauthorized(GENERIC)
  if (!fromFlag(row.enabled)) throw unauthorized(GENERIC)
  return row.id
}

async function resolveUser(deps: IdentityDeps, ref: UserRef | undefined) {
  if (!ref || (ref.id === undefined && ref.name === undefined))
    throw badRequest('Invalid input for field identity/password/user: id or name must be present.')
  let query = deps.db.selectFrom('user').selectAll()
  if (ref.id !== undefined) query = query.where('id', '=', ref.id)
  else {
    if (!ref.domain)
      throw badRequest(
        'Expecting to find domain in user. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.',
      )
    if (ref.domain.id === undefined && ref.domain.name === undefined)
      throw badRequest(
        'Invalid input for field identity/password/user/domain: id or name must be present.',
      )
    const domainId = await resolveDomainId(deps, ref.domain)
    query = query.where('domain_id', '=', domainId).where('name', '=', ref.name ?? '')
  }
  const user = await query.executeTakeFirst()
  if (!user) throw unauthorized(GENERIC)
  return user
}

async function assertUserActive(
  deps: IdentityDeps,
  user: { enabled: number; domain_id: string; id: string },
) {
  if (!fromFlag(user.enabled)) throw unauthorized(GENERIC)
  const domain = await deps.db
    .selectFrom('project')
    .select('enabled')
    .where('id', '=', user.domain_id)
    .executeTakeFirst()
  if (!domain || !fromFlag(domain.enabled)) throw unauthorized(GENERIC)
}

async function byPassword(deps: IdentityDeps, req: AuthRequest): Promise<Authenticated> {
  const ref = req.identity.password?.user
  if (ref?.password === undefined)
    throw badRequest('Invalid input for field identity/password/user: password is required.')
  const user = await resolveUser(deps, ref)
  await checkLockout(deps, user)
  const ok = await verifyPassword(ref.password, user.password_hash)
  await recordAuthResult(deps, user, ok)
  if (!ok) throw unauthorized(GENERIC)
  await assertUserActive(deps, user)
  checkPasswordExpired(deps, user)
  return { userId: user.id, methods: ['password'] }
}

async function byToken(deps: IdentityDeps, req: AuthRequest): Promise<Authenticated> {
  const id = req.identity.token?.id
  if (id === undefined)
    throw badRequest("Invalid input for field 'identity/token': 'id' is a required property")
  let parent: TokenData
  try {
    parent = await validateToken(deps, id)
  } catch (err) {
    // Keystone answers a bad token in the token method with 404, not 401.
    if (err instanceof TokenInvalid)
      throw identityErrors.tokenNotFound({ reason: 'Could not find token.' })
    throw err
  }
  const forbid = (action: string) =>
    new AppError({
      code: 'IDENTITY_FORBIDDEN_ACTION',
      kind: 'Forbidden',
      message: `You are not authorized to perform the requested action: ${action}.`,
    })
  if (parent.trust)
    throw forbid(
      'Using trust-scoped token to create another token. Create a new trust-scoped token instead',
    )
  if (parent.applicationCredential || parent.methods.includes('application_credential'))
    throw forbid('Using a delegated token to create another token is not allowed.')
  const scope = req.scope
  if (
    parent.system &&
    typeof scope === 'object' &&
    (scope.project !== undefined || scope.domain !== undefined)
  )
    throw forbid(
      'Using a system-scoped token to create a project-scoped or domain-scoped token is not allowed.',
    )
  const methods = [...new Set<AuthMethod>(['token', ...parent.methods])]
  return {
    userId: parent.authenticatedUserId,
    methods,
    expiresAtMs: parent.expiresAtMs,
    parentAuditId: parent.payload.auditIds[parent.payload.auditIds.length - 1] ?? '',
    parentToken: parent,
  }
}

async function byApplicationCredential(
  deps: IdentityDeps,
  req: AuthRequest,
): Promise<Authenticated> {
  const ref = req.identity.application_credential
  if (ref?.secret === undefined)
    throw badRequest('Invalid input for field identity/application_credential: secret is required.')
  let query = deps.db.selectFrom('application_credential').selectAll()
  if (ref.id !== undefined) query = query.where('id', '=', ref.id)
  else if (ref.name !== undefined && ref.user) {
    const user = await resolveUser(deps, ref.user)
    query = query.where('user_id', '=', user.id).where('name', '=', ref.name)
  } else
    throw badRequest(
      'Invalid input for field identity/application_credential: id, or name and user, must be present.',
    )
  const cred = await query.executeTakeFirst()
  // Keystone looks an id up before checking anything else: an unknown one is a 404.
  if (!cred && ref.id !== undefined) throw notFound('Application Credential', ref.id)
  if (!cred) throw unauthorized(GENERIC)
  if (!(await verifyPassword(ref.secret, cred.secret_hash))) throw unauthorized(GENERIC)
  const nowMs = deps.clock.nowMs()
  const expiresMs = cred.expires_at === null ? undefined : Date.parse(cred.expires_at)
  if (expiresMs !== undefined && expiresMs <= nowMs) throw unauthorized(GENERIC)
  const user = await deps.db
    .selectFrom('user')
    .selectAll()
    .where('id', '=', cred.user_id)
    .executeTakeFirst()
  if (!user) throw unauthorized(GENERIC)
  await assertUserActive(deps, user)
  const fixedScope: TokenScope =
    cred.project_id !== null
      ? { kind: 'project', projectId: cred.project_id }
      : { kind: 'unscoped' }
  return {
    userId: user.id,
    methods: ['application_credential'],
    fixedScope,
    applicationCredentialId: cred.id,
    ...(expiresMs === undefined ? {} : { expiresAtMs: expiresMs }),
  }
}

async function resolveProjectScope(
  deps: IdentityDeps,
  ref: { id?: string; name?: string; domain?: DomainRef },
): Promise<string> {
  if (ref.id === undefined && ref.name === undefined)
    throw badRequest('Invalid input for field scope/project: id or name must be present.')
  let query = deps.db.selectFrom('project').select(['id', 'enabled', 'domain_id'])
  if (ref.id !== undefined) query = query.where('id', '=', ref.id)
  else {
    if (!ref.domain)
      throw badRequest(
        'Expecting to find domain in project. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.',
      )
    const domainId = await resolveDomainId(deps, ref.domain)
    query = query.where('domain_id', '=', domainId).where('name', '=', ref.name ?? '')
  }
  const project = await query.executeTakeFirst()
  if (!project) throw unauthorized(GENERIC)
  if (!fromFlag(project.enabled)) throw unauthorized(GENERIC)
  const domain = await deps.db
    .selectFrom('project')
    .select('enabled')
    .where('id', '=', project.domain_id)
    .executeTakeFirst()
  if (domain && !fromFlag(domain.enabled)) throw unauthorized(GENERIC)
  return project.id
}

interface ScopeChoice {
  scope: TokenScope
  trustId?: string
  trustExpiresAtMs?: number
}

async function chooseScope(
  deps: IdentityDeps,
  req: AuthRequest,
  who: Authenticated,
): Promise<ScopeChoice> {
  const scope = req.scope
  if (who.fixedScope) {
    // An application credential carries its own scope: asking for any scope, even the same one, is refused.
    if (scope !== undefined)
      throw unauthorized(
        'Error authenticating with application credential: Application credentials cannot request a scope.',
      )
    return { scope: who.fixedScope }
  }
  if (scope === undefined) return defaultScope(deps, who)
  if (typeof scope === 'string') {
    if (scope === 'unscoped') return { scope: { kind: 'unscoped' } }
    throw badRequest(`Invalid input for field 'scope': '${scope}' is not a valid scope.`)
  }
  const kinds = ['project', 'domain', 'system', 'OS-TRUST:trust'].filter((k) => k in scope)
  if (kinds.length > 1)
    throw badRequest('Specify either a project, a domain, a system or a trust scope, not several.')
  if (scope.project) {
    const projectId = await resolveProjectScope(deps, scope.project)
    const roles = await projectRoles(deps.db, who.userId, projectId)
    if (roles.length === 0) throw unauthorized(GENERIC)
    return { scope: { kind: 'project', projectId } }
  }
  if (scope.domain) {
    if (scope.domain.id === undefined && scope.domain.name === undefined)
      throw badRequest('Invalid input for field scope/domain: id or name must be present.')
    const domainId = await resolveDomainId(deps, scope.domain)
    const roles = await domainRoles(deps.db, who.userId, domainId)
    if (roles.length === 0) throw unauthorized(GENERIC)
    return { scope: { kind: 'domain', domainId } }
  }
  if (scope.system) {
    if (scope.system.all !== true)
      throw badRequest('Invalid input for field \'scope/system\': only {"all": true} is supported.')
    const roles = await systemRoles(deps.db, who.userId)
    if (roles.length === 0) throw unauthorized(GENERIC)
    return { scope: { kind: 'system' } }
  }
  const trustRef = scope['OS-TRUST:trust']
  if (trustRef) return trustScope(deps, who, trustRef.id)
  return { scope: { kind: 'unscoped' } }
}

/** No scope asked: the user's default project if it is usable, else unscoped (as Keystone). */
async function defaultScope(deps: IdentityDeps, who: Authenticated): Promise<ScopeChoice> {
  const user = await deps.db
    .selectFrom('user')
    .select('default_project_id')
    .where('id', '=', who.userId)
    .executeTakeFirst()
  const projectId = user?.default_project_id
  if (projectId === null || projectId === undefined) return { scope: { kind: 'unscoped' } }
  try {
    await resolveProjectScope(deps, { id: projectId })
  } catch {
    return { scope: { kind: 'unscoped' } }
  }
  const roles = await projectRoles(deps.db, who.userId, projectId)
  return roles.length > 0
    ? { scope: { kind: 'project', projectId } }
    : { scope: { kind: 'unscoped' } }
}

/** Keystone hides why a trust may not be used by this caller: a bare 403. */
function trustForbidden(): AppError {
  return new AppError({
    code: 'IDENTITY_TRUST_FORBIDDEN',
    kind: 'Forbidden',
    message: 'You are not authorized to perform the requested action.',
  })
}

async function trustScope(
  deps: IdentityDeps,
  who: Authenticated,
  trustId: string | undefined,
): Promise<ScopeChoice> {
  if (trustId === undefined)
    throw badRequest("Invalid input for field 'scope/OS-TRUST:trust': 'id' is a required property")
  const trust = await deps.db
    .selectFrom('trust')
    .selectAll()
    .where('id', '=', trustId)
    .executeTakeFirst()
  const nowMs = deps.clock.nowMs()
  // Unknown, deleted, expired and used-up trusts all look alike: 401.
  if (!trust || trust.deleted_at !== null) throw unauthorized(GENERIC)
  const expiresMs = trust.expires_at === null ? undefined : Date.parse(trust.expires_at)
  if (expiresMs !== undefined && expiresMs <= nowMs) throw unauthorized(GENERIC)
  if (trust.remaining_uses !== null && trust.remaining_uses <= 0) throw unauthorized(GENERIC)
  if (trust.trustee_user_id !== who.userId) throw trustForbidden()
  const trustor = await deps.db
    .selectFrom('user')
    .select('enabled')
    .where('id', '=', trust.trustor_user_id)
    .executeTakeFirst()
  if (!trustor || !fromFlag(trustor.enabled)) throw trustForbidden()
  if (trust.project_id !== null) {
    await resolveProjectScope(deps, { id: trust.project_id })
    // The trustor (the first one, for a redelegated trust) must still hold every delegated role.
    const root = await originalTrustor(deps.db, trust.trustor_user_id, trust.redelegated_trust_id)
    if (root === undefined) throw unauthorized(GENERIC)
    const roles = await deps.db
      .selectFrom('trust_role')
      .select('role_id')
      .where('trust_id', '=', trustId)
      .execute()
    const held = await delegableRoleIds(deps.db, root, trust.project_id)
    if (roles.some((r) => !held.has(r.role_id))) throw trustForbidden()
  }
  if (trust.remaining_uses !== null) {
    // Optimistic decrement: two concurrent uses of the last one cannot both succeed.
    const updated = await deps.db
      .updateTable('trust')
      .set({ remaining_uses: trust.remaining_uses - 1 })
      .where('id', '=', trustId)
      .where('remaining_uses', '=', trust.remaining_uses)
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) !== 1) throw unauthorized(GENERIC)
  }
  const scope: TokenScope =
    trust.project_id === null
      ? { kind: 'unscoped' }
      : { kind: 'project', projectId: trust.project_id }
  return { scope, trustId, ...(expiresMs === undefined ? {} : { trustExpiresAtMs: expiresMs }) }
}

/** Authenticates the request and returns the payload of the token to issue. */
export async function authenticate(deps: IdentityDeps, req: AuthRequest): Promise<TokenPayload> {
  const methods = req.identity.methods
  if (methods.length === 0)
    throw badRequest("Invalid input for field 'identity/methods': [] is too short")
  let who: Authenticated | undefined
  for (const method of methods) {
    let result: Authenticated
    if (method === 'password') result = await byPassword(deps, req)
    else if (method === 'token') result = await byToken(deps, req)
    else if (method === 'application_credential') result = await byApplicationCredential(deps, req)
    else throw unauthorized(GENERIC)
    if (who && who.userId !== result.userId) throw unauthorized(GENERIC)
    who = who ? { ...result, methods: [...new Set([...who.methods, ...result.methods])] } : result
  }
  // SAFETY: methods is non-empty, so the loop ran at least once.
  const authenticated = who as Authenticated
  const choice = await chooseScope(deps, req, authenticated)
  await deps.revocations.refresh()
  const nowMs = deps.revocations.issueTimeMs(deps.clock.nowMs())
  const limits = [
    nowMs + deps.config.tokenExpiration * 1000,
    authenticated.expiresAtMs,
    choice.trustExpiresAtMs,
  ].filter((x): x is number => x !== undefined)
  // Fernet keeps whole seconds: round down so the token never outlives what limited it.
  const expiresAtMs = Math.floor(Math.min(...limits) / 1000) * 1000
  const auditIds = [randomUrlSafe(16)]
  if (authenticated.parentAuditId !== undefined) auditIds.push(authenticated.parentAuditId)
  return {
    userId: authenticated.userId,
    methods: authenticated.methods,
    scope: choice.scope,
    expiresAtMs,
    issuedAtMs: nowMs,
    auditIds,
    trustId: choice.trustId,
    applicationCredentialId: authenticated.applicationCredentialId,
  }
}
