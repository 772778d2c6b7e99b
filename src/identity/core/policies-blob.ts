/**
 * @module The deprecated /v3/policies store: opaque policy blobs with a type, kept verbatim
 * with any extra attributes. Nothing here is enforced; it only stores what clients upload.
 */
import type { Kysely, Selectable } from 'kysely'
import { fromJson, toJson } from '../../lib/db/values.js'
import { hexId } from '../../lib/ids/ids.js'
import { badRequest, notFound } from '../errors.js'
import type { IdentityTables, PolicyTable } from '../db/tables.js'
import type { IdentityDeps } from './deps.js'

type Db = Kysely<IdentityTables>
export type PolicyBlob = Selectable<PolicyTable>

export const POLICY_COLUMNS = ['id', 'blob', 'type', 'links']

export async function getPolicyBlob(db: Db, id: string): Promise<PolicyBlob> {
  const row = await db.selectFrom('policy').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('policy', id)
  return row
}

export async function createPolicyBlob(
  deps: IdentityDeps,
  input: { blob: string; type: string; extra: Record<string, unknown> },
): Promise<PolicyBlob> {
  const row: PolicyBlob = {
    id: hexId(),
    blob: input.blob,
    type: input.type,
    extra: toJson(input.extra),
  }
  await deps.db.insertInto('policy').values(row).execute()
  return row
}

export async function updatePolicyBlob(
  deps: IdentityDeps,
  id: string,
  patch: {
    id?: unknown
    blob?: string | undefined
    type?: string | undefined
    extra: Record<string, unknown>
  },
): Promise<PolicyBlob> {
  if (patch.id !== undefined && patch.id !== id) throw badRequest('Cannot change policy ID')
  const current = await getPolicyBlob(deps.db, id)
  const row: PolicyBlob = {
    ...current,
    blob: patch.blob ?? current.blob,
    type: patch.type ?? current.type,
    extra: toJson({ ...fromJson<Record<string, unknown>>(current.extra, {}), ...patch.extra }),
  }
  await deps.db.updateTable('policy').set(row).where('id', '=', id).execute()
  return row
}

export async function deletePolicyBlob(deps: IdentityDeps, id: string): Promise<void> {
  await getPolicyBlob(deps.db, id)
  await deps.db.deleteFrom('policy').where('id', '=', id).execute()
}
