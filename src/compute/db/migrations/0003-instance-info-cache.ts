/**
 * Nova's instance_info_cache: each server's network info (its ports, addresses, MACs and
 * networks) as the network service last reported it, so server views and lists read it here
 * instead of asking the network service per server.
 */
import type { Kysely, Migration } from 'kysely'

export const instanceInfoCache: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('instance_info_cache')
      .ifNotExists()
      .addColumn('instance_id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('network_info', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .execute()
  },
}
