/**
 * @module /flavors: list (brief and detail, with Nova's filters, sorting and paging), show,
 * and the admin's create, update (description, from 2.55) and delete.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  createFlavor,
  deleteFlavor,
  extraSpecsOf,
  type FlavorRow,
  getFlavor,
  listFlavors,
  SORT_KEYS,
  type FlavorSortKey,
  updateFlavorDescription,
} from '../core/flavors.js'
import { computeErrors } from '../errors.js'
import {
  allows,
  callerOf,
  type ComputeApi,
  enforce,
  mv,
  nextLinks,
  param,
  queryValue,
  validateBody,
  validateQuery,
} from './compute-api.js'
import { flavorBrief, flavorDetail } from './flavors.view.js'
import { checkName } from './name-checks.js'
import { multi, NON_NEGATIVE, NOVA_BOOLEAN, novaBool, numberInRange } from './nova-params.js'

function indexQuery(strict: boolean) {
  return {
    type: 'object',
    properties: {
      limit: multi(NON_NEGATIVE),
      marker: multi({ type: 'string' }),
      is_public: multi({ type: 'string' }),
      minRam: multi({ type: 'string' }),
      minDisk: multi({ type: 'string' }),
      sort_key: multi({ type: 'string', enum: SORT_KEYS }),
      sort_dir: multi({ type: 'string', enum: ['asc', 'desc'] }),
    },
    additionalProperties: !strict,
  }
}
const INDEX_QUERY = indexQuery(false)
const INDEX_QUERY_275 = indexQuery(true)

/** An integer or a digit string; its range is checked after conversion, as Nova does. */
const INT_FIELD = Type.Unsafe<number | string>({ type: ['integer', 'string'], pattern: '^[0-9]+$' })

const FLAVOR_DESCRIPTION = Type.Unsafe<string | null>({
  type: ['string', 'null'],
  minLength: 0,
  maxLength: 65535,
  pattern: '^[^\\p{C}\\p{Zl}\\p{Zp}]*$',
})

function createSchema(withDescription: boolean) {
  return Type.Object(
    {
      flavor: Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 255 }),
          id: Type.Optional(
            Type.Unsafe<string | number | null>({
              type: ['string', 'number', 'null'],
              minLength: 1,
              maxLength: 255,
              pattern: '^(?! )[a-zA-Z0-9. _-]+(?<! )$',
            }),
          ),
          ram: INT_FIELD,
          vcpus: INT_FIELD,
          disk: INT_FIELD,
          'OS-FLV-EXT-DATA:ephemeral': Type.Optional(INT_FIELD),
          swap: Type.Optional(INT_FIELD),
          rxtx_factor: Type.Optional(
            Type.Unsafe<number | string>({
              type: ['number', 'string'],
              pattern: '^[0-9]+(\\.[0-9]+)?$',
            }),
          ),
          'os-flavor-access:is_public': Type.Optional(NOVA_BOOLEAN),
          ...(withDescription ? { description: Type.Optional(FLAVOR_DESCRIPTION) } : {}),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  )
}
const CREATE = createSchema(false)
const CREATE_255 = createSchema(true)

const UPDATE_255 = Type.Object(
  {
    flavor: Type.Object({ description: FLAVOR_DESCRIPTION }, { additionalProperties: false }),
  },
  { additionalProperties: false },
)

const MAX_INT = 0x7fffffff

/** Python's int() of a query value: optional sign and surrounding blanks, digits only. */
function pythonInt(text: string): number | undefined {
  return /^\s*[-+]?\d+\s*$/.test(text) ? Number.parseInt(text, 10) : undefined
}

function isPublicFilter(raw: string | undefined): boolean | undefined {
  if (raw === undefined) return true
  if (raw.toLowerCase() === 'none') return undefined
  const v = raw.trim().toLowerCase()
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(v)) return true
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(v)) return false
  throw computeErrors.badRequest(`Invalid is_public filter [${raw}]`)
}

async function listPage(api: ComputeApi, req: FastifyRequest): Promise<FlavorRow[]> {
  validateQuery(mv(req, '2.75') ? INDEX_QUERY_275 : INDEX_QUERY, { ...(req.query as object) })
  const caller = callerOf(req)
  const intFilter = (name: string): number | undefined => {
    const raw = queryValue(req, name)
    if (raw === undefined) return undefined
    const n = pythonInt(raw)
    if (n === undefined) throw computeErrors.badRequest(`Invalid ${name} filter [${raw}]`)
    return n
  }
  const maxLimit = api.deps.config.osapiMaxLimit
  const limitText = queryValue(req, 'limit')
  return listFlavors(api.deps, caller, {
    isPublic: caller.isAdmin ? isPublicFilter(queryValue(req, 'is_public')) : true,
    hideDisabled: !caller.isAdmin,
    minRam: intFilter('minRam'),
    minDisk: intFilter('minDisk'),
    // SAFETY: the query schema limits sort_key to SORT_KEYS.
    sortKey: (queryValue(req, 'sort_key') || 'flavorid') as FlavorSortKey,
    sortDir: queryValue(req, 'sort_dir') === 'desc' ? 'desc' : 'asc',
    limit: limitText === undefined ? maxLimit : Math.min(maxLimit, Number(limitText)),
    marker: queryValue(req, 'marker'),
  })
}

