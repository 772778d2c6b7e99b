/**
 * @module Neutron's list semantics on already-visible items: filters on any attribute
 * (repeated = any of), tag filters, `fields=`, `sort_key`/`sort_dir`, and `limit`/`marker`/
 * `page_reverse` with `<collection>_links`.
 */
import { networkErrors, neutronError } from '../errors.js'

export type Query = Readonly<Record<string, string | string[] | undefined>>
export type Item = Record<string, unknown>

const CONTROL = new Set(['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse'])
const TAG_FILTERS = new Set(['tags', 'tags-any', 'not-tags', 'not-tags-any'])

export function values(query: Query, key: string): string[] {
  const v = query[key]
  if (v === undefined) return []
  return Array.isArray(v) ? v : [v]
}

/** The attribute filters of a query (everything that is not paging, sorting, fields or tags). */
export function filtersOf(query: Query): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const key of Object.keys(query))
    if (!CONTROL.has(key) && !TAG_FILTERS.has(key)) out.set(key, values(query, key))
  return out
}

function matchesScalar(actual: unknown, wanted: string): boolean {
  if (actual === null || actual === undefined) return wanted === '' || wanted === 'None'
  if (typeof actual === 'boolean') {
    const w = wanted.toLowerCase()
    return actual
      ? ['true', '1', 't', 'yes', 'on'].includes(w)
      : ['false', '0', 'f', 'no', 'off'].includes(w)
  }
  return typeof actual === 'string' || typeof actual === 'number'
    ? String(actual) === wanted
    : JSON.stringify(actual) === wanted
}

/** `fixed_ips=ip_address=10.0.0.3`: each wanted value is `key=value` over the list's dicts. */
function matchesDictList(actual: unknown[], wanted: string): boolean {
  const eq = wanted.indexOf('=')
  if (eq < 0) return false
  const key = wanted.slice(0, eq)
  const want = wanted.slice(eq + 1)
  return actual.some((entry) => {
    const e = entry as Item
    if (key.endsWith('_substr')) {
      const v = e[key.slice(0, -7)]
      return typeof v === 'string' && v.includes(want)
    }
    return matchesScalar(e[key], want)
  })
}

function matches(actual: unknown, wanted: string[]): boolean {
  if (Array.isArray(actual)) {
    if (actual.length > 0 && typeof actual[0] === 'object')
      return wanted.every((w) => matchesDictList(actual, w))
    return wanted.some((w) => actual.some((a) => matchesScalar(a, w)))
  }
  return wanted.some((w) => matchesScalar(actual, w))
}

function tagsOf(item: Item): string[] {
  return Array.isArray(item.tags) ? (item.tags as string[]) : []
}

function tagList(query: Query, key: string): string[] {
  return values(query, key).flatMap((v) => v.split(',').filter((t) => t !== ''))
}

export interface ListOptions {
  /** The attributes filters may name (unknown ones are a 400, as filter-validation does). */
  filterable: ReadonlySet<string>
  /** Attributes compared by the filter as given, not read from the item (e.g. handled in SQL). */
  consumed?: ReadonlySet<string>
}

/** Applies attribute and tag filters. */
export function filterItems(items: Item[], query: Query, options: ListOptions): Item[] {
  const filters = [...filtersOf(query)].filter(([k]) => !options.consumed?.has(k))
  if (query.tenant_id !== undefined && query.project_id !== undefined)
    throw neutronError(
      'BadRequest',
      'TenantIdProjectIdFilterConflict',
      'Both tenant_id and project_id passed as filters.',
    )
  for (const [key] of filters)
    if (!options.filterable.has(key))
      throw networkErrors.badRequest(`['${key}'] is invalid attribute for filtering`)
  const tags = tagList(query, 'tags')
  const tagsAny = tagList(query, 'tags-any')
  const notTags = tagList(query, 'not-tags')
  const notTagsAny = tagList(query, 'not-tags-any')
  return items.filter((item) => {
    for (const [key, wanted] of filters) {
      const actual = key === 'tenant_id' ? item.project_id : item[key]
      if (!matches(actual, wanted)) return false
    }
    const have = tagsOf(item)
    if (tags.length > 0 && !tags.every((t) => have.includes(t))) return false
    if (tagsAny.length > 0 && !tagsAny.some((t) => have.includes(t))) return false
    if (notTags.length > 0 && notTags.every((t) => have.includes(t))) return false
    if (notTagsAny.length > 0 && notTagsAny.some((t) => have.includes(t))) return false
    return true
  })
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0
  if (a === null || a === undefined) return -1
  if (b === null || b === undefined) return 1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  const sa = typeof a === 'string' ? a : JSON.stringify(a)
  const sb = typeof b === 'string' ? b : JSON.stringify(b)
  return sa < sb ? -1 : sa > sb ? 1 : 0
}

