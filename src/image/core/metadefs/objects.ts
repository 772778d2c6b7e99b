/**
 * @module Metadef objects: named groups of property definitions within a namespace (e.g. a
 * CPU topology made of sockets, cores and threads), with the names of the required ones.
 */
import type { Kysely, Selectable } from 'kysely'
import { fromJson, toJson } from '../../../lib/db/values.js'
import { uuid } from '../../../lib/ids/ids.js'
import type { ImageTables, MetadefObjectTable } from '../../db/tables.js'
import { imageErrors } from '../../errors.js'
import {
  type MetadefContext,
  type NamespaceRow,
  nowIso,
  refuseIfProtected,
  shownTime,
  visibleNamespace,
} from './context.js'
import { deleted, notifyObject } from './notify.js'
import { prefixed, propertyDefs, storedDefs } from './property-defs.js'
import { OBJECT_SCHEMA, UNNAMED_PROPERTY_SCHEMA } from './schemas.js'
import {
  type Body,
  type Query,
  checkSchema,
  checkVisibility,
  param,
  parseLimit,
  readBody,
  sortDir,
} from './validate.js'

export type ObjectRow = Selectable<MetadefObjectTable>
type Db = Kysely<ImageTables>

const READ_ONLY = ['self', 'schema', 'created_at', 'updated_at']

/**
 * An object as shown. Read back from the database, `required` and `properties` are always
 * there; in the answer to a create or update (`sent` = the body), only if the body had them.
 */
export function objectView(
  row: ObjectRow,
  namespace: string,
  sent?: Body,
  prefix = '',
): Record<string, unknown> {
  const required = fromJson<string[] | null>(row.required, null) ?? []
  const properties = storedDefs(row.json_schema)
  return {
    name: row.name,
    ...(row.description === null ? {} : { description: row.description }),
    ...(sent === undefined || 'required' in sent
      ? { required: required.map((n) => prefix + n) }
      : {}),
    ...(sent === undefined || 'properties' in sent
      ? { properties: prefixed(properties, prefix) }
      : {}),
    created_at: shownTime(row.created_at),
    updated_at: shownTime(row.updated_at),
    self: `/v2/metadefs/namespaces/${namespace}/objects/${row.name}`,
    schema: '/v2/schemas/metadefs/object',
  }
}

function objectBody(body: unknown, nested: boolean): Body {
  const input = readBody(body, READ_ONLY, OBJECT_SCHEMA)
  // On create Glance also checks each property against the property schema (name optional).
  if (nested && typeof input.properties === 'object' && input.properties !== null)
    for (const def of Object.values(input.properties)) checkSchema(UNNAMED_PROPERTY_SCHEMA, def)
  return input
}

function columns(
  input: Body,
): Pick<ObjectRow, 'name' | 'description' | 'required' | 'json_schema'> {
  const required = Array.isArray(input.required) ? input.required : []
  return {
    // SAFETY: the object schema made `name` a string and `description` a string if present.
    name: input.name as string,
    description: (input.description as string | undefined) ?? null,
    required: required.length > 0 ? toJson(required) : null,
    json_schema: toJson(propertyDefs(input.properties)),
  }
}

async function findObject(db: Db, ns: NamespaceRow, name: string): Promise<ObjectRow | undefined> {
  return db
    .selectFrom('metadef_object')
    .selectAll()
    .where('namespace_id', '=', ns.id)
    .where('name', '=', name)
    .executeTakeFirst()
}

function duplicate(name: string, ns: NamespaceRow): Error {
  return imageErrors.conflict(
    `A metadata definition object with name=${name} already exists in namespace=${ns.namespace}.`,
  )
}

/** Adds an object from a validated body; 409 if the name is taken in `ns`. */
export async function insertObject(
  db: Db,
  ns: NamespaceRow,
  input: Body,
  now: string,
): Promise<ObjectRow> {
  const row: ObjectRow = {
    id: uuid(),
    namespace_id: ns.id,
    ...columns(input),
    created_at: now,
    updated_at: now,
  }
  if (await findObject(db, ns, row.name)) throw duplicate(row.name, ns)
  await db.insertInto('metadef_object').values(row).execute()
  return row
}

