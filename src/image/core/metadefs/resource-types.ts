/**
 * @module Resource types (OS::Nova::Server, ...) and their associations with namespaces. An
 * association names a resource type the namespace applies to, with an optional prefix for
 * its property names; associating an unknown type creates it (unprotected).
 */
import type { Kysely } from 'kysely'
import { uuid } from '../../../lib/ids/ids.js'
import type { ImageTables } from '../../db/tables.js'
import { imageErrors } from '../../errors.js'
import {
  type MetadefContext,
  type NamespaceRow,
  nowIso,
  refuseIfProtected,
  shownTime,
  visibleNamespace,
} from './context.js'
import { type AssociationRecord, deleted, notifyAssociation } from './notify.js'
import { RESOURCE_TYPE_SCHEMA } from './schemas.js'
import { readBody } from './validate.js'

type Db = Kysely<ImageTables>

export interface AssociationInput {
  name: string
  prefix?: string | undefined
  properties_target?: string | undefined
}

export function associationView(a: AssociationRecord): Record<string, unknown> {
  return {
    name: a.name,
    ...(a.prefix === null ? {} : { prefix: a.prefix }),
    ...(a.properties_target === null ? {} : { properties_target: a.properties_target }),
    created_at: shownTime(a.created_at),
    updated_at: shownTime(a.updated_at),
  }
}

/** The associations of each namespace in `namespaceIds`, oldest first. */
export async function associationsOf(
  db: Db,
  namespaceIds: string[],
): Promise<Map<string, AssociationRecord[]>> {
  const out = new Map<string, AssociationRecord[]>()
  if (namespaceIds.length === 0) return out
  const rows = await db
    .selectFrom('metadef_namespace_resource_type as a')
    .innerJoin('metadef_resource_type as rt', 'rt.id', 'a.resource_type_id')
    .select([
      'a.namespace_id',
      'rt.name',
      'a.prefix',
      'a.properties_target',
      'a.created_at',
      'a.updated_at',
    ])
    .where('a.namespace_id', 'in', namespaceIds)
    .orderBy('a.created_at')
    .orderBy('rt.name')
    .execute()
  for (const { namespace_id, ...a } of rows)
    out.set(namespace_id, [...(out.get(namespace_id) ?? []), a])
  return out
}

/** Associates a resource type (created if unknown) with `ns`; 409 when it already is. */
export async function insertAssociation(
  db: Db,
  ns: NamespaceRow,
  input: AssociationInput,
  now: string,
): Promise<AssociationRecord> {
  let type = await db
    .selectFrom('metadef_resource_type')
    .select('id')
    .where('name', '=', input.name)
    .executeTakeFirst()
  if (type === undefined) {
    type = { id: uuid() }
    await db
      .insertInto('metadef_resource_type')
      .values({ id: type.id, name: input.name, protected: 0, created_at: now, updated_at: now })
      .execute()
  }
  const existing = await db
    .selectFrom('metadef_namespace_resource_type')
    .select('namespace_id')
    .where('namespace_id', '=', ns.id)
    .where('resource_type_id', '=', type.id)
    .executeTakeFirst()
  if (existing !== undefined)
    throw imageErrors.conflict(
      `The metadata definition resource-type association of resource-type=${input.name} to namespace=${ns.namespace} already exists.`,
    )
  const record: AssociationRecord = {
    name: input.name,
    prefix: input.prefix ?? null,
    properties_target: input.properties_target ?? null,
    created_at: now,
    updated_at: now,
  }
  await db
    .insertInto('metadef_namespace_resource_type')
    .values({
      namespace_id: ns.id,
      resource_type_id: type.id,
      prefix: record.prefix,
      properties_target: record.properties_target,
      created_at: now,
      updated_at: now,
    })
    .execute()
  return record
}

