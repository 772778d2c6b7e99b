/**
 * @module Per-service migrations, applied at start and by `ostack db sync`. Each service lists
 * its migrations in code (nothing is loaded from a path) and keeps its own migration table.
 * Migrations must pass on SQLite, PostgreSQL and MySQL: no RETURNING, no reliance on
 * transactional DDL, one step each.
 */
import { type Kysely, type Migration, Migrator } from 'kysely'

export type { Migration } from 'kysely'

export interface MigrateResult {
  applied: string[]
}

export async function migrateToLatest(
  db: Kysely<unknown>,
  service: string,
  migrations: Readonly<Record<string, Migration>>,
): Promise<MigrateResult> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: `${service}_migration`,
    migrationLockTableName: `${service}_migration_lock`,
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new Error(
      `${service}: migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      { cause: error },
    )
  }
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  }
}
