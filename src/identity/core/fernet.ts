/**
 * @module Fernet (https://github.com/fernet/spec): AES-128-CBC encryption plus an HMAC-SHA256
 * signature over version, timestamp, IV and ciphertext. Keys come from a key repository laid out
 * as Keystone's (`0` is the staged key, the highest number is the primary); any key in the
 * repository decrypts, only the primary encrypts, so keys can be rotated without invalidating
 * live tokens.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto'
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'

const VERSION = 0x80
const HEADER = 1 + 8 + 16
const MAC = 32

export interface FernetKey {
  signing: Buffer
  encryption: Buffer
}

export function parseKey(text: string): FernetKey {
  const raw = Buffer.from(text.trim(), 'base64url')
  if (raw.length !== 32) throw new Error('a Fernet key is 32 bytes of URL-safe base64')
  return { signing: raw.subarray(0, 16), encryption: raw.subarray(16) }
}

export function generateKey(): string {
  return randomBytes(32).toString('base64url') + '='
}

/** What encrypts and decrypts with a set of keys (a Fernet, or one that follows a repository). */
export interface FernetKeys {
  encrypt(plaintext: Buffer, nowSec: number): string
  decrypt(token: string): { plaintext: Buffer; timestampSec: number } | undefined
}

export class Fernet implements FernetKeys {
  /** Primary first. */
  readonly #keys: readonly FernetKey[]

  constructor(keys: readonly FernetKey[]) {
    if (keys.length === 0) throw new Error('no Fernet keys')
    this.#keys = keys
  }

  /** Encrypts with the primary key; `nowSec` becomes the token's timestamp (Keystone's issued_at). */
  encrypt(plaintext: Buffer, nowSec: number): string {
    // SAFETY: the constructor refused an empty key list.
    const key = this.#keys[0] as FernetKey
    const iv = randomBytes(16)
    const cipher = createCipheriv('aes-128-cbc', key.encryption, iv)
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
    const header = Buffer.alloc(9)
    header[0] = VERSION
    header.writeBigUInt64BE(BigInt(Math.floor(nowSec)), 1)
    const signed = Buffer.concat([header, iv, ciphertext])
    const mac = createHmac('sha256', key.signing).update(signed).digest()
    // Keystone strips the padding; clients never see '='.
    return Buffer.concat([signed, mac]).toString('base64url')
  }

  /** The plaintext and timestamp (seconds), or undefined when no key verifies the token. */
  decrypt(token: string): { plaintext: Buffer; timestampSec: number } | undefined {
    if (!/^[A-Za-z0-9_-]+=*$/.test(token)) return undefined
    const raw = Buffer.from(token.replace(/=+$/, ''), 'base64url')
    if (raw.length < HEADER + 16 + MAC || raw[0] !== VERSION) return undefined
    const signed = raw.subarray(0, raw.length - MAC)
    const mac = raw.subarray(raw.length - MAC)
    for (const key of this.#keys) {
      const expected = createHmac('sha256', key.signing).update(signed).digest()
      if (!timingSafeEqual(expected, mac)) continue
      const iv = raw.subarray(9, HEADER)
      const ciphertext = raw.subarray(HEADER, raw.length - MAC)
      try {
        const decipher = createDecipheriv('aes-128-cbc', key.encryption, iv)
        const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()])
        return { plaintext, timestampSec: Number(raw.readBigUInt64BE(1)) }
      } catch {
        return undefined
      }
    }
    return undefined
  }
}

/** A directory of numbered key files, as `keystone-manage fernet_setup` makes it. */
export class KeyRepository {
  readonly dir: string
  constructor(dir: string) {
    this.dir = dir
  }

  /** Creates the repository with a staged and a primary key when it is empty. Idempotent. */
  ensure(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    chmodSync(this.dir, 0o700)
    if (this.#indexes().length > 0) return
    this.#write(0, generateKey())
    this.#write(1, generateKey())
  }

  /** Keys, primary (highest index) first; the staged key 0 last. */
  load(): FernetKey[] {
    const indexes = this.#indexes().sort((a, b) => b - a)
    if (indexes.length === 0) throw new Error(`no keys in ${this.dir}: run \`ostack token setup\``)
    return indexes.map((i) => parseKey(readFileSync(join(this.dir, String(i)), 'utf8')))
  }

  /**
   * Keystone's rotation: the staged key becomes the new primary, a new staged key is made,
   * and the oldest secondaries beyond maxActiveKeys are removed. Returns the new primary index.
   */
  rotate(maxActiveKeys: number): number {
    this.ensure()
    const indexes = this.#indexes().sort((a, b) => a - b)
    const primary = Math.max(...indexes) + 1
    renameSync(join(this.dir, '0'), join(this.dir, String(primary)))
    this.#write(0, generateKey())
    const secondaries = indexes.filter((i) => i !== 0)
    const excess = secondaries.length + 2 - maxActiveKeys
    for (const index of secondaries.slice(0, Math.max(0, excess)))
      rmSync(join(this.dir, String(index)))
    return primary
  }

  #indexes(): number[] {
    let names: string[]
    try {
      names = readdirSync(this.dir)
    } catch {
      return []
    }
    return names.filter((n) => /^\d+$/.test(n)).map(Number)
  }

  #write(index: number, key: string): void {
    const tmp = join(this.dir, `.${index}.tmp`)
    writeFileSync(tmp, key, { mode: 0o600 })
    renameSync(tmp, join(this.dir, String(index)))
  }
}

/**
 * The keys of a repository, reloaded when `ostack token rotate` changes it (checked at most once
 * a second), so rotation needs no restart, as with keystone-manage fernet_rotate.
 */
export class RepositoryFernet implements FernetKeys {
  readonly #repo: KeyRepository
  readonly #now: () => number
  #fernet: Fernet
  #mtimeMs: number
  #checkedAtMs = 0

  constructor(repo: KeyRepository, now: () => number) {
    this.#repo = repo
    this.#now = now
    this.#fernet = new Fernet(repo.load())
    this.#mtimeMs = statSync(repo.dir).mtimeMs
  }

  encrypt(plaintext: Buffer, nowSec: number): string {
    return this.#current().encrypt(plaintext, nowSec)
  }

  decrypt(token: string): { plaintext: Buffer; timestampSec: number } | undefined {
    return this.#current().decrypt(token)
  }

  #current(): Fernet {
    const now = this.#now()
    if (now - this.#checkedAtMs < 1000) return this.#fernet
    this.#checkedAtMs = now
    const mtimeMs = statSync(this.#repo.dir).mtimeMs
    if (mtimeMs !== this.#mtimeMs) {
      this.#fernet = new Fernet(this.#repo.load())
      this.#mtimeMs = mtimeMs
    }
    return this.#fernet
  }
}
