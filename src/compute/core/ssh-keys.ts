/**
 * @module OpenSSH public keys as Nova handles them (nova/crypto.py): a key must parse as an
 * OpenSSH public key line (`<type> <base64 blob> [comment]`); its fingerprint is the MD5 of
 * the decoded blob in colon-separated hex; generated keys are 2048-bit RSA, the public half as
 * `ssh-rsa <blob> Generated-by-Nova` and the private half as a PKCS#1 PEM.
 */
import { createHash, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'

const generateRsa = promisify(generateKeyPair)

/** Lowercase hex digest in colon-separated pairs (`ab:cd:...`), as Nova shows fingerprints. */
export function colonHex(digest: Buffer): string {
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join(':')
}

class BlobReader {
  #offset = 0
  constructor(private readonly buf: Buffer) {}
  bytes(): Buffer {
    if (this.#offset + 4 > this.buf.length) throw new Error('truncated')
    const len = this.buf.readUInt32BE(this.#offset)
    const start = this.#offset + 4
    if (start + len > this.buf.length) throw new Error('truncated')
    this.#offset = start + len
    return this.buf.subarray(start, start + len)
  }
  text(): string {
    return this.bytes().toString('latin1')
  }
  mpint(): bigint {
    const b = this.bytes()
    if (b.length === 0) return 0n
    // Positive mpints only: a set top bit would make it negative.
    if ((b[0] ?? 0) & 0x80) throw new Error('negative mpint')
    return BigInt(`0x${b.toString('hex')}`)
  }
  get done(): boolean {
    return this.#offset === this.buf.length
  }
}

const CURVES: Record<string, { name: string; crv: string; size: number }> = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', crv: 'P-256', size: 32 },
  'ecdsa-sha2-nistp384': { name: 'nistp384', crv: 'P-384', size: 48 },
  'ecdsa-sha2-nistp521': { name: 'nistp521', crv: 'P-521', size: 66 },
}

const b64url = (b: Buffer) => b.toString('base64url')

/** Checks the key material itself, as the cryptography library does when loading it. */
function checkKeyBody(type: string, r: BlobReader): void {
  if (type === 'ssh-rsa') {
    const e = r.mpint()
    const n = r.mpint()
    if (n < 3n || e < 3n || e >= n || e % 2n === 0n) throw new Error('bad rsa numbers')
    return
  }
  if (type === 'ssh-dss') {
    const [p, q, g] = [r.mpint(), r.mpint(), r.mpint()]
    r.mpint()
    if (g <= 1n || g >= p || q === 0n) throw new Error('bad dsa numbers')
    return
  }
  if (type === 'ssh-ed25519') {
    if (r.bytes().length !== 32) throw new Error('bad ed25519 key')
    return
  }
  const curve = CURVES[type]
  if (!curve) throw new Error(`unsupported key type ${type}`)
  if (r.text() !== curve.name) throw new Error('curve mismatch')
  const point = r.bytes()
  if (point.length !== 1 + 2 * curve.size || point[0] !== 4) throw new Error('bad point')
  // Throws unless the point is on the curve.
  createPublicKey({
    key: {
      kty: 'EC',
      crv: curve.crv,
      x: b64url(point.subarray(1, 1 + curve.size)),
      y: b64url(point.subarray(1 + curve.size)),
    },
    format: 'jwk',
  })
}

/** Whether `line` is an OpenSSH public key the way cryptography's load_ssh_public_key sees it. */
function isOpenSshPublicKey(line: string): boolean {
  const m = /^(\S+)[ \t]+(\S+)/.exec(line)
  if (!m?.[1] || !m[2] || !/^[A-Za-z0-9+/]+={0,2}$/.test(m[2]) || m[2].length % 4 !== 0)
    return false
  try {
    const r = new BlobReader(Buffer.from(m[2], 'base64'))
    if (r.text() !== m[1]) return false
    checkKeyBody(m[1], r)
    return r.done
  } catch {
    return false
  }
}

/** Nova's fingerprint of an OpenSSH public key, or undefined when it is not one. */
export function sshFingerprint(publicKey: string): string | undefined {
  if (!isOpenSshPublicKey(publicKey)) return undefined
  // Nova hashes the second space-separated field, whatever separated the first two.
  const blob = publicKey.split(' ')[1]
  if (blob === undefined || blob === '') return undefined
  return colonHex(createHash('md5').update(Buffer.from(blob, 'base64')).digest())
}

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'latin1') : data
  const len = Buffer.alloc(4)
  len.writeUInt32BE(body.length)
  return Buffer.concat([len, body])
}

/** An SSH mpint from an unsigned big-endian number (a zero byte first if the top bit is set). */
function sshMpint(unsigned: Buffer): Buffer {
  let start = 0
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++
  const trimmed = unsigned.subarray(start)
  return sshString((trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed)
}

/** The `ssh-rsa <base64>` text of an RSA public key. */
export function opensshRsaPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' })
  const e = Buffer.from(jwk.e ?? '', 'base64url')
  const n = Buffer.from(jwk.n ?? '', 'base64url')
  const blob = Buffer.concat([sshString('ssh-rsa'), sshMpint(e), sshMpint(n)])
  return `ssh-rsa ${blob.toString('base64')}`
}

export interface GeneratedKey {
  publicKey: string
  privateKey: string
  fingerprint: string
}

/** A new 2048-bit RSA key pair in Nova's formats (generation runs off the event loop). */
export async function generateSshKeyPair(): Promise<GeneratedKey> {
  const pair = await generateRsa('rsa', { modulusLength: 2048, publicExponent: 65537 })
  const publicKey = `${opensshRsaPublicKey(pair.publicKey)} Generated-by-Nova`
  const privateKey = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()
  const fingerprint = sshFingerprint(publicKey)
  if (fingerprint === undefined) throw new Error('generated an unreadable ssh key')
  return { publicKey, privateKey, fingerprint }
}
