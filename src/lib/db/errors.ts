/** @module Recognises a unique-constraint violation on any dialect (to answer 409, not 500). */

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown; message?: unknown }
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    return true
  if (e.code === '23505') return true // postgres unique_violation
  if (e.code === 'ER_DUP_ENTRY' || e.errno === 1062) return true
  return false
}

/**
 * Runs an insert that a unique index may refuse, without aborting the caller's transaction
 * (a failed statement poisons a PostgreSQL transaction): `INSERT ... ON CONFLICT DO NOTHING`,
 * or `INSERT IGNORE` on MySQL. Returns whether the row went in.
 */
export async function insertIfAbsent(
  builder: {
    onConflict(fn: (oc: { doNothing(): unknown }) => unknown): { execute(): Promise<unknown[]> }
    ignore(): { execute(): Promise<unknown[]> }
  },
  dialect: 'sqlite' | 'postgres' | 'mysql',
): Promise<boolean> {
  const query = dialect === 'mysql' ? builder.ignore() : builder.onConflict((oc) => oc.doNothing())
  const [result] = (await query.execute()) as { numInsertedOrUpdatedRows?: bigint }[]
  return (result?.numInsertedOrUpdatedRows ?? 0n) > 0n
}
