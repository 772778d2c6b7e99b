/** The identity migrations, in order. */
import type { Migration } from 'kysely'
import type { DialectName } from '../../../lib/db/open-database.js'
import { initial } from './0001-initial.js'
import { userLockout } from './0002-user-lockout.js'

export function identityMigrations(dialect: DialectName): Record<string, Migration> {
  return { '0001-initial': initial(dialect), '0002-user-lockout': userLockout }
}
