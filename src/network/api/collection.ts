/**
 * @module One Neutron collection's five routes (list, show, create incl. bulk, update, delete)
 * from a definition: the attribute map checks bodies, list-query applies filters, sorting,
 * paging and `fields=`, and the core functions see only clean attributes.
 */
import type { FastifyRequest } from 'fastify'
import type { ServiceApp } from '../../lib/http/service-app.js'
import type { Caller, NetworkDeps } from '../core/deps.js'
import { networkErrors } from '../errors.js'
import {
  type AttributeMap,
  memberBody,
  prepareCreate,
  prepareUpdate,
  visibleAttributes,
} from './attributes.js'
import { filterItems, type Item, type Query, selectFields, sortAndPage } from './list-query.js'

export interface NetworkApi {
  app: ServiceApp
  deps: NetworkDeps
  /** Taggable collections (URL segment -> a visibility check that throws the 404). */
  taggable: Map<string, (caller: Caller, id: string) => Promise<void>>
}

export function callerOf(req: FastifyRequest): Caller {
  const auth = req.auth
  return {
    projectId: auth?.projectId,
    userId: auth?.userId ?? '',
    isAdmin: auth?.roles.some((r) => r.toLowerCase() === 'admin') ?? false,
    requestId: req.id,
  }
}

export interface CollectionDef {
  /** Singular body key (`network`). */
  member: string
  /** Plural body key (`networks`, `security_groups`). */
  collection: string
  /** URL segment under /v2.0 (`networks`, `security-groups`). */
  path: string
  attributes: AttributeMap
  /** Extra filter names beyond the attributes (e.g. `router:external`'s aliases). */
  extraFilters?: readonly string[]
  /** Filters `list` applies itself (in SQL, with their own semantics): not re-applied here. */
  consumedFilters?: readonly string[]
  /** Every item the caller may see; `query` lets a core narrow in SQL first (optional). */
  list: (caller: Caller, query: Query) => Promise<Item[]>
  /** One item the caller may see, else a 404. */
  show: (caller: Caller, id: string) => Promise<Item>
  create?: (caller: Caller, attrs: Record<string, unknown>) => Promise<Item>
  update?: (caller: Caller, id: string, attrs: Record<string, unknown>) => Promise<Item>
  remove?: (caller: Caller, id: string) => Promise<void>
}

/** What a client sees of an item: project_id mirrored as tenant_id, admin-only attributes hidden. */
export function present(def: Pick<CollectionDef, 'attributes'>, item: Item, caller: Caller): Item {
  const out = 'project_id' in item ? { ...item, tenant_id: item.project_id } : item
  return visibleAttributes(def.attributes, out, caller.isAdmin)
}

export function registerCollection(api: NetworkApi, def: CollectionDef): void {
  const { app, deps } = api
  const base = `/v2.0/${def.path}`
  const filterable = new Set([
    ...Object.keys(def.attributes),
    'tenant_id',
    'project_id',
    ...(def.extraFilters ?? []),
  ])
  const consumed = new Set(def.consumedFilters ?? [])
  const sortable = new Set([...Object.keys(def.attributes), 'tenant_id', 'project_id'])

  app.route({
    method: 'GET',
    url: base,
    access: 'token',
    handler: async (req) => {
      const caller = callerOf(req.raw)
      // SAFETY: Fastify's query parser yields strings and string arrays.
      const query = req.query as Query
      const visible = (await def.list(caller, query)).map((i) => present(def, i, caller))
      const filtered = filterItems(visible, query, { filterable, consumed })
      const page = sortAndPage(filtered, query, {
        sortable,
        selfUrl: `${deps.publicUrl}${base}`,
        maxLimit: deps.config.paginationMaxLimit,
        markerNotFound: (id) => networkErrors.notFound(def.member, id),
      })
      return {
        [def.collection]: page.items.map((i) => selectFields(i, query)),
        ...(page.links.length > 0 ? { [`${def.collection}_links`]: page.links } : {}),
      }
    },
  })

  app.route({
    method: 'GET',
    url: `${base}/:id`,
    access: 'token',
    handler: async (req) => {
      const caller = callerOf(req.raw)
      const { id } = req.params as { id: string }
      const item = present(def, await def.show(caller, id), caller)
      return { [def.member]: selectFields(item, req.query as Query) }
    },
  })

  const create = def.create
  if (create)
    app.route({
      method: 'POST',
      url: base,
      access: 'token',
      handler: async (req, reply) => {
        const caller = callerOf(req.raw)
        const body: unknown = req.body
        void reply.code(201)
        if (body === null || typeof body !== 'object' || Array.isArray(body))
          throw networkErrors.badRequest('Body contains invalid data')
        const bulk: unknown = (body as Record<string, unknown>)[def.collection]
        if (Array.isArray(bulk)) {
          if (bulk.length === 0) throw networkErrors.badRequest('Resources required')
          // Bulk create is all or nothing: what was made before a failure is removed again.
          const made: Item[] = []
          try {
            for (const one of bulk as unknown[]) {
              // An item may also come wrapped: {"networks": [{"network": {...}}]}.
              const wrapped: unknown = (one as Record<string, unknown> | null)?.[def.member]
              const item: unknown = wrapped !== undefined ? wrapped : one
              if (item === null || typeof item !== 'object' || Array.isArray(item))
                throw networkErrors.badRequest(`Object '${def.member}' contains invalid data`)
              const attrs = prepareCreate(
                def.attributes,
                def.member,
                item as Record<string, unknown>,
                caller,
              )
              made.push(await create(caller, attrs))
            }
          } catch (err) {
            for (const item of made.reverse())
              await def
                .remove?.({ ...caller, isAdmin: true }, String(item.id))
                .catch(() => undefined)
            throw err
          }
          return { [def.collection]: made.map((i) => present(def, i, caller)) }
        }
        const attrs = prepareCreate(
          def.attributes,
          def.member,
          memberBody(body, def.member),
          caller,
        )
        return { [def.member]: present(def, await create(caller, attrs), caller) }
      },
    })

  const update = def.update
  if (update)
    app.route({
      method: 'PUT',
      url: `${base}/:id`,
      access: 'token',
      handler: async (req) => {
        const caller = callerOf(req.raw)
        const { id } = req.params as { id: string }
        const attrs = prepareUpdate(
          def.attributes,
          def.member,
          memberBody(req.body, def.member),
          caller,
        )
        return { [def.member]: present(def, await update(caller, id, attrs), caller) }
      },
    })

  const remove = def.remove
  if (remove)
    app.route({
      method: 'DELETE',
      url: `${base}/:id`,
      access: 'token',
      handler: async (req, reply) => {
        const { id } = req.params as { id: string }
        if (req.body !== undefined)
          throw networkErrors.badRequest('Request body is not supported in DELETE.')
        await remove(callerOf(req.raw), id)
        return reply.code(204).send()
      },
    })
}
