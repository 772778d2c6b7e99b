/**
 * @module better-sqlite3 compiles a statement on every prepare(), and Kysely prepares every
 * query it runs; caching the compiled statements by SQL text removes that cost from every
 * request. Safe because better-sqlite3 runs one statement at a time on the event loop thread.
 */
import type { Database as BetterSqlite, Statement } from 'better-sqlite3'
import type { SqliteDatabase, SqliteStatement } from 'kysely'

export class StatementCachingDatabase implements SqliteDatabase {
  readonly #db: BetterSqlite
  readonly #statements = new Map<string, Statement>()
  readonly #max: number

  constructor(db: BetterSqlite, max = 500) {
    this.#db = db
    this.#max = max
  }

  prepare(sql: string): SqliteStatement {
    let stmt = this.#statements.get(sql)
    if (stmt === undefined) {
      stmt = this.#db.prepare(sql)
      // Queries with IN lists of varying length make distinct texts: keep the cache bounded.
      if (this.#statements.size >= this.#max) this.#statements.clear()
      this.#statements.set(sql, stmt)
    }
    return stmt
  }

  close(): void {
    this.#statements.clear()
    this.#db.close()
  }
}