function withLinks(
  api: ComputeApi,
  req: FastifyRequest,
  collection: string,
  rows: FlavorRow[],
  items: Record<string, unknown>[],
) {
  const maxLimit = api.deps.config.osapiMaxLimit
  const limitText = queryValue(req, 'limit')
  const limit = limitText === undefined ? maxLimit : Math.min(maxLimit, Number(limitText))
  const links = nextLinks(req, collection, rows.length, limit, rows[rows.length - 1]?.id)
  return { flavors: items, ...(links ? { flavors_links: links } : {}) }
}

/** Extra specs shown in flavor views from 2.61, to callers who may read them. */
async function specsFor(api: ComputeApi, req: FastifyRequest, rows: FlavorRow[]) {
  const shown =
    mv(req, '2.61') &&
    allows(api, req, 'os_compute_api:os-flavor-extra-specs:index', {
      project_id: callerOf(req).projectId,
    })
  return shown
    ? await extraSpecsOf(
        api.deps.db,
        rows.map((r) => r.id),
      )
    : undefined
}

export function flavorRoutes(api: ComputeApi): void {
  const { app, deps } = api
  app.route({
    method: 'GET',
    url: '/v2.1/flavors',
    access: 'token',
    handler: async (req) => {
      const rows = await listPage(api, req.raw)
      return withLinks(
        api,
        req.raw,
        'flavors',
        rows,
        rows.map((r) => flavorBrief(req.raw, r)),
      )
    },
  })
  app.route({
    method: 'GET',
    url: '/v2.1/flavors/detail',
    access: 'token',
    handler: async (req) => {
      const rows = await listPage(api, req.raw)
      const specs = await specsFor(api, req.raw, rows)
      const items = rows.map((r) => flavorDetail(req.raw, r, specs?.get(r.id)))
      return withLinks(api, req.raw, 'flavors/detail', rows, items)
    },
  })
  app.route({
    method: 'GET',
    url: '/v2.1/flavors/:id',
    access: 'token',
    handler: async (req) => {
      const row = await getFlavor(deps, callerOf(req.raw), param(req.raw, 'id'))
      const specs = await specsFor(api, req.raw, [row])
      return { flavor: flavorDetail(req.raw, row, specs?.get(row.id)) }
    },
  })
  app.route({
    method: 'POST',
    url: '/v2.1/flavors',
    access: 'token',
    handler: async (req) => {
      const withDescription = mv(req.raw, '2.55')
      const { flavor: f } = validateBody(withDescription ? CREATE_255 : CREATE, req.body)
      checkName(f.name)
      const ram = numberInRange('ram', f.ram, 1, MAX_INT)
      const vcpus = numberInRange('vcpus', f.vcpus, 1, MAX_INT)
      const disk = numberInRange('disk', f.disk, 0, MAX_INT)
      const ephemeral = numberInRange(
        'OS-FLV-EXT-DATA:ephemeral',
        f['OS-FLV-EXT-DATA:ephemeral'] ?? 0,
        0,
        MAX_INT,
      )
      const swap = numberInRange('swap', f.swap ?? 0, 0, MAX_INT)
      const rxtx = numberInRange('rxtx_factor', f.rxtx_factor ?? 1, 0, 3.40282e38, true)
      enforce(api, req.raw, 'os_compute_api:os-flavor-manage:create', {})
      const row = await createFlavor(deps, {
        name: f.name,
        // Nova generates an id for a missing, null (or otherwise falsy) one.
        id: f.id === undefined || f.id === null || f.id === 0 ? undefined : String(f.id),
        ram,
        vcpus,
        disk,
        ephemeral,
        swap,
        rxtxFactor: rxtx,
        isPublic: novaBool(f['os-flavor-access:is_public'], true),
        description: withDescription ? (f.description ?? null) : null,
      })
      const specs = await specsFor(api, req.raw, [])
      return { flavor: flavorDetail(req.raw, row, specs ? {} : undefined) }
    },
  })
  app.route({
    method: 'PUT',
    url: '/v2.1/flavors/:id',
    access: 'token',
    handler: async (req) => {
      if (!mv(req.raw, '2.55')) throw computeErrors.notFound('The resource could not be found.')
      const body = validateBody(UPDATE_255, req.body)
      enforce(api, req.raw, 'os_compute_api:os-flavor-manage:update', {})
      const caller = callerOf(req.raw)
      const row = await updateFlavorDescription(
        deps,
        caller,
        param(req.raw, 'id'),
        body.flavor.description,
      )
      const specs = await specsFor(api, req.raw, [row])
      return { flavor: flavorDetail(req.raw, row, specs?.get(row.id)) }
    },
  })
  app.route({
    method: 'DELETE',
    url: '/v2.1/flavors/:id',
    access: 'token',
    handler: async (req, reply) => {
      enforce(api, req.raw, 'os_compute_api:os-flavor-manage:delete', {})
      await deleteFlavor(deps, param(req.raw, 'id'))
      void reply.code(202)
      return undefined
    },
  })
}
