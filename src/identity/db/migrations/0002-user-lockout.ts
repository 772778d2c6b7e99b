/** Failed password authentications, for [security_compliance] lockout. */
import type { Kysely, Migration } from 'kysely'

export const userLockout: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('user').addColumn('failed_auth_count', 'integer').execute()
    await db.schema.alterTable('user').addColumn('failed_auth_at', 'varchar(32)').execute()
  },
}
