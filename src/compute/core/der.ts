/**
 * @module A minimal ASN.1 DER writer: just what building a self-signed X.509 certificate and a
 * PKCS#12 bundle needs (node:crypto signs and parses certificates but cannot build them).
 */

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

/** A tag-length-value element. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), length(body.length), body])
}

export const sequence = (...items: Buffer[]) => tlv(0x30, ...items)
export const set = (...items: Buffer[]) => tlv(0x31, ...items)
export const octets = (data: Buffer) => tlv(0x04, data)
export const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'))
export const nullValue = () => Buffer.from([0x05, 0x00])
/** A bit string with no unused bits. */
export const bitString = (data: Buffer) => tlv(0x03, Buffer.from([0]), data)
/** `[n] EXPLICIT` (or an IMPLICIT constructed type): context-specific, constructed. */
export const context = (n: number, ...content: Buffer[]) => tlv(0xa0 | n, ...content)

/** A non-negative INTEGER from a number or unsigned big-endian bytes. */
export function integer(value: number | Buffer): Buffer {
  let bytes: Buffer
  if (typeof value === 'number') {
    const hex = value.toString(16)
    bytes = Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex')
  } else bytes = value.length > 0 ? value : Buffer.from([0])
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++
  const trimmed = bytes.subarray(start)
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed)
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number)
  const [first = 0, second = 0, ...rest] = parts
  const out: number[] = [first * 40 + second]
  for (const p of rest) {
    const chunk: number[] = [p & 0x7f]
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128))
      chunk.unshift(0x80 | (v & 0x7f))
    out.push(...chunk)
  }
  return tlv(0x06, Buffer.from(out))
}

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 §4.1.2.5). */
export function time(date: Date): Buffer {
  const iso = date.toISOString()
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '')
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'latin1'))
    : tlv(0x18, Buffer.from(`${digits}Z`, 'latin1'))
}