/** GET /v2/metadefs/resource_types: every type, seeded ones included. */
export async function listResourceTypes(ctx: MetadefContext): Promise<Record<string, unknown>> {
  ctx.authorize('list_metadef_resource_types')
  const rows = await ctx.deps.db
    .selectFrom('metadef_resource_type')
    .select(['name', 'created_at', 'updated_at'])
    .orderBy('created_at')
    .orderBy('name')
    .execute()
  return {
    resource_types: rows.map((r) => ({
      name: r.name,
      created_at: shownTime(r.created_at),
      updated_at: shownTime(r.updated_at),
    })),
  }
}

export async function listAssociations(
  ctx: MetadefContext,
  namespace: string,
): Promise<Record<string, unknown>> {
  const ns = await visibleNamespace(ctx, namespace)
  ctx.authorize('list_metadef_resource_types', ns)
  const associations = (await associationsOf(ctx.deps.db, [ns.id])).get(ns.id) ?? []
  const shown = ctx.allows('get_metadef_resource_type', ns) ? associations : []
  return { resource_type_associations: shown.map(associationView) }
}

export async function createAssociation(
  ctx: MetadefContext,
  namespace: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const input = readBody(body, ['created_at', 'updated_at'], RESOURCE_TYPE_SCHEMA)
  const ns = await visibleNamespace(ctx, namespace)
  ctx.authorize('add_metadef_resource_type_association', ns)
  // SAFETY: the resource type schema admits only these string fields, `name` required.
  const record = await insertAssociation(
    ctx.deps.db,
    ns,
    input as unknown as AssociationInput,
    nowIso(ctx.deps),
  )
  notifyAssociation(ctx.deps, 'create', ns.namespace, record)
  return associationView(record)
}

export async function deleteAssociation(
  ctx: MetadefContext,
  namespace: string,
  typeName: string,
): Promise<void> {
  const ns = await visibleNamespace(ctx, namespace)
  ctx.authorize('remove_metadef_resource_type_association', ns)
  const type = await ctx.deps.db
    .selectFrom('metadef_resource_type')
    .select('id')
    .where('name', '=', typeName)
    .executeTakeFirst()
  const association =
    type &&
    (await ctx.deps.db
      .selectFrom('metadef_namespace_resource_type')
      .selectAll()
      .where('namespace_id', '=', ns.id)
      .where('resource_type_id', '=', type.id)
      .executeTakeFirst())
  if (!type || !association)
    throw imageErrors.forNotFound(`Failed to find resource type ${typeName} to delete`)
  refuseIfProtected(ns, `resource-type-association ${typeName}`)
  await ctx.deps.db
    .deleteFrom('metadef_namespace_resource_type')
    .where('namespace_id', '=', ns.id)
    .where('resource_type_id', '=', type.id)
    .execute()
  notifyAssociation(
    ctx.deps,
    'delete',
    ns.namespace,
    { name: typeName, ...association },
    deleted(ctx.deps),
  )
}

/** The association of `typeName` with `ns` (for ?resource_type= prefixes); 404 if none. */
export async function findAssociation(
  ctx: MetadefContext,
  ns: NamespaceRow,
  typeName: string,
): Promise<AssociationRecord> {
  const type = await ctx.deps.db
    .selectFrom('metadef_resource_type')
    .select('id')
    .where('name', '=', typeName)
    .executeTakeFirst()
  if (!type)
    throw imageErrors.forNotFound(
      `The metadata definition resource-type with name=${typeName}, was not found.`,
    )
  const a = await ctx.deps.db
    .selectFrom('metadef_namespace_resource_type')
    .select(['prefix', 'properties_target', 'created_at', 'updated_at'])
    .where('namespace_id', '=', ns.id)
    .where('resource_type_id', '=', type.id)
    .executeTakeFirst()
  if (!a)
    throw imageErrors.forNotFound(
      `The metadata definition resource-type association of resource-type=${typeName} to namespace=${ns.namespace}, was not found.`,
    )
  return { name: typeName, ...a }
}