export interface Page {
  items: Item[]
  links: { rel: string; href: string }[]
}

/**
 * Sorts and pages. Neutron sorts by the given keys then by id (a stable order for markers);
 * a page has a `next` link when more follow and a `previous` link when a marker was given.
 */
export function sortAndPage(
  items: Item[],
  query: Query,
  opts: {
    sortable: ReadonlySet<string>
    selfUrl: string
    maxLimit: number
    /** The collection's own 404 for an unknown marker (NetworkNotFound, ...). */
    markerNotFound: (id: string) => Error
  },
): Page {
  const keys = values(query, 'sort_key')
  const dirs = values(query, 'sort_dir')
  if (dirs.length > 0 && dirs.length !== keys.length)
    throw networkErrors.badRequest('The number of sort_keys and sort_dirs must be same')
  for (const d of dirs)
    if (d !== 'asc' && d !== 'desc')
      throw networkErrors.badRequest(
        `['${d}'] is invalid value for sort_dirs, valid value is 'asc' and 'desc'`,
      )
  for (const k of keys)
    if (!opts.sortable.has(k))
      throw networkErrors.badRequest(`['${k}'] is invalid attribute for sort_keys`)
  const order: [string, number][] = keys.map((k, i) => [k, dirs[i] === 'desc' ? -1 : 1])
  if (!keys.includes('id')) order.push(['id', 1])
  const sorted = [...items].sort((a, b) => {
    for (const [k, d] of order) {
      const c = compare(a[k], b[k])
      if (c !== 0) return c * d
    }
    return 0
  })
  const limitText = values(query, 'limit')[0]
  if (limitText === undefined && values(query, 'marker').length === 0)
    return { items: sorted, links: [] }
  let limit = limitText === undefined ? 0 : Number(limitText)
  if (!/^\d+$/.test(limitText ?? '0') || !Number.isInteger(limit))
    throw networkErrors.badRequest(
      `Bad limit request: Limit must be an integer 0 or greater and not '${limitText ?? ''}'.`,
    )
  if (opts.maxLimit > 0 && (limit === 0 || limit > opts.maxLimit)) limit = opts.maxLimit
  const marker = values(query, 'marker')[0]
  const reverse = ['true', '1', 't', 'yes', 'on'].includes(
    (values(query, 'page_reverse')[0] ?? '').toLowerCase(),
  )
  let page: Item[]
  if (marker !== undefined) {
    const at = sorted.findIndex((i) => i.id === marker)
    if (at < 0) throw opts.markerNotFound(marker)
    page = reverse
      ? sorted.slice(limit > 0 ? Math.max(0, at - limit) : 0, at)
      : sorted.slice(at + 1, limit > 0 ? at + 1 + limit : undefined)
  } else {
    page = reverse && limit > 0 ? sorted.slice(-limit) : limit > 0 ? sorted.slice(0, limit) : sorted
  }
  if (limitText === undefined) return { items: page, links: [] }
  // Neutron's links: `next` unless a short forward page, `previous` unless a short reverse one.
  const short = limit > 0 && page.length < limit
  const links: { rel: string; href: string }[] = []
  const link = (rel: string, id: unknown, pageReverse: boolean) => {
    const params = new URLSearchParams()
    for (const [k, v] of Object.entries(query))
      if (k !== 'marker' && k !== 'page_reverse' && v !== undefined)
        for (const x of Array.isArray(v) ? v : [v]) params.append(k, x)
    params.set('marker', String(id))
    if (pageReverse) params.set('page_reverse', 'True')
    links.push({ rel, href: `${opts.selfUrl}?${params.toString()}` })
  }
  const first = page[0]
  const last = page[page.length - 1]
  if (last && !(short && !reverse)) link('next', last.id, false)
  if (first && !(short && reverse)) link('previous', first.id, true)
  return { items: page, links }
}

/** `fields=a&fields=b`: only those attributes (Neutron always keeps none it was not asked for). */
export function selectFields(item: Item, query: Query): Item {
  const fields = values(query, 'fields')
  if (fields.length === 0) return item
  const out: Item = {}
  for (const f of fields) if (f in item) out[f] = item[f]
  return out
}
