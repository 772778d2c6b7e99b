/**
 * @module Per-service migrations, applied at start and by `ostack db sync`. Each service lists
 * its migrations in code (nothing is loaded from a path) and keeps its own migration table.
 * Migrations must pass on SQLite, PostgreSQL and MySQL: no RETURNING, no reliance on
 * transactional DDL, one step each.
 */
import { type Kysely, type Migration, Migrator } from 'kysely'
import {
  type Database,
  type DialectName,
  openDatabase,
  type OpenDatabaseOptions,
} from './open-database.js'

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

/** A service's database, opened and brought to its latest migration. */
export async function openMigratedDatabase<T>(
  options: OpenDatabaseOptions & {
    migrations:
      | Readonly<Record<string, Migration>>
      | ((dialect: DialectName) => Readonly<Record<string, Migration>>)
  },
): Promise<Database<T>> {
  const database = await openDatabase<T>(options)
  const migrations =
    typeof options.migrations === 'function'
      ? options.migrations(database.dialect)
      : options.migrations
  try {
    // SAFETY: the migrator only needs the untyped schema builder.
    await migrateToLatest(database.db as never, options.service, migrations)
  } catch (err) {
    await database.close()
    throw err
  }
  return database
}
