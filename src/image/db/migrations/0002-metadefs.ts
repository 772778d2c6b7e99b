/**
 * The metadata definitions catalog: namespaces and what they hold (resource type associations,
 * objects, properties, tags), plus the resource types seeded as Glance's loader seeds them.
 */
import type { Kysely, Migration } from 'kysely'
import { uuid } from '../../../lib/ids/ids.js'
import type { MetadefResourceTypeTable } from '../tables.js'

const ID = 'varchar(36)'
const NAME = 'varchar(80)'
const TIME = 'varchar(32)'

/** Tempest reads resource_types[0]: the list must never be empty. */
const SEEDED_RESOURCE_TYPES = [
  'OS::Cinder::Volume',
  'OS::Glance::Image',
  'OS::Nova::Aggregate',
  'OS::Nova::Flavor',
  'OS::Nova::Server',
  'OS::Trove::Instance',
]

export const metadefs: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const t = (name: string) => db.schema.createTable(name).ifNotExists()
    await t('metadef_namespace')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('namespace', NAME, (c) => c.notNull().unique())
      .addColumn('display_name', NAME)
      .addColumn('description', 'text')
      .addColumn('visibility', 'varchar(32)', (c) => c.notNull())
      .addColumn('protected', 'integer', (c) => c.notNull())
      .addColumn('owner', 'varchar(255)')
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addColumn('updated_at', TIME, (c) => c.notNull())
      .execute()
    await t('metadef_resource_type')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('name', NAME, (c) => c.notNull().unique())
      .addColumn('protected', 'integer', (c) => c.notNull())
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addColumn('updated_at', TIME, (c) => c.notNull())
      .execute()
    await t('metadef_namespace_resource_type')
      .addColumn('namespace_id', ID, (c) => c.notNull())
      .addColumn('resource_type_id', ID, (c) => c.notNull())
      .addColumn('prefix', NAME)
      .addColumn('properties_target', NAME)
      .addColumn('created_at', TIME, (c) => c.notNull())
      .addColumn('updated_at', TIME, (c) => c.notNull())
      .addPrimaryKeyConstraint('metadef_ns_rt_pk', ['namespace_id', 'resource_type_id'])
      .execute()
    // Objects, properties and tags: unique by name within their namespace.
    for (const table of ['metadef_object', 'metadef_property', 'metadef_tag']) {
      let create = t(table)
        .addColumn('id', ID, (c) => c.primaryKey())
        .addColumn('namespace_id', ID, (c) => c.notNull())
        .addColumn('name', NAME, (c) => c.notNull())
      if (table === 'metadef_object')
        create = create.addColumn('description', 'text').addColumn('required', 'text')
      if (table !== 'metadef_tag')
        create = create.addColumn('json_schema', 'text', (c) => c.notNull())
      await create
        .addColumn('created_at', TIME, (c) => c.notNull())
        .addColumn('updated_at', TIME, (c) => c.notNull())
        .addUniqueConstraint(`${table}_ns_name`, ['namespace_id', 'name'])
        .execute()
    }
    await db.schema
      .createIndex('metadef_namespace_owner')
      .on('metadef_namespace')
      .column('owner')
      .execute()

    const now = new Date().toISOString()
    // SAFETY: the table was created just above with exactly these columns.
    const seed = db as unknown as Kysely<{ metadef_resource_type: MetadefResourceTypeTable }>
    await seed
      .insertInto('metadef_resource_type')
      .values(
        SEEDED_RESOURCE_TYPES.map((name) => ({
          id: uuid(),
          name,
          protected: 1,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute()
  },
}
