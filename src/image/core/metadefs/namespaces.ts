/**
 * @module Reading namespaces: the paged list (with each namespace's resource type
 * associations) and the full view of one (associations, properties, objects and tags,
 * names optionally prefixed for a resource type).
 */
import { fromFlag } from '../../../lib/db/values.js'
import { imageErrors } from '../../errors.js'
import {
  type MetadefContext,
  type NamespaceRow,
  canSee,
  findNamespace,
  shownTime,
  visibleNamespace,
} from './context.js'
import { objectView, objectsOf } from './objects.js'
import { propertiesOf } from './properties.js'
import { prefixed } from './property-defs.js'
import { associationView, associationsOf } from './resource-types.js'
import { tagsOf } from './tags.js'
import { type Query, checkVisibility, page, param, parseLimit, sortDir } from './validate.js'

const SORT_KEYS = [
  'namespace',
  'display_name',
  'description',
  'visibility',
  'protected',
  'owner',
  'created_at',
  'updated_at',
  'id',
] as const
type SortKey = (typeof SORT_KEYS)[number]

/** The namespace's own fields; null ones are left out, as Glance leaves them out. */
export function namespaceView(ns: NamespaceRow): Record<string, unknown> {
  return {
    namespace: ns.namespace,
    ...(ns.display_name === null ? {} : { display_name: ns.display_name }),
    ...(ns.description === null ? {} : { description: ns.description }),
    visibility: ns.visibility,
    protected: fromFlag(ns.protected),
    ...(ns.owner === null ? {} : { owner: ns.owner }),
    created_at: shownTime(ns.created_at),
    updated_at: shownTime(ns.updated_at),
    self: `/v2/metadefs/namespaces/${ns.namespace}`,
    schema: '/v2/schemas/metadefs/namespace',
  }
}

/** `first`/`next` links: the request's parameters re-encoded, `marker` replaced. */
function listLink(query: Query, marker?: string): string {
  const params = new URLSearchParams()
  for (const key of Object.keys(query)) {
    const v = param(query, key)
    if (key !== 'marker' && v !== undefined) params.set(key, v)
  }
  if (marker !== undefined) params.set('marker', marker)
  const qs = params.toString()
  return qs === '' ? '/v2/metadefs/namespaces' : `/v2/metadefs/namespaces?${qs}`
}

async function markerRow(ctx: MetadefContext, marker: string): Promise<NamespaceRow> {
  const ns = await findNamespace(ctx.deps.db, marker)
  if (!ns) throw imageErrors.forNotFound(`Metadata definition namespace=${marker} was not found.`)
  if (!canSee(ctx.caller, ns))
    throw imageErrors.forbidden(
      `Forbidding request, metadata definition namespace=${marker} is not visible.`,
    )
  return ns
}

/** GET /v2/metadefs/namespaces: newest first, 25 a page unless `limit` says otherwise. */
export async function listNamespaces(
  ctx: MetadefContext,
  query: Query,
): Promise<Record<string, unknown>> {
  const rawLimit = param(query, 'limit')
  const cfg = ctx.deps.config
  const limit = Math.min(
    cfg.apiLimitMax,
    rawLimit === undefined ? cfg.limitParamDefault : parseLimit(rawLimit),
  )
  const dir = sortDir(query)
  const visibility = checkVisibility(query, ['public', 'private'])
  const sortKey = param(query, 'sort_key') ?? 'created_at'
  if (!(SORT_KEYS as readonly string[]).includes(sortKey))
    throw imageErrors.badRequest(`Invalid sort key: ${sortKey}`)
  ctx.authorize('get_metadef_namespaces')
  ctx.authorize('list_metadef_resource_types')
  const marker = param(query, 'marker')
  const after = marker === undefined || marker === '' ? undefined : await markerRow(ctx, marker)

  let q = ctx.deps.db.selectFrom('metadef_namespace').selectAll()
  const project = ctx.caller.projectId
  if (!ctx.caller.isAdmin)
    q = q.where((eb) =>
      project === undefined
        ? eb('visibility', '=', 'public')
        : eb.or([eb('owner', '=', project), eb('visibility', '=', 'public')]),
    )
  if (visibility !== undefined) q = q.where('visibility', '=', visibility as 'public' | 'private')
  const types = (param(query, 'resource_types') ?? '').split(',').filter((t) => t !== '')
  if (types.length > 0)
    q = q.where('id', 'in', (eb) =>
      eb
        .selectFrom('metadef_namespace_resource_type as a')
        .innerJoin('metadef_resource_type as rt', 'rt.id', 'a.resource_type_id')
        .select('a.namespace_id')
        .where('rt.name', 'in', types),
    )
  const rows = await q.execute()
  // SAFETY: checked against SORT_KEYS above.
  const keys: SortKey[] = [sortKey as SortKey, 'created_at', 'id']
  const shown = page(rows, keys, dir, after, limit).filter((ns) =>
    ctx.allows('get_metadef_namespace', ns),
  )
  const associations = await associationsOf(
    ctx.deps.db,
    shown.map((ns) => ns.id),
  )
  const namespaces = shown.map((ns) => {
    const list = associations.get(ns.id) ?? []
    return {
      ...namespaceView(ns),
      ...(list.length > 0 ? { resource_type_associations: list.map(associationView) } : {}),
    }
  })
  const last = shown[shown.length - 1]
  return {
    namespaces,
    first: listLink(query),
    schema: '/v2/schemas/metadefs/namespaces',
    ...(last !== undefined && shown.length === limit
      ? { next: listLink(query, last.namespace) }
      : {}),
  }
}

/** GET /v2/metadefs/namespaces/{ns}: everything in it, each part only when not empty. */
export async function showNamespace(
  ctx: MetadefContext,
  name: string,
  query: Query,
): Promise<Record<string, unknown>> {
  checkVisibility(query, ['public', 'private'])
  const ns = await visibleNamespace(ctx, name, 'show')
  ctx.authorize('get_metadef_namespace', ns)
  for (const rule of [
    'list_metadef_resource_types',
    'get_metadef_objects',
    'get_metadef_properties',
    'get_metadef_tags',
  ])
    ctx.authorize(rule, ns)
  const db = ctx.deps.db
  const associations = (await associationsOf(db, [ns.id])).get(ns.id) ?? []
  const resourceType = param(query, 'resource_type')
  const prefix = associations.find((a) => a.name === resourceType)?.prefix ?? ''
  const objects = (await objectsOf(db, ns)).map((o) =>
    objectView(o, ns.namespace, undefined, prefix),
  )
  const properties = prefixed(await propertiesOf(db, ns), prefix)
  const tags = (await tagsOf(db, ns)).map((t) => ({ name: t.name }))
  return {
    ...namespaceView(ns),
    ...(associations.length > 0
      ? { resource_type_associations: associations.map(associationView) }
      : {}),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
    ...(objects.length > 0 ? { objects } : {}),
    ...(tags.length > 0 ? { tags } : {}),
  }
}
