/**
 * nova-network's view of its networks (the legacy managers): what `nova-manage network create`
 * recorded beside the Neutron network and subnet that carry the addresses, and the floating
 * ranges of os-floating-ips-bulk.
 */
import type { Kysely, Migration } from 'kysely'

const ID = 'varchar(36)'
const IP = 'varchar(64)'
const TIME = 'varchar(32)'

export const legacyNetworks: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('legacy_network')
      .ifNotExists()
      .addColumn('network_id', ID, (c) => c.primaryKey())
      .addColumn('subnet_id', ID, (c) => c.notNull())
      .addColumn('label', 'varchar(255)', (c) => c.notNull())
      .addColumn('cidr', IP, (c) => c.notNull())
      .addColumn('netmask', IP, (c) => c.notNull())
      .addColumn('broadcast', IP, (c) => c.notNull())
      .addColumn('gateway', IP, (c) => c.notNull())
      .addColumn('dhcp_start', IP, (c) => c.notNull())
      .addColumn('dhcp_server', IP, (c) => c.notNull())
      .addColumn('bridge', 'varchar(64)', (c) => c.notNull())
      .addColumn('bridge_interface', 'varchar(64)')
      .addColumn('vlan', 'integer')
      .addColumn('multi_host', 'integer', (c) => c.notNull())
      .addColumn('dns1', IP)
      .addColumn('dns2', IP)
      .addColumn('project_id', 'varchar(255)')
      .addColumn('owner_project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('host', 'varchar(255)')
      .addColumn('vpn_private_address', IP)
      .addColumn('vpn_public_address', IP)
      .addColumn('vpn_public_port', 'integer')
      .addColumn('injected', 'integer', (c) => c.notNull())
      .addColumn('enable_dhcp', 'integer', (c) => c.notNull())
      .addColumn('share_address', 'integer', (c) => c.notNull())
      .addColumn('mtu', 'integer')
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addColumn('updated_at', TIME, (c) => c.notNull())
      .execute()
    // One network per VLAN, as nova-network's networks.vlan.
    await db.schema
      .createIndex('legacy_network_vlan')
      .ifNotExists()
      .unique()
      .on('legacy_network')
      .column('vlan')
      .execute()
    await db.schema
      .createTable('legacy_floating_range')
      .ifNotExists()
      .addColumn('ip_range', IP, (c) => c.primaryKey())
      .addColumn('pool', 'varchar(255)', (c) => c.notNull())
      .addColumn('interface', 'varchar(64)', (c) => c.notNull())
      .addColumn('network_id', ID, (c) => c.notNull())
      .addColumn('subnet_id', ID, (c) => c.notNull())
      .addColumn('created_at', TIME, (c) => c.notNull())
      .execute()
  },
}
