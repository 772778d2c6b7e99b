/**
 * @module OAuth1 consumers (only their CRUD: the OAuth1 token flow is not served). The secret
 * is shown once, in the create response. Deleting a consumer revokes tokens issued through it.
 */
import type { Kysely } from 'kysely'
import { AppError } from '../../lib/errors/app-error.js'
import { fromJson, toJson } from '../../lib/db/values.js'
import { hexId } from '../../lib/ids/ids.js'
import type { IdentityTables } from '../db/tables.js'
import type { IdentityDeps } from './deps.js'

type Db = Kysely<IdentityTables>

export const CONSUMER_ATTRIBUTES = ['id', 'description', 'secret', 'links']

export interface Consumer {
  id: string
  description: string | null
  secret: string
  extra: Record<string, unknown>
}

/** Keystone's wording for this one is not the usual "Could not find ...". */
function consumerNotFound(): AppError {
  return new AppError({
    code: 'IDENTITY_CONSUMER_NOT_FOUND',
    kind: 'NotFound',
    message: 'Consumer not found',
  })
}

export async function getConsumer(db: Db, id: string): Promise<Consumer> {
  const row = await db.selectFrom('consumer').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw consumerNotFound()
  return {
    id: row.id,
    description: row.description,
    secret: row.secret,
    extra: fromJson<Record<string, unknown>>(row.extra, {}),
  }
}

export async function listConsumers(db: Db): Promise<Consumer[]> {
  const rows = await db.selectFrom('consumer').selectAll().orderBy('id').execute()
  return rows.map((row) => ({
    id: row.id,
    description: row.description,
    secret: row.secret,
    extra: fromJson<Record<string, unknown>>(row.extra, {}),
  }))
}

export async function createConsumer(
  db: Db,
  input: { description: string | null; extra: Record<string, unknown> },
): Promise<Consumer> {
  const consumer: Consumer = {
    id: hexId(),
    description: input.description,
    secret: hexId(),
    extra: input.extra,
  }
  await db
    .insertInto('consumer')
    .values({
      id: consumer.id,
      description: consumer.description,
      secret: consumer.secret,
      extra: toJson(consumer.extra),
    })
    .execute()
  return consumer
}

export async function updateConsumer(
  db: Db,
  id: string,
  patch: { description?: string | null | undefined; extra: Record<string, unknown> },
): Promise<Consumer> {
  const current = await getConsumer(db, id)
  const next: Consumer = {
    ...current,
    description: patch.description === undefined ? current.description : patch.description,
    extra: { ...current.extra, ...patch.extra },
  }
  await db
    .updateTable('consumer')
    .set({ description: next.description, extra: toJson(next.extra) })
    .where('id', '=', id)
    .execute()
  return next
}

export async function deleteConsumer(deps: IdentityDeps, id: string): Promise<void> {
  await getConsumer(deps.db, id)
  await deps.db.deleteFrom('consumer').where('id', '=', id).execute()
  await deps.revocations.revoke({ consumerId: id })
}
