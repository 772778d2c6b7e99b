/**
 * @module X.509 key pairs as Nova makes them for WinRM (nova/crypto.py generate_winrm_x509_cert):
 * a self-signed 10-year certificate for `CN=<user id>` with client-auth usage and the UPN
 * `<user id>@localhost`; the "private key" handed back is the key and certificate as a
 * base64 PKCS#12 bundle with an empty password. The fingerprint is the SHA-1 of the DER.
 */
import {
  createHash,
  createHmac,
  generateKeyPair,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto'
import { promisify } from 'node:util'
import * as der from './der.js'
import { colonHex } from './ssh-keys.js'

const generateRsa = promisify(generateKeyPair)

const OID = {
  sha256WithRsa: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3',
  extKeyUsage: '2.5.29.37',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  subjectAltName: '2.5.29.17',
  userPrincipalName: '1.3.6.1.4.1.311.20.2.3',
  data: '1.2.840.113549.1.7.1',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  sha1: '1.3.14.3.2.26',
}

/** SHA-1 of a PEM certificate's DER, colon hex; undefined when it is not a certificate. */
export function x509Fingerprint(pem: string): string | undefined {
  try {
    return colonHex(createHash('sha1').update(new X509Certificate(pem).raw).digest())
  } catch {
    return undefined
  }
}

function pem(label: string, data: Buffer): string {
  const lines = data.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

/** PKCS#12 key derivation (RFC 7292 appendix B.2) with SHA-1. */
function pkcs12Kdf(password: Buffer, salt: Buffer, id: number, rounds: number, size: number) {
  const v = 64
  const fill = (b: Buffer) =>
    b.length === 0 ? Buffer.alloc(0) : Buffer.alloc(v * Math.ceil(b.length / v), b)
  const d = Buffer.alloc(v, id)
  const i = Buffer.concat([fill(salt), fill(password)])
  const out: Buffer[] = []
  for (let made = 0; made < size; made += 20) {
    let a = createHash('sha1').update(d).update(i).digest()
    for (let r = 1; r < rounds; r++) a = createHash('sha1').update(a).digest()
    out.push(a)
    const b = Buffer.alloc(v, a)
    for (let j = 0; j < i.length; j += v) {
      // I_j = (I_j + B + 1) mod 2^(8v)
      let carry = 1
      for (let k = v - 1; k >= 0; k--) {
        const sum = (i[j + k] ?? 0) + (b[k] ?? 0) + carry
        i[j + k] = sum & 0xff
        carry = sum >> 8
      }
    }
  }
  return Buffer.concat(out).subarray(0, size)
}

/** Key and certificate in an (unencrypted, MAC-protected) PKCS#12 bundle, password "". */
function pkcs12(keyDer: Buffer, certDer: Buffer): Buffer {
  const keyId = der.set(
    der.sequence(
      der.oid(OID.localKeyId),
      der.set(der.octets(createHash('sha1').update(certDer).digest())),
    ),
  )
  const certBag = der.sequence(
    der.oid(OID.certBag),
    der.context(0, der.sequence(der.oid(OID.x509Certificate), der.context(0, der.octets(certDer)))),
    keyId,
  )
  const keyBag = der.sequence(der.oid(OID.keyBag), der.context(0, keyDer), keyId)
  const dataInfo = (content: Buffer) =>
    der.sequence(der.oid(OID.data), der.context(0, der.octets(content)))
  const authSafe = der.sequence(dataInfo(der.sequence(certBag)), dataInfo(der.sequence(keyBag)))
  const salt = randomBytes(8)
  const rounds = 2048
  // The empty password as a BMPString: just its two-byte terminator.
  const macKey = pkcs12Kdf(Buffer.alloc(2), salt, 3, rounds, 20)
  const mac = createHmac('sha1', macKey).update(authSafe).digest()
  return der.sequence(
    der.integer(3),
    dataInfo(authSafe),
    der.sequence(
      der.sequence(der.sequence(der.oid(OID.sha1), der.nullValue()), der.octets(mac)),
      der.octets(salt),
      der.integer(rounds),
    ),
  )
}

export interface GeneratedCertificate {
  /** The PEM certificate (Nova's `public_key`). */
  certificate: string
  /** Base64 PKCS#12 of key and certificate (Nova's `private_key`). */
  privateKey: string
  fingerprint: string
}

export async function generateX509KeyPair(
  userId: string,
  now: Date,
): Promise<GeneratedCertificate> {
  const pair = await generateRsa('rsa', { modulusLength: 2048, publicExponent: 65537 })
  const name = der.sequence(der.set(der.sequence(der.oid(OID.commonName), der.utf8(userId))))
  const algorithm = der.sequence(der.oid(OID.sha256WithRsa), der.nullValue())
  const serial = randomBytes(16)
  serial[0] = (serial[0] ?? 0) & 0x7f
  const upn = der.context(
    0,
    der.oid(OID.userPrincipalName),
    der.context(0, der.utf8(`${userId}@localhost`)),
  )
  const extensions = der.context(
    3,
    der.sequence(
      der.sequence(der.oid(OID.extKeyUsage), der.octets(der.sequence(der.oid(OID.clientAuth)))),
      der.sequence(der.oid(OID.subjectAltName), der.octets(der.sequence(upn))),
    ),
  )
  const tbs = der.sequence(
    der.context(0, der.integer(2)),
    der.integer(serial),
    algorithm,
    name,
    der.sequence(der.time(now), der.time(new Date(now.getTime() + 3650 * 86_400_000))),
    name,
    pair.publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  )
  const certDer = der.sequence(tbs, algorithm, der.bitString(sign('sha256', tbs, pair.privateKey)))
  const certificate = pem('CERTIFICATE', certDer)
  const keyDer = pair.privateKey.export({ type: 'pkcs8', format: 'der' })
  return {
    certificate,
    privateKey: pkcs12(keyDer, certDer).toString('base64'),
    fingerprint: colonHex(createHash('sha1').update(certDer).digest()),
  }
}
