/**
 * Ports remember how they were addressed (Neutron's ip_allocation: `immediate`, or `none` for a
 * port created with `fixed_ips: []`), and fixed IPs are found by address alone (the
 * `fixed_ips=ip_address=` filter) without a scan.
 */
import type { Kysely, Migration } from 'kysely'

export const portIpAllocation: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('port')
      .addColumn('ip_allocation', 'varchar(16)', (c) => c.notNull().defaultTo('immediate'))
      .execute()
    await db.schema
      .createIndex('ip_allocation_address')
      .ifNotExists()
      .on('ip_allocation')
      .column('ip_address')
      .execute()
  },
}
