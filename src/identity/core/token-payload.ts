/**
 * @module What a token carries inside its encryption: just enough to rebuild it (who, how,
 * scope, expiry, audit ids, trust or application credential). Everything else (names, roles,
 * catalog) is looked up at validation time, so tokens stay small and never go stale.
 */

export const AUTH_METHODS = [
  'password',
  'token',
  'application_credential',
  'oauth1',
  'totp',
  'mapped',
] as const
export type AuthMethod = (typeof AUTH_METHODS)[number]

export type TokenScope =
  | { kind: 'unscoped' }
  | { kind: 'project'; projectId: string }
  | { kind: 'domain'; domainId: string }
  | { kind: 'system' }

export interface TokenPayload {
  userId: string
  methods: AuthMethod[]
  scope: TokenScope
  expiresAtMs: number
  /** Millisecond precision, so a token issued right after a revocation event is not caught by it. */
  issuedAtMs: number
  /** [own audit id, the audit id of the token this one was rescoped from]. */
  auditIds: string[]
  trustId?: string | undefined
  applicationCredentialId?: string | undefined
}

const PAYLOAD_VERSION = 1

function methodsToBits(methods: readonly AuthMethod[]): number {
  return methods.reduce((bits, m) => bits | (1 << AUTH_METHODS.indexOf(m)), 0)
}

function bitsToMethods(bits: number): AuthMethod[] {
  return AUTH_METHODS.filter((_, i) => (bits & (1 << i)) !== 0)
}

export function packPayload(p: TokenPayload): Buffer {
  const scope =
    p.scope.kind === 'project'
      ? ['p', p.scope.projectId]
      : p.scope.kind === 'domain'
        ? ['d', p.scope.domainId]
        : p.scope.kind === 'system'
          ? ['s', 'all']
          : ['u', '']
  const fields = [
    PAYLOAD_VERSION,
    p.userId,
    methodsToBits(p.methods),
    ...scope,
    Math.round(p.expiresAtMs / 1000),
    p.issuedAtMs,
    p.auditIds,
    p.trustId ?? 0,
    p.applicationCredentialId ?? 0,
  ]
  return Buffer.from(JSON.stringify(fields))
}

/** Undefined when the plaintext is not a payload we wrote. */
export function unpackPayload(buf: Buffer): TokenPayload | undefined {
  let fields: unknown
  try {
    fields = JSON.parse(buf.toString('utf8'))
  } catch {
    return undefined
  }
  if (!Array.isArray(fields) || fields[0] !== PAYLOAD_VERSION || fields.length !== 10)
    return undefined
  const [, userId, bits, kind, scopeId, expiresSec, issuedAtMs, auditIds, trustId, appCredId] =
    fields as unknown[]
  if (typeof userId !== 'string' || typeof bits !== 'number' || typeof expiresSec !== 'number')
    return undefined
  if (typeof issuedAtMs !== 'number') return undefined
  if (!Array.isArray(auditIds) || typeof scopeId !== 'string') return undefined
  let scope: TokenScope
  if (kind === 'p') scope = { kind: 'project', projectId: scopeId }
  else if (kind === 'd') scope = { kind: 'domain', domainId: scopeId }
  else if (kind === 's') scope = { kind: 'system' }
  else if (kind === 'u') scope = { kind: 'unscoped' }
  else return undefined
  return {
    userId,
    methods: bitsToMethods(bits),
    scope,
    expiresAtMs: expiresSec * 1000,
    issuedAtMs,
    auditIds: auditIds.map(String),
    trustId: typeof trustId === 'string' ? trustId : undefined,
    applicationCredentialId: typeof appCredId === 'string' ? appCredId : undefined,
  }
}
