/**
 * @module Revocation events, as Keystone keeps them: tokens are never stored, so revoking one
 * (or all of a user's, a project's, a role's, a trust's) records an event, and a token is
 * refused when an event issued after it matches every field the event sets. Events are read
 * incrementally by id, so several API processes sharing one database agree.
 */
import type { Kysely, Selectable } from 'kysely'
import type { Clock } from '../../lib/clock/clock.js'
import type { IdentityTables, RevocationEventTable } from '../db/tables.js'

export type RevocationEvent = Selectable<RevocationEventTable>

export interface RevocationCriteria {
  userId?: string
  projectId?: string
  domainId?: string
  roleId?: string
  trustId?: string
  consumerId?: string
  accessTokenId?: string
  auditId?: string
  auditChainId?: string
  /** Tokens expiring after this are kept as events; defaults to now + the token lifetime. */
  expiresAt?: string
}

/** What a token looks like to the revocation check. */
export interface TokenFacts {
  userId: string
  trustorId?: string | undefined
  trusteeId?: string | undefined
  projectId?: string | undefined
  /** The domain of the project or the domain scope. */
  assignmentDomainId?: string | undefined
  /** The domain of the user. */
  identityDomainId?: string | undefined
  roleIds: readonly string[]
  trustId?: string | undefined
  consumerId?: string | undefined
  accessTokenId?: string | undefined
  auditIds: readonly string[]
  issuedAtMs: number
}

export class RevocationList {
  readonly #db: Kysely<IdentityTables>
  readonly #clock: Clock
  readonly #keepMs: number
  #events: RevocationEvent[] = []
  #byAudit = new Map<string, RevocationEvent[]>()
  #lastId = 0
  readonly #listeners: (() => void)[] = []

  /** @param keepMs how long an event matters: token lifetime plus the allow_expired window. */
  constructor(db: Kysely<IdentityTables>, clock: Clock, keepMs: number) {
    this.#db = db
    this.#clock = clock
    this.#keepMs = keepMs
  }

  /** Calls `listener` whenever a new event is seen (token caches of other services drop entries). */
  onRevocation(listener: () => void): void {
    this.#listeners.push(listener)
  }

  /** Reads events recorded since the last read (by this or another process). */
  async refresh(): Promise<void> {
    const rows = await this.#db
      .selectFrom('revocation_event')
      .selectAll()
      .where('id', '>', this.#lastId)
      .orderBy('id')
      .execute()
    for (const row of rows) this.#add(row)
    if (rows.length > 0) for (const listener of this.#listeners) listener()
  }

  async revoke(criteria: RevocationCriteria): Promise<void> {
    const now = this.#clock.now()
    await this.#db
      .insertInto('revocation_event')
      .values({
        domain_id: criteria.domainId ?? null,
        project_id: criteria.projectId ?? null,
        user_id: criteria.userId ?? null,
        role_id: criteria.roleId ?? null,
        trust_id: criteria.trustId ?? null,
        consumer_id: criteria.consumerId ?? null,
        access_token_id: criteria.accessTokenId ?? null,
        audit_id: criteria.auditId ?? null,
        audit_chain_id: criteria.auditChainId ?? null,
        issued_before: now.toISOString(),
        expires_at: criteria.expiresAt ?? null,
        revoked_at: now.toISOString(),
      })
      .execute()
    await this.refresh()
  }

  /** Deletes events older than any token they could match. */
  async prune(): Promise<void> {
    const cutoff = new Date(this.#clock.nowMs() - this.#keepMs).toISOString()
    await this.#db.deleteFrom('revocation_event').where('revoked_at', '<', cutoff).execute()
    this.#events = this.#events.filter((e) => e.revoked_at >= cutoff)
    this.#byAudit = new Map()
    for (const e of this.#events) if (e.audit_id !== null) this.#index(e)
  }

  isRevoked(token: TokenFacts): boolean {
    for (const id of token.auditIds) {
      for (const e of this.#byAudit.get(id) ?? []) if (matches(e, token)) return true
    }
    for (const e of this.#events) if (e.audit_id === null && matches(e, token)) return true
    return false
  }

  /**
   * The earliest time a token issued now may carry: after every recorded event, so a token
   * issued in the same millisecond as a revocation is not caught by it.
   */
  issueTimeMs(nowMs: number): number {
    const last = this.#events.at(-1)
    return last === undefined ? nowMs : Math.max(nowMs, Date.parse(last.issued_before) + 1)
  }

  /** The events, for GET /v3/OS-REVOKE/events. */
  list(since?: string): RevocationEvent[] {
    return since === undefined
      ? [...this.#events]
      : this.#events.filter((e) => e.revoked_at > since)
  }

  #add(row: RevocationEvent): void {
    this.#lastId = Math.max(this.#lastId, row.id)
    this.#events.push(row)
    if (row.audit_id !== null) this.#index(row)
  }

  #index(row: RevocationEvent): void {
    if (row.audit_id === null) return
    const list = this.#byAudit.get(row.audit_id) ?? []
    list.push(row)
    this.#byAudit.set(row.audit_id, list)
  }
}

function matches(e: RevocationEvent, t: TokenFacts): boolean {
  if (t.issuedAtMs > Date.parse(e.issued_before)) return false
  if (
    e.user_id !== null &&
    e.user_id !== t.userId &&
    e.user_id !== t.trustorId &&
    e.user_id !== t.trusteeId
  )
    return false
  if (e.project_id !== null && e.project_id !== t.projectId) return false
  if (
    e.domain_id !== null &&
    e.domain_id !== t.assignmentDomainId &&
    e.domain_id !== t.identityDomainId
  )
    return false
  if (e.role_id !== null && !t.roleIds.includes(e.role_id)) return false
  if (e.trust_id !== null && e.trust_id !== t.trustId) return false
  if (e.consumer_id !== null && e.consumer_id !== t.consumerId) return false
  if (e.access_token_id !== null && e.access_token_id !== t.accessTokenId) return false
  if (e.audit_id !== null && e.audit_id !== t.auditIds[0]) return false
  if (e.audit_chain_id !== null && e.audit_chain_id !== t.auditIds[t.auditIds.length - 1])
    return false
  return true
}
