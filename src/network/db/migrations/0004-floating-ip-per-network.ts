/**
 * One floating IP per fixed address on each external network (Neutron's uniqueness), not per
 * fixed address overall: a port may be reachable from two external networks.
 */
import { type Kysely, type Migration, MysqlAdapter } from 'kysely'

export const floatingIpPerNetwork: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('floating_ip_fixed_network')
      .ifNotExists()
      .unique()
      .on('floating_ip')
      .columns(['floating_network_id', 'fixed_port_id', 'fixed_ip_address'])
      .execute()
    // MySQL names the table of the index it drops; the others refuse that syntax.
    const drop = db.schema.dropIndex('floating_ip_fixed')
    await (
      db.getExecutor().adapter instanceof MysqlAdapter ? drop.on('floating_ip') : drop
    ).execute()
  },
}
