/**
 * @module Metadef tags: plain names within a namespace, unique regardless of case. A multi-
 * create replaces the namespace's tags unless the client asks to append.
 */
import type { Kysely, Selectable } from 'kysely'
import { uuid } from '../../../lib/ids/ids.js'
import type { ImageTables, MetadefTagTable } from '../../db/tables.js'
import { imageErrors } from '../../errors.js'
import {
  type MetadefContext,
  type NamespaceRow,
  nowIso,
  refuseIfProtected,
  shownTime,
  visibleNamespace,
} from './context.js'
import { deleted, notifyTag } from './notify.js'
import { TAG_LIST_SCHEMA, TAG_SCHEMA } from './schemas.js'
import {
  type Query,
  checkSchema,
  checkVisibility,
  page,
  param,
  parseLimit,
  readBody,
  sortDir,
} from './validate.js'

export type TagRow = Selectable<MetadefTagTable>
type Db = Kysely<ImageTables>

const READ_ONLY = ['created_at', 'updated_at']
const SORT_KEYS = ['created_at', 'updated_at', 'name', 'id'] as const

function tagView(row: TagRow): Record<string, unknown> {
  return {
    name: row.name,
    created_at: shownTime(row.created_at),
    updated_at: shownTime(row.updated_at),
  }
}

function duplicate(name: string, ns: NamespaceRow): Error {
  return imageErrors.conflict(
    `A metadata tag with name=${name} already exists in namespace=${ns.namespace}. (Please note that metadata tag names are case insensitive).`,
  )
}

