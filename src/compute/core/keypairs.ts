/**
 * @module Key pairs: per user (not per project), named uniquely per user, counted against the
 * `key_pairs` quota. A key is imported (ssh public key or x509 certificate) or generated, in
 * which case the private half is returned once and never stored.
 */
import { isUniqueViolation } from '../../lib/db/errors.js'
import { ensureSequence, nextValue } from '../../lib/db/sequence.js'
import type { ComputeTables, KeyPairTable } from '../db/tables.js'
import { computeErrors } from '../errors.js'
import type { ComputeDeps } from './deps.js'
import { projectLimits } from './quotas.js'
import { generateSshKeyPair, sshFingerprint } from './ssh-keys.js'
import { generateX509KeyPair, x509Fingerprint } from './x509-keys.js'

export type KeyPairRow = KeyPairTable
export type KeyPairType = 'ssh' | 'x509'

/** The user's key pair `name`, if any (server create reads its public key). */
export async function findKeyPair(
  deps: Pick<ComputeDeps, 'db'>,
  userId: string,
  name: string,
): Promise<KeyPairRow | undefined> {
  return deps.db
    .selectFrom('key_pair')
    .selectAll()
    .where('user_id', '=', userId)
    .where('name', '=', name)
    .executeTakeFirst()
}

export async function getKeyPair(
  deps: Pick<ComputeDeps, 'db'>,
  userId: string,
  name: string,
): Promise<KeyPairRow> {
  const row = await findKeyPair(deps, userId, name)
  if (!row) throw computeErrors.notFound(`Keypair ${name} not found for user ${userId}`)
  return row
}

/** A user's key pairs by name; after `marker` (a name, which must exist) when given. */
export async function listKeyPairs(
  deps: Pick<ComputeDeps, 'db'>,
  userId: string,
  page: { limit?: number | undefined; marker?: string | undefined } = {},
): Promise<KeyPairRow[]> {
  let q = deps.db.selectFrom('key_pair').selectAll().where('user_id', '=', userId)
  if (page.marker !== undefined) {
    if (!(await findKeyPair(deps, userId, page.marker)))
      throw computeErrors.badRequest(`Marker ${page.marker} could not be found.`)
    q = q.where('name', '>', page.marker)
  }
  q = q.orderBy('name')
  if (page.limit !== undefined) q = q.limit(page.limit)
  return q.execute()
}

export interface NewKeyPair {
  userId: string
  name: string
  type: KeyPairType
  /** Absent: generate one. */
  publicKey?: string | undefined
}

export interface CreatedKeyPair {
  row: KeyPairRow
  /** Only for generated keys. */
  privateKey?: string
}

async function checkQuota(
  deps: Pick<ComputeDeps, 'db' | 'quotaDefaults'>,
  projectId: string,
  userId: string,
): Promise<void> {
  const limit = (await projectLimits(deps, projectId, userId)).key_pairs
  if (limit < 0) return
  const { n } = await deps.db
    .selectFrom('key_pair')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow()
  if (Number(n) + 1 > limit)
    throw computeErrors.quotaExceeded('Quota exceeded, too many key pairs.')
}

function fingerprintOf(type: KeyPairType, publicKey: string): string {
  if (type === 'x509') {
    const fp = x509Fingerprint(publicKey)
    if (fp === undefined)
      throw computeErrors.badRequest(
        'Keypair data is invalid: failed to generate X509 fingerprint. Error message: Unable to load PEM file.',
      )
    return fp
  }
  const fp = sshFingerprint(publicKey)
  if (fp === undefined)
    throw computeErrors.badRequest('Keypair data is invalid: failed to generate fingerprint')
  return fp
}

/**
 * Imports or generates a key pair for `userId`, counted against the quota of that user in the
 * caller's project: 403 over quota, 400 for an unreadable key, 409 for a taken name.
 */
export async function createKeyPair(
  deps: Pick<ComputeDeps, 'db' | 'quotaDefaults' | 'clock'>,
  projectId: string,
  input: NewKeyPair,
): Promise<CreatedKeyPair> {
  await checkQuota(deps, projectId, input.userId)
  let publicKey: string
  let fingerprint: string
  let privateKey: string | undefined
  if (input.publicKey !== undefined) {
    publicKey = input.publicKey
    fingerprint = fingerprintOf(input.type, publicKey)
  } else if (input.type === 'x509') {
    const made = await generateX509KeyPair(input.userId, deps.clock.now())
    ;({ certificate: publicKey, fingerprint, privateKey } = made)
  } else {
    ;({ publicKey, fingerprint, privateKey } = await generateSshKeyPair())
  }
  const exists = () => computeErrors.conflict(`Key pair '${input.name}' already exists.`)
  if (await findKeyPair(deps, input.userId, input.name)) throw exists()
  await ensureSequence(deps.db, 'key_pair')
  try {
    const row = await deps.db.transaction().execute(async (trx) => {
      const keyPair: KeyPairRow = {
        id: await nextValue<ComputeTables>(trx, 'key_pair'),
        user_id: input.userId,
        name: input.name,
        fingerprint,
        public_key: publicKey,
        type: input.type,
        created_at: deps.clock.now().toISOString(),
      }
      await trx.insertInto('key_pair').values(keyPair).execute()
      return keyPair
    })
    return privateKey === undefined ? { row } : { row, privateKey }
  } catch (err) {
    throw isUniqueViolation(err) ? exists() : err
  }
}

export async function deleteKeyPair(
  deps: Pick<ComputeDeps, 'db'>,
  userId: string,
  name: string,
): Promise<void> {
  const deleted = await deps.db
    .deleteFrom('key_pair')
    .where('user_id', '=', userId)
    .where('name', '=', name)
    .executeTakeFirst()
  if (Number(deleted.numDeletedRows) === 0)
    throw computeErrors.notFound(`Keypair ${name} not found for user ${userId}`)
}
