/**
 * @module Changing namespaces: create (with any associations, objects, tags and properties
 * given inline, all or nothing), full-replacement update, delete with everything in it, and
 * the "delete all objects / properties / tags" calls. Protected namespaces refuse deletes.
 */
import { isUniqueViolation } from '../../../lib/db/errors.js'
import { toFlag } from '../../../lib/db/values.js'
import { uuid } from '../../../lib/ids/ids.js'
import { imageErrors } from '../../errors.js'
import {
  type MetadefContext,
  type NamespaceRow,
  findNamespace,
  nowIso,
  refuseIfProtected,
  visibleNamespace,
} from './context.js'
import { namespaceView } from './namespaces.js'
import {
  deleted,
  notifyAssociation,
  notifyNamespace,
  notifyObject,
  notifyProperty,
  notifyTag,
} from './notify.js'
import { insertObject } from './objects.js'
import { insertProperty } from './properties.js'
import { propertyDefs } from './property-defs.js'
import { type AssociationInput, insertAssociation } from './resource-types.js'
import { NAMESPACE_SCHEMA } from './schemas.js'
import { insertTags } from './tags.js'
import { type Body, readBody } from './validate.js'

const READ_ONLY = ['self', 'schema', 'created_at', 'updated_at']

/** The items of an inline list, each required to have a string name. */
function named(list: unknown, what: string): Body[] {
  if (!Array.isArray(list)) return []
  // SAFETY: the namespace schema made every item an object.
  const items = list as Body[]
  for (const i of items)
    if (typeof i.name !== 'string')
      throw imageErrors.badRequest(`Couldn't create metadata namespace: ${what} name is required`)
  return items
}

function pick(item: Body, keys: readonly string[]): Body {
  return Object.fromEntries(keys.filter((k) => item[k] !== undefined).map((k) => [k, item[k]]))
}

function nonEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0
}

function duplicate(name: string): Error {
  return imageErrors.conflict(`The metadata definition namespace=${name} already exists.`)
}

export async function createNamespace(
  ctx: MetadefContext,
  body: unknown,
): Promise<Record<string, unknown>> {
  const input = readBody(body, READ_ONLY, NAMESPACE_SCHEMA)
  ctx.authorize('add_metadef_namespace')
  if (nonEmpty(input.resource_type_associations))
    ctx.authorize('add_metadef_resource_type_association')
  if (nonEmpty(input.objects)) ctx.authorize('add_metadef_object')
  if (nonEmpty(input.properties)) ctx.authorize('add_metadef_property')
  if (nonEmpty(input.tags)) ctx.authorize('add_metadef_tag')
  const associations = named(input.resource_type_associations, 'resource type')
  const objects = named(input.objects, 'object')
  const tags = named(input.tags, 'tag')

  const now = nowIso(ctx.deps)
  // SAFETY: the namespace schema typed every field read here.
  const ns: NamespaceRow = {
    id: uuid(),
    namespace: input.namespace as string,
    display_name: (input.display_name as string | undefined) ?? null,
    description: (input.description as string | undefined) ?? null,
    visibility: (input.visibility as 'public' | 'private' | undefined) ?? 'private',
    protected: toFlag(input.protected === true),
    owner: 'owner' in input ? (input.owner as string) : (ctx.caller.projectId ?? null),
    created_at: now,
    updated_at: now,
  }
  const made = await ctx.deps.db
    .transaction()
    .execute(async (trx) => {
      if (await findNamespace(trx, ns.namespace)) throw duplicate(ns.namespace)
      await trx.insertInto('metadef_namespace').values(ns).execute()
      const a = []
      // SAFETY: named() checked the names; the schema typed prefix and properties_target.
      for (const item of associations)
        a.push(await insertAssociation(trx, ns, item as unknown as AssociationInput, now))
      const o = []
      for (const item of objects) o.push(await insertObject(trx, ns, item, now))
      const t = await insertTags(
        trx,
        ns,
        tags.map((i) => String(i.name)),
        true,
        now,
      )
      const p = []
      for (const [name, def] of Object.entries(propertyDefs(input.properties)))
        p.push(await insertProperty(trx, ns, name, def, now))
      return { a, o, t, p }
    })
    .catch((err: unknown) => {
      if (isUniqueViolation(err)) throw duplicate(ns.namespace)
      throw err
    })
  notifyNamespace(ctx.deps, 'create', ns)
  for (const a of made.a) notifyAssociation(ctx.deps, 'create', ns.namespace, a)
  for (const o of made.o) notifyObject(ctx.deps, 'create', ns.namespace, o)
  for (const t of made.t) notifyTag(ctx.deps, 'create', ns.namespace, t)
  for (const p of made.p) notifyProperty(ctx.deps, 'create', ns.namespace, p)

  // The inline parts are echoed as sent (fields of Glance's models only), not read back.
  const echo: Body = {}
  if ('resource_type_associations' in input)
    echo.resource_type_associations = associations.map((i) =>
      pick(i, ['name', 'prefix', 'properties_target']),
    )
  if ('properties' in input) echo.properties = propertyDefs(input.properties)
  if ('objects' in input)
    echo.objects = objects.map((i) => ({
      ...pick(i, ['name', 'description', 'required']),
      ...('properties' in i ? { properties: propertyDefs(i.properties) } : {}),
    }))
  if ('tags' in input) echo.tags = tags.map((i) => ({ name: i.name }))
  return { ...namespaceView(ns), ...echo }
}