export async function tagsOf(db: Db, ns: NamespaceRow): Promise<TagRow[]> {
  return db
    .selectFrom('metadef_tag')
    .selectAll()
    .where('namespace_id', '=', ns.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

/**
 * Adds tags to `ns` (after removing its current ones unless `append`); 409 when a name is
 * repeated or, appending, already there.
 */
export async function insertTags(
  db: Db,
  ns: NamespaceRow,
  names: string[],
  append: boolean,
  now: string,
): Promise<TagRow[]> {
  const taken = new Set(append ? (await tagsOf(db, ns)).map((t) => t.name.toLowerCase()) : [])
  const rows: TagRow[] = []
  for (const name of names) {
    if (taken.has(name.toLowerCase())) throw duplicate(name, ns)
    taken.add(name.toLowerCase())
    rows.push({ id: uuid(), namespace_id: ns.id, name, created_at: now, updated_at: now })
  }
  if (!append) await db.deleteFrom('metadef_tag').where('namespace_id', '=', ns.id).execute()
  if (rows.length > 0) await db.insertInto('metadef_tag').values(rows).execute()
  return rows
}

async function existingTag(ctx: MetadefContext, ns: NamespaceRow, name: string): Promise<TagRow> {
  const row = await ctx.deps.db
    .selectFrom('metadef_tag')
    .selectAll()
    .where('namespace_id', '=', ns.id)
    .where('name', '=', name)
    .executeTakeFirst()
  if (!row) throw imageErrors.forNotFound(`Could not find metadata tag ${name}`)
  return row
}

/** POST .../tags/{name}: no body; the name comes from the path. */
export async function createTag(
  ctx: MetadefContext,
  namespace: string,
  name: string,
): Promise<Record<string, unknown>> {
  const ns = await visibleNamespace(ctx, namespace)
  checkSchema(TAG_SCHEMA, { name })
  ctx.authorize('add_metadef_tag', ns)
  const [row] = await insertTags(ctx.deps.db, ns, [name], true, nowIso(ctx.deps))
  if (!row) throw duplicate(name, ns)
  notifyTag(ctx.deps, 'create', ns.namespace, row)
  return tagView(row)
}

/** POST .../tags: `{"tags": [{"name"}...]}`. */
export async function createTags(
  ctx: MetadefContext,
  namespace: string,
  body: unknown,
  append: boolean,
): Promise<Record<string, unknown>> {
  const input = readBody(body, READ_ONLY, TAG_LIST_SCHEMA)
  const ns = await visibleNamespace(ctx, namespace)
  ctx.authorize('add_metadef_tags', ns)
  // SAFETY: the tag list schema made `tags` an array of {name: string}, if present.
  const names = ((input.tags ?? []) as { name: string }[]).map((t) => t.name)
  // Glance changes nothing when the list is empty, even without append.
  const rows =
    names.length === 0
      ? []
      : await ctx.deps.db
          .transaction()
          .execute((trx) => insertTags(trx, ns, names, append, nowIso(ctx.deps)))
  for (const row of rows) notifyTag(ctx.deps, 'create', ns.namespace, row)
  return { tags: rows.map((r) => ({ name: r.name })) }
}

export async function listTags(
  ctx: MetadefContext,
  namespace: string,
  query: Query,
): Promise<Record<string, unknown>> {
  const dir = sortDir(query)
  checkVisibility(query, ['public', 'private', 'shared'])
  const rawLimit = param(query, 'limit')
  const limit = rawLimit === undefined || rawLimit === '' ? undefined : parseLimit(rawLimit)
  const sortKey = param(query, 'sort_key') ?? 'created_at'
  if (!(SORT_KEYS as readonly string[]).includes(sortKey))
    throw imageErrors.badRequest(`Invalid sort key: ${sortKey}`)
  const ns = await visibleNamespace(ctx, namespace)
  ctx.authorize('get_metadef_tags', ns)
  const marker = param(query, 'marker')
  const markerRow =
    marker === undefined || marker === '' ? undefined : await existingTag(ctx, ns, marker)
  const rows = await tagsOf(ctx.deps.db, ns)
  // SAFETY: sortKey is one of SORT_KEYS, all string columns.
  const key = sortKey as (typeof SORT_KEYS)[number]
  const shown = page(rows, [key, 'created_at', 'id'], dir, markerRow, limit)
  return { tags: shown.map((r) => ({ name: r.name })) }
}

export async function showTag(
  ctx: MetadefContext,
  namespace: string,
  name: string,
): Promise<Record<string, unknown>> {
  const ns = await visibleNamespace(ctx, namespace)
  ctx.authorize('get_metadef_tag', ns)
  return tagView(await existingTag(ctx, ns, name))
}

/** PUT .../tags/{name} `{"name": new}`: a rename. */
export async function updateTag(
  ctx: MetadefContext,
  namespace: string,
  name: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const input = readBody(body, READ_ONLY, TAG_SCHEMA)
  const ns = await visibleNamespace(ctx, namespace)
  ctx.authorize('modify_metadef_tag', ns)
  const old = await existingTag(ctx, ns, name)
  // SAFETY: the tag schema requires a string `name`.
  const newName = input.name as string
  const others = (await tagsOf(ctx.deps.db, ns)).filter((t) => t.id !== old.id)
  if (others.some((t) => t.name.toLowerCase() === newName.toLowerCase()))
    throw duplicate(newName, ns)
  const row: TagRow = { ...old, name: newName, updated_at: nowIso(ctx.deps) }
  await ctx.deps.db
    .updateTable('metadef_tag')
    .set({ name: row.name, updated_at: row.updated_at })
    .where('id', '=', row.id)
    .execute()
  notifyTag(ctx.deps, 'update', ns.namespace, row, { name_old: old.name })
  return tagView(row)
}

export async function deleteTag(
  ctx: MetadefContext,
  namespace: string,
  name: string,
): Promise<void> {
  const ns = await visibleNamespace(ctx, namespace)
  ctx.authorize('delete_metadef_tag', ns)
  const row = await existingTag(ctx, ns, name)
  refuseIfProtected(ns, `tag ${name}`)
  await ctx.deps.db.deleteFrom('metadef_tag').where('id', '=', row.id).execute()
  notifyTag(ctx.deps, 'delete', ns.namespace, row, deleted(ctx.deps))
}
