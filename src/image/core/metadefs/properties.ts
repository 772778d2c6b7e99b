/**
 * @module Namespace properties: named property definitions (title, type, enum, ...). Names may
 * hold colons (`hw:cpu_policy`, `OS::Nova::Server`); `?resource_type=` shows a name with that
 * association's prefix stripped.
 */
import type { Kysely, Selectable } from 'kysely'
import { toJson } from '../../../lib/db/values.js'
import { uuid } from '../../../lib/ids/ids.js'
import type { ImageTables, MetadefPropertyTable } from '../../db/tables.js'
import { imageErrors } from '../../errors.js'
import {
  type MetadefContext,
  type NamespaceRow,
  nowIso,
  refuseIfProtected,
  visibleNamespace,
} from './context.js'
import { deleted, notifyProperty } from './notify.js'
import { type PropertyDef, propertyDef, storedDefs } from './property-defs.js'
import { findAssociation } from './resource-types.js'
import { PROPERTY_SCHEMA } from './schemas.js'
import { type Query, param, readBody } from './validate.js'

export type PropertyRow = Selectable<MetadefPropertyTable>
type Db = Kysely<ImageTables>

const READ_ONLY = ['created_at', 'updated_at']

function propertyView(row: PropertyRow): PropertyDef {
  return { ...storedDefs(row.json_schema), name: row.name }
}

async function findProperty(
  db: Db,
  ns: NamespaceRow,
  name: string,
): Promise<PropertyRow | undefined> {
  return db
    .selectFrom('metadef_property')
    .selectAll()
    .where('namespace_id', '=', ns.id)
    .where('name', '=', name)
    .executeTakeFirst()
}

/** Adds a property definition; 409 if the name is taken in `ns`. */
export async function insertProperty(
  db: Db,
  ns: NamespaceRow,
  name: string,
  def: PropertyDef,
  now: string,
): Promise<PropertyRow> {
  if (await findProperty(db, ns, name))
    throw imageErrors.conflict(
      `A metadata definition property with name=${name} already exists in namespace=${ns.namespace}.`,
    )
  const row: PropertyRow = {
    id: uuid(),
    namespace_id: ns.id,
    name,
    json_schema: toJson(def),
    created_at: now,
    updated_at: now,
  }
  await db.insertInto('metadef_property').values(row).execute()
  return row
}

/** name -> definition, as namespaces and the properties list show them. */
export async function propertiesOf(db: Db, ns: NamespaceRow): Promise<Record<string, PropertyDef>> {
  const rows = await db
    .selectFrom('metadef_property')
    .selectAll()
    .where('namespace_id', '=', ns.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.name, storedDefs(r.json_schema)]))
}

export async function listProperties(
  ctx: MetadefContext,
  namespace: string,
): Promise<Record<string, unknown>> {
  const ns = await visibleNamespace(ctx, namespace)
  ctx.authorize('get_metadef_properties', ns)
  // Always a dict, `{}` when empty: clients iterate it.
  return { properties: await propertiesOf(ctx.deps.db, ns) }
}

async function existingProperty(
  ctx: MetadefContext,
  ns: NamespaceRow,
  name: string,
): Promise<PropertyRow> {
  const row = await findProperty(ctx.deps.db, ns, name)
  if (!row) throw imageErrors.forNotFound(`Could not find property ${name}`)
  return row
}

export async function showProperty(
  ctx: MetadefContext,
  namespace: string,
  name: string,
  query: Query,
): Promise<PropertyDef> {
  const ns = await visibleNamespace(ctx, namespace)
  ctx.authorize('get_metadef_property', ns)
  let stored = name
  const resourceType = param(query, 'resource_type')
  if (resourceType !== undefined && resourceType !== '') {
    ctx.authorize('get_metadef_resource_type', ns)
    const { prefix } = await findAssociation(ctx, ns, resourceType)
    if (prefix === null || prefix === '' || !name.startsWith(prefix))
      throw imageErrors.forNotFound(
        `Property ${name} does not start with the expected resource type association prefix of '${prefix ?? 'None'}'.`,
      )
    stored = name.slice(prefix.length)
  }
  return propertyView(await existingProperty(ctx, ns, stored))
}

export async function createProperty(
  ctx: MetadefContext,
  namespace: string,
  body: unknown,
): Promise<PropertyDef> {
  const def = propertyDef(readBody(body, READ_ONLY, PROPERTY_SCHEMA))
  const ns = await visibleNamespace(ctx, namespace)
  ctx.authorize('add_metadef_property', ns)
  // SAFETY: the property schema requires a string `name`.
  const row = await insertProperty(ctx.deps.db, ns, def.name as string, def, nowIso(ctx.deps))
  notifyProperty(ctx.deps, 'create', ns.namespace, row)
  return propertyView(row)
}

/** PUT: a full replacement of the definition; the name may change. */
export async function updateProperty(
  ctx: MetadefContext,
  namespace: string,
  name: string,
  body: unknown,
): Promise<PropertyDef> {
  const def = propertyDef(readBody(body, READ_ONLY, PROPERTY_SCHEMA))
  const ns = await visibleNamespace(ctx, namespace)
  ctx.authorize('modify_metadef_property', ns)
  const old = await existingProperty(ctx, ns, name)
  // SAFETY: as for create.
  const row: PropertyRow = {
    ...old,
    name: def.name as string,
    json_schema: toJson(def),
    updated_at: nowIso(ctx.deps),
  }
  if (row.name !== old.name && (await findProperty(ctx.deps.db, ns, row.name)))
    throw imageErrors.conflict(
      `Invalid update. It would result in a duplicate metadata definition property with the same name=${row.name} in namespace=${ns.namespace}.`,
    )
  const { id, ...values } = row
  await ctx.deps.db.updateTable('metadef_property').set(values).where('id', '=', id).execute()
  notifyProperty(ctx.deps, 'update', ns.namespace, row, { name_old: old.name })
  return propertyView(row)
}

export async function deleteProperty(
  ctx: MetadefContext,
  namespace: string,
  name: string,
): Promise<void> {
  const ns = await visibleNamespace(ctx, namespace)
  ctx.authorize('remove_metadef_property', ns)
  const row = await existingProperty(ctx, ns, name)
  refuseIfProtected(ns, `property ${name}`)
  await ctx.deps.db.deleteFrom('metadef_property').where('id', '=', row.id).execute()
  notifyProperty(ctx.deps, 'delete', ns.namespace, row, deleted(ctx.deps))
}
