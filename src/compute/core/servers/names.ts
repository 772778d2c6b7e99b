/** @module Generated server attributes as Nova makes them: hostnames, reservation ids, passwords. */
import { randomInt } from 'node:crypto'

/**
 * Nova's sanitize_hostname: latin-1 only, spaces/underscores/dots to dashes, other punctuation
 * dropped, lower case, at most 63 characters, no leading/trailing dots or dashes.
 */
export function sanitizeHostname(name: string, fallback: string): string {
  let h = Array.from(name)
    .filter((c) => (c.codePointAt(0) ?? 0) < 256)
    .join('')
  h = h.replace(/[ _.]/g, '-')
  h = h.replace(/[^\w.-]+/g, '')
  h = h.toLowerCase().slice(0, 63)
  h = h.replace(/^[.-]+|[.-]+$/g, '')
  return h === '' ? fallback : h
}

const RESERVATION_CHARS = '0123456789abcdefghijklmnopqrstuvwxyz'

export function reservationId(): string {
  let id = 'r-'
  for (let i = 0; i < 8; i++) id += RESERVATION_CHARS.charAt(randomInt(RESERVATION_CHARS.length))
  return id
}

const PASSWORD_GROUPS = ['23456789', 'ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz']

/** 12 characters with at least one of each group, unambiguous letters only (Nova's generate_password). */
export function generatePassword(length = 12): string {
  const chars = PASSWORD_GROUPS.map((g) => g[randomInt(g.length)] ?? '')
  const all = PASSWORD_GROUPS.join('')
  while (chars.length < length) chars.push(all[randomInt(all.length)] ?? '')
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    const tmp = chars[i] ?? ''
    chars[i] = chars[j] ?? ''
    chars[j] = tmp
  }
  return chars.join('')
}
