/**
 * @module Opens a service's own database from a `[database] connection` URL:
 * - `sqlite:///<dir>`: one SQLite file per service in that directory (WAL), so services never
 *   queue behind each other's writes; `sqlite://:memory:` keeps it in memory (tests).
 * - `postgresql://user:pass@host:port/db`: the service's own schema (named after the service)
 *   in that database, created when missing.
 * - `mysql://user:pass@host:port/db`: the service's own database `<db>_<service>`, created
 *   when missing.
 * Service code never sees which: it gets a Kysely instance and the dialect's capabilities.
 */
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from 'kysely'
import type { Logger } from '../log/logger.js'
import { StatementCachingDatabase } from './sqlite-statement-cache.js'

export const DIALECTS = ['sqlite', 'postgres', 'mysql'] as const
export type DialectName = (typeof DIALECTS)[number]

export interface Database<T> {
  readonly db: Kysely<T>
  readonly dialect: DialectName
  /** Where the data lives, for logs (never includes a password). */
  readonly location: string
  close(): Promise<void>
}

export interface OpenDatabaseOptions {
  connection: string
  /** Names the file (sqlite), schema (postgres) or database suffix (mysql). */
  service: string
  log: Logger
  /** Connection pool size for postgres/mysql. */
  poolSize?: number
}

export function dialectOf(connection: string): DialectName {
  if (connection.startsWith('sqlite:')) return 'sqlite'
  if (/^postgres(ql)?(\+\w+)?:/.test(connection)) return 'postgres'
  if (/^mysql(\+\w+)?:/.test(connection)) return 'mysql'
  throw new Error(
    `unsupported [database] connection "${redact(connection)}": use sqlite:///<dir>, postgresql://... or mysql://...`,
  )
}

/** The connection URL without its password, for logs and errors. */
export function redact(connection: string): string {
  return connection.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@')
}

export async function openDatabase<T>(options: OpenDatabaseOptions): Promise<Database<T>> {
  const dialect = dialectOf(options.connection)
  switch (dialect) {
    case 'sqlite':
      return openSqlite<T>(options)
    case 'postgres':
      return openPostgres<T>(options)
    case 'mysql':
      return openMysql<T>(options)
  }
}

async function openSqlite<T>(options: OpenDatabaseOptions): Promise<Database<T>> {
  const { default: SQLite } = await import('better-sqlite3')
  const rest = options.connection.replace(/^sqlite:\/\//, '')
  let file: string
  if (rest === ':memory:' || rest === '/:memory:') file = ':memory:'
  else {
    // sqlite:///./data -> ./data ; sqlite:////abs/dir -> /abs/dir
    const dir = resolve(rest.startsWith('/') ? rest.slice(1) || '.' : rest)
    mkdirSync(dir, { recursive: true })
    file = join(dir, `${options.service}.sqlite`)
  }
  const database = new SQLite(file)
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = NORMAL')
  database.pragma('foreign_keys = ON')
  database.pragma('busy_timeout = 5000')
  const db = new Kysely<T>({
    dialect: new SqliteDialect({ database: new StatementCachingDatabase(database) }),
  })
  return { db, dialect: 'sqlite', location: file, close: () => db.destroy() }
}

function parseUrl(connection: string): URL {
  // oslo.db style "postgresql+psycopg2://" and "mysql+pymysql://" are accepted too.
  return new URL(connection.replace(/^(\w+)\+\w+:/, '$1:'))
}

async function openPostgres<T>(options: OpenDatabaseOptions): Promise<Database<T>> {
  const { default: pg } = await import('pg')
  // Counts and sizes are bigint columns: return them as numbers (all fit in 2^53).
  pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))
  const url = parseUrl(options.connection)
  const schema = options.service.replace(/[^a-z0-9_]/gi, '_')
  const config = {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1) || 'postgres'),
  }
  const bootstrap = new pg.Client(config)
  await bootstrap.connect()
  try {
    await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
  } finally {
    await bootstrap.end()
  }
  const pool = new pg.Pool({
    ...config,
    max: options.poolSize ?? 10,
    options: `-c search_path="${schema}"`,
  })
  // An idle connection the server drops (restart, admin termination) must not crash the process:
  // the pool discards it and opens a new one on the next query.
  pool.on('error', (err) => options.log.warn({ err }, 'idle database connection lost'))
  const db = new Kysely<T>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    dialect: 'postgres',
    location: `postgresql://${config.host}:${config.port}/${config.database} schema ${schema}`,
    close: () => db.destroy(),
  }
}

async function openMysql<T>(options: OpenDatabaseOptions): Promise<Database<T>> {
  const mysql = await import('mysql2')
  const url = parseUrl(options.connection)
  const base = decodeURIComponent(url.pathname.slice(1) || 'ostack')
  const database = `${base}_${options.service}`.replace(/[^a-z0-9_]/gi, '_')
  const config = {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
  }
  const bootstrap = mysql.createConnection(config).promise()
  try {
    await bootstrap.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4`)
  } finally {
    await bootstrap.end()
  }
  const pool = mysql.createPool({
    ...config,
    database,
    connectionLimit: options.poolSize ?? 10,
    // Large counters come back as numbers, not strings.
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
  })
  const db = new Kysely<T>({ dialect: new MysqlDialect({ pool }) })
  // Sanity check: the connection works before the service starts.
  await sql`SELECT 1`.execute(db)
  return {
    db,
    dialect: 'mysql',
    location: `mysql://${config.host}:${config.port}/${database}`,
    close: () => db.destroy(),
  }
}
