/**
 * @module Monotonic numbers that every dialect gives the same way (a counter row updated inside
 * the caller's transaction): instance-%08x names, Nova's integer ids. Each service creates its
 * own `sequence` table with one row per name.
 */
import { type Kysely, sql } from 'kysely'
import { isUniqueViolation } from './errors.js'

export interface SequenceTable {
  name: string
  value: number
}

/** The next value of `name`; call inside a transaction so the update and the read are atomic. */
export async function nextValue<DB extends { sequence: SequenceTable }>(
  database: Kysely<DB>,
  name: string,
): Promise<number> {
  // SAFETY: DB has the sequence table; the narrower view is all this function touches.
  const db = database as unknown as Kysely<{ sequence: SequenceTable }>
  const updated = await db
    .updateTable('sequence')
    .set({ value: sql<number>`value + 1` })
    .where('name', '=', name)
    .executeTakeFirst()
  if (Number(updated.numUpdatedRows) === 0) {
    await db.insertInto('sequence').values({ name, value: 1 }).execute()
    return 1
  }
  const row = await db
    .selectFrom('sequence')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirstOrThrow()
  return row.value
}

/**
 * Makes sure the row `name` exists (outside any transaction), so that nextValue inside a
 * transaction only ever updates it: concurrent first inserts would otherwise abort one of the
 * transactions on PostgreSQL. The update also locks the row until commit, which is how callers
 * serialise work per key (e.g. quota checks per project).
 */
export async function ensureSequence<DB extends { sequence: SequenceTable }>(
  database: Kysely<DB>,
  name: string,
): Promise<void> {
  // SAFETY: DB has the sequence table; the narrower view is all this function touches.
  const db = database as unknown as Kysely<{ sequence: SequenceTable }>
  const found = await db
    .selectFrom('sequence')
    .select('name')
    .where('name', '=', name)
    .executeTakeFirst()
  if (found) return
  try {
    await db.insertInto('sequence').values({ name, value: 0 }).execute()
  } catch (err) {
    if (!isUniqueViolation(err)) throw err
  }
}
