/**
 * @module A throwaway database per test suite on the dialect named by OSTACK_TEST_DIALECT
 * (sqlite by default; postgres and mysql use the servers at OSTACK_TEST_POSTGRES_URL and
 * OSTACK_TEST_MYSQL_URL, default the local ones), dropped when the suite ends.
 */
import { randomBytes } from 'node:crypto'
import { DIALECTS, type DialectName } from '../../src/lib/db/open-database.js'

export interface TestDatabase {
  dialect: DialectName
  /** A [database] connection URL for the services under test. */
  connection: string
  drop(): Promise<void>
}

export function testDialect(): DialectName {
  const name = process.env.OSTACK_TEST_DIALECT ?? 'sqlite'
  if (!(DIALECTS as readonly string[]).includes(name))
    throw new Error(`OSTACK_TEST_DIALECT must be one of ${DIALECTS.join(', ')}`)
  return name as DialectName
}

const POSTGRES =
  process.env.OSTACK_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
const MYSQL = process.env.OSTACK_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/'

export async function createTestDatabase(
  dialect: DialectName = testDialect(),
): Promise<TestDatabase> {
  const name = `ostack_t_${randomBytes(5).toString('hex')}`
  if (dialect === 'sqlite')
    return { dialect, connection: 'sqlite://:memory:', drop: () => Promise.resolve() }
  if (dialect === 'postgres') {
    const { default: pg } = await import('pg')
    const admin = new pg.Client({ connectionString: POSTGRES })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const url = new URL(POSTGRES)
    url.pathname = `/${name}`
    return {
      dialect,
      connection: url.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: POSTGRES })
        await c.connect()
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        await c.end()
      },
    }
  }
  const mysql = await import('mysql2/promise')
  const url = new URL(MYSQL)
  url.pathname = `/${name}`
  return {
    dialect,
    connection: url.toString(),
    drop: async () => {
      const c = await mysql.createConnection(MYSQL)
      const [rows] = await c.query(`SHOW DATABASES LIKE '${name}%'`)
      for (const row of rows as Record<string, string>[])
        await c.query(`DROP DATABASE \`${Object.values(row)[0] ?? ''}\``)
      await c.end()
    },
  }
}