/** PUT: a full replacement; what the body leaves out goes back to its default. */
export async function updateNamespace(
  ctx: MetadefContext,
  name: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const input = readBody(body, READ_ONLY, NAMESPACE_SCHEMA)
  const old = await visibleNamespace(ctx, name)
  ctx.authorize('modify_metadef_namespace', old)
  const owner = input.owner as string | undefined
  // SAFETY: the namespace schema typed every field read here.
  const ns: NamespaceRow = {
    ...old,
    namespace: input.namespace as string,
    display_name: (input.display_name as string | undefined) ?? null,
    description: (input.description as string | undefined) ?? null,
    visibility: (input.visibility as 'public' | 'private' | undefined) ?? 'private',
    protected: toFlag(input.protected === true),
    owner: owner !== undefined && owner !== '' ? owner : (ctx.caller.projectId ?? null),
    updated_at: nowIso(ctx.deps),
  }
  const clash = () =>
    imageErrors.conflict(
      `Invalid update. It would result in a duplicate metadata definition namespace with the same name of ${ns.namespace}`,
    )
  if (ns.namespace !== old.namespace && (await findNamespace(ctx.deps.db, ns.namespace)))
    throw clash()
  const { id, ...values } = ns
  await ctx.deps.db
    .updateTable('metadef_namespace')
    .set(values)
    .where('id', '=', id)
    .execute()
    .catch((err: unknown) => {
      if (isUniqueViolation(err)) throw clash()
      throw err
    })
  notifyNamespace(ctx.deps, 'update', ns, { namespace_old: old.namespace })
  return namespaceView(ns)
}

export async function deleteNamespace(ctx: MetadefContext, name: string): Promise<void> {
  const ns = await visibleNamespace(ctx, name)
  ctx.authorize('delete_metadef_namespace', ns)
  refuseIfProtected(ns, `namespace ${ns.namespace}`)
  await ctx.deps.db.transaction().execute(async (trx) => {
    for (const table of [
      'metadef_tag',
      'metadef_object',
      'metadef_property',
      'metadef_namespace_resource_type',
    ] as const)
      await trx.deleteFrom(table).where('namespace_id', '=', ns.id).execute()
    await trx.deleteFrom('metadef_namespace').where('id', '=', ns.id).execute()
  })
  notifyNamespace(ctx.deps, 'delete', ns, deleted(ctx.deps))
}

const CONTENT_TABLES = {
  objects: 'metadef_object',
  properties: 'metadef_property',
  tags: 'metadef_tag',
} as const

/** DELETE .../{ns}/objects, .../properties, .../tags: all of that kind at once. */
export async function deleteContent(
  ctx: MetadefContext,
  name: string,
  kind: keyof typeof CONTENT_TABLES,
): Promise<void> {
  const ns = await visibleNamespace(ctx, name)
  ctx.authorize('delete_metadef_namespace', ns)
  if (kind === 'tags') ctx.authorize('delete_metadef_tags', ns)
  refuseIfProtected(ns, `namespace ${ns.namespace}`)
  await ctx.deps.db.deleteFrom(CONTENT_TABLES[kind]).where('namespace_id', '=', ns.id).execute()
  notifyNamespace(ctx.deps, `delete_${kind}`, ns)
}
