/**
 * Subnet pools and auto-allocated topologies: a pool's subnets are found by pool without a
 * scan, and one topology per project is decided by the primary key, as Neutron's
 * auto_allocated_topologies table does (the loser of a race cleans up its own copy).
 */
import type { Kysely, Migration } from 'kysely'

export const subnetpools: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('subnet_subnetpool')
      .ifNotExists()
      .on('subnet')
      .column('subnetpool_id')
      .execute()
    await db.schema
      .createTable('auto_allocated_topology')
      .ifNotExists()
      .addColumn('project_id', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('network_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('router_id', 'varchar(36)')
      .execute()
    await db.schema
      .createIndex('auto_allocated_topology_network')
      .ifNotExists()
      .on('auto_allocated_topology')
      .column('network_id')
      .execute()
  },
}
