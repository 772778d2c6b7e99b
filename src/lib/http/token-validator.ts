/**
 * @module How services learn who holds a token. The identity service provides the real check
 * (in-process, or over HTTP with a service token); the cache in front of it is what
 * keystonemiddleware's token_cache_time is for other services.
 */
import type { Clock } from '../clock/clock.js'
import type { AuthContext } from './auth-context.js'

export interface TokenValidator {
  /**
   * Resolves the token's context; rejects with an Unauthorized AppError when the token is
   * invalid, expired or revoked.
   */
  validate(token: string): Promise<AuthContext>
}

interface Entry {
  context: AuthContext
  cachedAtMs: number
  expiresAtMs: number
}

/** A bounded cache of validated tokens. Entries live `ttlMs` or until the token expires. */
export class CachingTokenValidator implements TokenValidator {
  readonly #inner: TokenValidator
  readonly #clock: Clock
  readonly #ttlMs: number
  readonly #maxEntries: number
  readonly #entries = new Map<string, Entry>()

  constructor(
    inner: TokenValidator,
    options: { clock: Clock; ttlMs: number; maxEntries?: number },
  ) {
    this.#inner = inner
    this.#clock = options.clock
    this.#ttlMs = options.ttlMs
    this.#maxEntries = options.maxEntries ?? 10_000
  }

  async validate(token: string): Promise<AuthContext> {
    const now = this.#clock.nowMs()
    const hit = this.#entries.get(token)
    if (hit && now - hit.cachedAtMs < this.#ttlMs && now < hit.expiresAtMs) return hit.context
    if (hit) this.#entries.delete(token)
    const context = await this.#inner.validate(token)
    if (this.#entries.size >= this.#maxEntries) {
      // Map keeps insertion order: drop the oldest.
      const oldest = this.#entries.keys().next()
      if (oldest.done !== true) this.#entries.delete(oldest.value)
    }
    this.#entries.set(token, {
      context,
      cachedAtMs: now,
      expiresAtMs: Date.parse(context.expiresAt),
    })
    return context
  }

  /** Forgets one token (after a revocation seen locally) or every token. */
  invalidate(token?: string): void {
    if (token === undefined) this.#entries.clear()
    else this.#entries.delete(token)
  }
}
