/**
 * @module /v2.0/network-ip-availabilities (network-ip-availability): admins only, as
 * Neutron's policy has it; others list nothing and find nothing.
 */
import { callerOf, type NetworkApi } from './collection.js'
import { filterItems, type Query, selectFields, sortAndPage, values } from './list-query.js'
import { networkErrors, neutronError } from '../errors.js'
import { type AvailabilityFilters, ipAvailabilities } from '../core/ip-availability.js'

const FILTERS = new Set(['network_id', 'network_name', 'tenant_id', 'project_id', 'ip_version'])
const SORTABLE = new Set(['network_id', 'network_name', 'tenant_id', 'project_id'])
const RULE = 'get_network_ip_availability'

function filtersOf(query: Query): AvailabilityFilters {
  const versions = values(query, 'ip_version').map(Number)
  if (versions.some((v) => !Number.isInteger(v)))
    throw networkErrors.invalidInput(
      `'${values(query, 'ip_version').join(', ')}' is not an integer`,
    )
  return {
    network_id: values(query, 'network_id'),
    network_name: values(query, 'network_name'),
    project_id: [...values(query, 'project_id'), ...values(query, 'tenant_id')],
    ip_version: versions,
  }
}

/** JSON with bigints written as plain numbers (IPv6 totals pass 2^53). */
function json(body: unknown): string {
  return JSON.stringify(body, (_k, v: unknown) =>
    typeof v === 'bigint' ? `\u0000${v}` : v,
  ).replace(/"\\u0000(\d+)"/g, '$1')
}

export function ipAvailabilityRoutes({ app, deps }: NetworkApi): void {
  const base = '/v2.0/network-ip-availabilities'
  app.route({
    method: 'GET',
    url: base,
    access: 'token',
    handler: async (req, reply) => {
      // SAFETY: Fastify's query parser yields strings and string arrays.
      const query = req.query as Query
      // Unknown filter names are a 400; the known ones are applied in SQL.
      filterItems([], query, { filterable: FILTERS, consumed: FILTERS })
      const items = app.allows(RULE, {}, req.auth)
        ? await ipAvailabilities(deps, filtersOf(query))
        : []
      const page = sortAndPage(items as unknown as Record<string, unknown>[], query, {
        sortable: SORTABLE,
        selfUrl: `${deps.publicUrl}${base}`,
        maxLimit: deps.config.paginationMaxLimit,
        markerNotFound: (id) => networkErrors.notFound('network', id),
      })
      return reply.type('application/json; charset=utf-8').send(
        json({
          network_ip_availabilities: page.items.map((i) => selectFields(i, query)),
          ...(page.links.length > 0 ? { network_ip_availabilities_links: page.links } : {}),
        }),
      )
    },
  })
  app.route({
    method: 'GET',
    url: `${base}/:id`,
    access: 'token',
    handler: async (req, reply) => {
      const { id } = req.params as { id: string }
      if (!app.allows(RULE, { project_id: callerOf(req.raw).projectId ?? '' }, req.auth))
        throw neutronError('NotFound', 'HTTPNotFound', 'The resource could not be found.')
      const [item] = await ipAvailabilities(deps, { network_id: [id] })
      if (!item) throw networkErrors.notFound('network', id)
      return reply.type('application/json; charset=utf-8').send(
        json({
          network_ip_availability: selectFields(
            item as unknown as Record<string, unknown>,
            req.query as Query,
          ),
        }),
      )
    },
  })
}
