/**
 * @module Credentials (/v3/credentials and the OS-EC2 view of them). The blob is encrypted at
 * rest with the credential key repository and handed back exactly as the client sent it. An
 * EC2 credential's id is sha256 of its access key, so the access key alone finds it.
 */
import { createHash } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import { fromJson, toJson } from '../../lib/db/values.js'
import { hexId } from '../../lib/ids/ids.js'
import type { CredentialTable, IdentityTables } from '../db/tables.js'
import { badRequest, conflict, notFound } from '../errors.js'
import type { IdentityDeps } from './deps.js'

type Db = Kysely<IdentityTables>
type CredentialRow = Selectable<CredentialTable>

export const CREDENTIAL_COLUMNS = ['id', 'user_id', 'project_id', 'type', 'blob', 'links']

export interface Credential {
  id: string
  user_id: string
  project_id: string | null
  type: string
  blob: string
  extra: Record<string, unknown>
}

export function hashAccessKey(access: string): string {
  return createHash('sha256').update(access, 'utf8').digest('hex')
}

const INVALID_BLOB = 'Invalid blob in credential'

function expecting(attribute: string): string {
  return `Expecting to find ${attribute} in credential. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`
}

/** An EC2 blob must be a JSON object with an access key (Keystone's _validate_blob_json). */
export function parseEc2Blob(blob: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(blob)
  } catch {
    throw badRequest(INVALID_BLOB)
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    Object.keys(parsed).length === 0
  )
    throw badRequest(expecting('blob'))
  // SAFETY: checked to be a non-array object just above.
  const obj = parsed as Record<string, unknown>
  if (obj.access === undefined || obj.access === null) throw badRequest(expecting('access'))
  return obj
}

function decrypt(deps: IdentityDeps, row: CredentialRow): Credential {
  const out = deps.credentialKeys.decrypt(row.encrypted_blob)
  if (!out) throw new Error(`credential ${row.id}: blob cannot be decrypted with the current keys`)
  return {
    id: row.id,
    user_id: row.user_id,
    project_id: row.project_id,
    type: row.type,
    blob: out.plaintext.toString('utf8'),
    extra: fromJson<Record<string, unknown>>(row.extra, {}),
  }
}

function encrypt(deps: IdentityDeps, blob: string): string {
  return deps.credentialKeys.encrypt(Buffer.from(blob, 'utf8'), deps.clock.nowMs() / 1000)
}

export async function findCredential(
  deps: IdentityDeps,
  id: string,
): Promise<Credential | undefined> {
  const row = await deps.db
    .selectFrom('credential')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  return row ? decrypt(deps, row) : undefined
}

export async function getCredential(deps: IdentityDeps, id: string): Promise<Credential> {
  const cred = await findCredential(deps, id)
  if (!cred) throw notFound('credential', id)
  return cred
}

export async function listCredentials(
  deps: IdentityDeps,
  filters: { user_id?: string | undefined; type?: string | undefined },
): Promise<Credential[]> {
  let query = deps.db.selectFrom('credential').selectAll()
  if (filters.user_id !== undefined) query = query.where('user_id', '=', filters.user_id)
  if (filters.type !== undefined) query = query.where('type', '=', filters.type)
  const rows = await query.orderBy('id').execute()
  return rows.map((r) => decrypt(deps, r))
}

export interface CredentialInput {
  user_id: string
  project_id: string | null
  type: string
  blob: string
  /** Set by the caller for EC2 credentials; otherwise generated. */
  id?: string | undefined
  extra: Record<string, unknown>
}

export async function createCredential(
  deps: IdentityDeps,
  input: CredentialInput,
): Promise<Credential> {
  const id = input.id ?? hexId()
  try {
    await deps.db
      .insertInto('credential')
      .values({
        id,
        user_id: input.user_id,
        project_id: input.project_id,
        type: input.type,
        encrypted_blob: encrypt(deps, input.blob),
        // Keystone records which primary key encrypted the blob, for its key-rotation
        // migration; that tool does not exist here, so nothing reads this column.
        key_hash: '',
        extra: toJson(input.extra),
      })
      .execute()
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('credential', `Duplicate entry found with ID ${id}`)
    throw err
  }
  return {
    id,
    user_id: input.user_id,
    project_id: input.project_id,
    type: input.type,
    blob: input.blob,
    extra: input.extra,
  }
}

export interface CredentialPatch {
  blob?: string | undefined
  project_id?: string | undefined
  type?: string | undefined
  user_id?: string | undefined
  extra: Record<string, unknown>
}

/** Upstream Keystone's update: any of blob/project_id/type/user_id, extras merged; the id stays. */
export async function updateCredential(
  deps: IdentityDeps,
  current: Credential,
  patch: CredentialPatch,
): Promise<Credential> {
  const next: Credential = {
    ...current,
    blob: patch.blob ?? current.blob,
    project_id: patch.project_id ?? current.project_id,
    type: patch.type ?? current.type,
    user_id: patch.user_id ?? current.user_id,
    extra: { ...current.extra, ...patch.extra },
  }
  await deps.db
    .updateTable('credential')
    .set({
      user_id: next.user_id,
      project_id: next.project_id,
      type: next.type,
      extra: toJson(next.extra),
      ...(patch.blob === undefined ? {} : { encrypted_blob: encrypt(deps, next.blob) }),
    })
    .where('id', '=', current.id)
    .execute()
  return next
}

/**
 * An EC2 blob's delegation keys may not change on update: a credential made through a trust
 * must not shed it (Keystone's _validate_blob_update_keys).
 */
export function assertEc2ScopeUnchanged(current: Credential, newBlob: string): void {
  const next = parseEc2Blob(newBlob)
  const old = fromJson<Record<string, unknown>>(current.blob, {})
  for (const key of ['trust_id', 'app_cred_id', 'access_token_id', 'access_id'])
    if ((old[key] ?? null) !== (next[key] ?? null))
      throw badRequest(`${key} can not be updated for credential`)
}

export async function deleteCredential(db: Db, id: string): Promise<void> {
  const res = await db.deleteFrom('credential').where('id', '=', id).executeTakeFirst()
  if (Number(res.numDeletedRows) === 0) throw notFound('credential', id)
}

/** Cascade of a project deletion. */
export async function deleteCredentialsForProject(db: Db, projectId: string): Promise<void> {
  await db.deleteFrom('credential').where('project_id', '=', projectId).execute()
}