export async function objectsOf(db: Db, ns: NamespaceRow): Promise<ObjectRow[]> {
  return db
    .selectFrom('metadef_object')
    .selectAll()
    .where('namespace_id', '=', ns.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

export async function createObject(
  ctx: MetadefContext,
  namespace: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const input = objectBody(body, true)
  const ns = await visibleNamespace(ctx, namespace, 'objects')
  ctx.authorize('add_metadef_object', ns)
  const row = await insertObject(ctx.deps.db, ns, input, nowIso(ctx.deps))
  notifyObject(ctx.deps, 'create', ns.namespace, row)
  return objectView(row, ns.namespace, input)
}

/** Glance checks the paging parameters but returns every object. */
export async function listObjects(
  ctx: MetadefContext,
  namespace: string,
  query: Query,
): Promise<Record<string, unknown>> {
  const limit = param(query, 'limit')
  if (limit !== undefined) parseLimit(limit, true)
  sortDir(query)
  checkVisibility(query, ['public', 'private', 'shared'])
  const ns = await visibleNamespace(ctx, namespace, 'objects')
  ctx.authorize('get_metadef_objects', ns)
  const rows = ctx.allows('get_metadef_object', ns) ? await objectsOf(ctx.deps.db, ns) : []
  // No leading slash: Glance's own (odd) link.
  return {
    objects: rows.map((r) => objectView(r, ns.namespace)),
    schema: 'v2/schemas/metadefs/objects',
  }
}

async function existingObject(
  ctx: MetadefContext,
  ns: NamespaceRow,
  name: string,
): Promise<ObjectRow> {
  const row = await findObject(ctx.deps.db, ns, name)
  if (!row) throw imageErrors.forNotFound(`Could not find metadata object ${name}`)
  return row
}

export async function showObject(
  ctx: MetadefContext,
  namespace: string,
  name: string,
): Promise<Record<string, unknown>> {
  const ns = await visibleNamespace(ctx, namespace, 'objects')
  ctx.authorize('get_metadef_object', ns)
  return objectView(await existingObject(ctx, ns, name), ns.namespace)
}

/** PUT: a full replacement; what the body leaves out is cleared. */
export async function updateObject(
  ctx: MetadefContext,
  namespace: string,
  name: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const input = objectBody(body, false)
  const ns = await visibleNamespace(ctx, namespace, 'objects')
  ctx.authorize('modify_metadef_object', ns)
  const old = await existingObject(ctx, ns, name)
  const row: ObjectRow = { ...old, ...columns(input), updated_at: nowIso(ctx.deps) }
  if (row.name !== old.name && (await findObject(ctx.deps.db, ns, row.name)))
    throw imageErrors.conflict(
      `Invalid update. It would result in a duplicate metadata definition object with the same name=${row.name} in namespace=${ns.namespace}.`,
    )
  const { id, ...values } = row
  await ctx.deps.db.updateTable('metadef_object').set(values).where('id', '=', id).execute()
  notifyObject(ctx.deps, 'update', ns.namespace, row, { name_old: old.name })
  return objectView(row, ns.namespace, input)
}

export async function deleteObject(
  ctx: MetadefContext,
  namespace: string,
  name: string,
): Promise<void> {
  const ns = await visibleNamespace(ctx, namespace, 'objects')
  ctx.authorize('delete_metadef_object', ns)
  const row = await existingObject(ctx, ns, name)
  refuseIfProtected(ns, `object ${name}`)
  await ctx.deps.db.deleteFrom('metadef_object').where('id', '=', row.id).execute()
  notifyObject(ctx.deps, 'delete', ns.namespace, row, deleted(ctx.deps))
}
