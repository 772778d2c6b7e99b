/**
 * @module GET /v2/images: Glance's filters (in:/eq: lists, date operators, _min/_max ranges,
 * extra-property equality, tags), its two sorting syntaxes, limit/marker paging, and which
 * images each caller sees. Filtering and sorting happen in code, so every dialect orders
 * NULLs and strings the same way.
 */
import { parseTimestamp } from '../../lib/clock/timestamps.js'
import { fromFlag } from '../../lib/db/values.js'
import { imageErrors } from '../errors.js'
import type { MemberStatus } from '../db/tables.js'
import type { Caller, ImageDeps } from './deps.js'
import { type Image, type ImageRow, loadImages } from './images.js'

export const SORT_KEYS = [
  'name',
  'status',
  'container_format',
  'disk_format',
  'size',
  'id',
  'created_at',
  'updated_at',
] as const
type SortKey = (typeof SORT_KEYS)[number]
type Query = Readonly<Record<string, string | string[] | undefined>>

const LIST_COLUMNS = ['name', 'id', 'status', 'container_format', 'disk_format']
const EXACT_COLUMNS = [
  'checksum',
  'os_hash_value',
  'owner',
  'size',
  'min_ram',
  'min_disk',
  'virtual_size',
  'visibility',
]
const RESERVED_PARAMS = [
  'limit',
  'marker',
  'sort_key',
  'sort_dir',
  'sort',
  'member_status',
  'tag',
  'visibility',
  'os_hidden',
  'protected',
]

function one(q: Query, key: string): string | undefined {
  const v = q[key]
  return Array.isArray(v) ? v[v.length - 1] : v
}

function many(q: Query, key: string): string[] {
  const v = q[key]
  return v === undefined ? [] : Array.isArray(v) ? v : [v]
}

/** `in:a,b,"c,d"` -> ['a','b','c,d']. */
function csv(value: string): string[] {
  const out: string[] = []
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,]*))\s*(?:,|$)/g
  let m: RegExpExecArray | null
  while ((m = re.exec(value)) !== null && m[0] !== '')
    out.push(m[1]?.replaceAll('""', '"') ?? m[2] ?? '')
  return out
}

type Predicate = (image: Image) => boolean

function listFilter(key: string, raw: string): Predicate {
  let values: string[]
  if (raw.startsWith('in:')) values = csv(raw.slice(3))
  else if (raw.startsWith('eq:')) values = [raw.slice(3)]
  else if (raw.includes(':'))
    throw imageErrors.badRequest(
      `Unable to filter by unknown operator '${raw.split(':')[0] ?? ''}'.`,
    )
  else values = [raw]
  return (image) => values.includes(String(image.row[key as keyof ImageRow]))
}

function dateFilter(key: 'created_at' | 'updated_at', raw: string): Predicate {
  const m = /^(gt|gte|lt|lte|neq|eq):(.*)$/.exec(raw)
  const op = m?.[1] ?? 'eq'
  const when = parseTimestamp(m?.[2] ?? raw)
  if (raw.includes(':') && m === null && parseTimestamp(raw) === undefined)
    throw imageErrors.badRequest('Unable to filter on a unknown operator.')
  if (!when)
    throw imageErrors.badRequest(
      `Bad "${key}" query filter format. Use ISO 8601 DateTime notation.`,
    )
  const t = Math.floor(when.getTime() / 1000)
  return (image) => {
    const v = Math.floor(Date.parse(image.row[key]) / 1000)
    return op === 'gt'
      ? v > t
      : op === 'gte'
        ? v >= t
        : op === 'lt'
          ? v < t
          : op === 'lte'
            ? v <= t
            : op === 'neq'
              ? v !== t
              : v === t
  }
}

function rangeFilter(key: string, raw: string, bound: 'min' | 'max'): Predicate {
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(n))
    throw imageErrors.badRequest('Unable to filter on a range with a non-numeric value.')
  return (image) => {
    const v = image.row[key as keyof ImageRow]
    return typeof v === 'number' && (bound === 'min' ? v >= n : v <= n)
  }
}

function booleanParam(q: Query, key: 'os_hidden' | 'protected'): boolean | undefined {
  const v = one(q, key)
  if (v === undefined) return undefined
  if (v !== 'true' && v !== 'false')
    throw imageErrors.badRequest(
      `Invalid value '${v}' for '${key}' filter. Valid values are 'true' or 'false'.`,
    )
  return v === 'true'
}

interface Sort {
  keys: SortKey[]
  dirs: ('asc' | 'desc')[]
}

function parseSort(q: Query): Sort {
  const sort = one(q, 'sort')
  const keys = many(q, 'sort_key')
  const dirs = many(q, 'sort_dir')
  const checkKey = (k: string): SortKey => {
    if (!(SORT_KEYS as readonly string[]).includes(k))
      throw imageErrors.badRequest(
        `Invalid sort key: ${k}. It must be one of the following: ${SORT_KEYS.join(', ')}.`,
      )
    return k as SortKey
  }
  const checkDir = (d: string): 'asc' | 'desc' => {
    if (d !== 'asc' && d !== 'desc') throw imageErrors.badRequest(`Invalid sort direction: ${d}`)
    return d
  }
  if (sort !== undefined) {
    if (keys.length > 0 || dirs.length > 0)
      throw imageErrors.badRequest('Old and new sorting syntax cannot be combined')
    const parts = sort.split(',').map((p) => p.trim().split(':'))
    return {
      keys: parts.map(([k]) => checkKey(k ?? '')),
      dirs: parts.map(([, d]) => checkDir(d ?? 'desc')),
    }
  }
  if (keys.length === 0)
    return {
      keys: ['created_at'],
      dirs: [dirs.length === 1 ? checkDir(dirs[0] ?? 'desc') : 'desc'],
    }
  if (dirs.length > 1 && dirs.length !== keys.length)
    throw imageErrors.badRequest('Number of sort dirs does not match the number of sort keys')
  const checked = keys.map(checkKey)
  return {
    keys: checked,
    dirs: checked.map((_, i) =>
      checkDir(dirs.length === 1 ? (dirs[0] ?? 'desc') : (dirs[i] ?? 'desc')),
    ),
  }
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0
  if (a === null || a === undefined) return -1
  if (b === null || b === undefined) return 1
  return a < b ? -1 : 1
}

export interface ImagePage {
  images: Image[]
  /** Set when the page is full (Glance's rule: there may be more). */
  nextMarker?: string
}

export async function listImages(deps: ImageDeps, caller: Caller, q: Query): Promise<ImagePage> {
  const limitRaw = one(q, 'limit')
  let limit = deps.config.limitParamDefault
  if (limitRaw !== undefined) {
    const n = Number(limitRaw)
    if (!/^-?\d+$/.test(limitRaw)) throw imageErrors.badRequest('limit param must be an integer')
    if (n < 0) throw imageErrors.badRequest('limit param must be positive')
    limit = n
  }
  limit = Math.min(limit, deps.config.apiLimitMax)
  const memberStatus = one(q, 'member_status') ?? 'accepted'
  if (!['pending', 'accepted', 'rejected', 'all'].includes(memberStatus))
    throw imageErrors.badRequest(`Invalid status: ${memberStatus}`)
  const visibility = one(q, 'visibility')
  if (
    visibility !== undefined &&
    !['community', 'public', 'private', 'shared', 'all'].includes(visibility)
  )
    throw imageErrors.badRequest(`Invalid visibility value: ${visibility}`)
  if (q['changes-since'] !== undefined)
    throw imageErrors.badRequest('The "changes-since" filter is no longer available on v2.')
  const osHidden = booleanParam(q, 'os_hidden') ?? false
  const isProtected = booleanParam(q, 'protected')
  const sort = parseSort(q)

  const predicates: Predicate[] = []
  for (const [key, value] of Object.entries(q)) {
    if (value === undefined || RESERVED_PARAMS.includes(key)) continue
    const raw = Array.isArray(value) ? (value[value.length - 1] ?? '') : value
    if (LIST_COLUMNS.includes(key)) predicates.push(listFilter(key, raw))
    else if (key === 'created_at' || key === 'updated_at') predicates.push(dateFilter(key, raw))
    else if (key.endsWith('_min') || key.endsWith('_max'))
      predicates.push(rangeFilter(key.slice(0, -4), raw, key.endsWith('_min') ? 'min' : 'max'))
    else if (EXACT_COLUMNS.includes(key))
      predicates.push((image) => String(image.row[key as keyof ImageRow]) === raw)
    else predicates.push((image) => image.properties[key] === raw)
  }
  for (const tag of many(q, 'tag')) predicates.push((image) => image.tags.includes(tag))

  const rows = await visibleRows(deps, caller, memberStatus as MemberStatus | 'all', visibility)
  const candidates = rows.filter(
    (r) =>
      fromFlag(r.os_hidden) === osHidden &&
      (isProtected === undefined || fromFlag(r.protected) === isProtected),
  )
  let images = (await loadImages(deps, candidates)).filter((image) =>
    predicates.every((p) => p(image)),
  )
  const keys: [keyof ImageRow, 'asc' | 'desc'][] = sort.keys.map((k, i) => [
    k,
    sort.dirs[i] ?? 'desc',
  ])
  const tieDir = sort.dirs.length === 1 ? (sort.dirs[0] ?? 'desc') : 'desc'
  if (!sort.keys.includes('created_at')) keys.push(['created_at', tieDir])
  if (!sort.keys.includes('id')) keys.push(['id', tieDir])
  images.sort((a, b) => {
    for (const [key, dir] of keys) {
      const c = compare(a.row[key], b.row[key])
      if (c !== 0) return dir === 'asc' ? c : -c
    }
    return 0
  })
  const marker = one(q, 'marker')
  if (marker !== undefined) {
    const at = images.findIndex((image) => image.row.id === marker)
    if (at < 0) {
      const exists = rows.some((r) => r.id === marker)
      if (!exists) throw imageErrors.badRequest(`marker ${marker} could not be found.`)
    }
    images = images.slice(at + 1)
  }
  const page = images.slice(0, limit)
  const last = page[page.length - 1]
  return page.length === limit && last
    ? { images: page, nextMarker: last.row.id }
    : { images: page }
}

/** Every image the caller may list, before filters: Glance's visibility union. */
async function visibleRows(
  deps: ImageDeps,
  caller: Caller,
  memberStatus: MemberStatus | 'all',
  visibility: string | undefined,
): Promise<ImageRow[]> {
  const all = await deps.db
    .selectFrom('image')
    .selectAll()
    .where('status', 'not in', ['killed', 'deleted'])
    .execute()
  const project = caller.projectId
  let memberOf = new Set<string>()
  if (!caller.isAdmin && project !== undefined) {
    let q = deps.db.selectFrom('image_member').select('image_id').where('member', '=', project)
    if (memberStatus !== 'all') q = q.where('status', '=', memberStatus)
    memberOf = new Set((await q.execute()).map((m) => m.image_id))
  }
  return all.filter((r) => {
    const owned = project !== undefined && r.owner === project
    const seen =
      caller.isAdmin ||
      owned ||
      r.visibility === 'public' ||
      r.visibility === 'community' ||
      (r.visibility === 'shared' && memberOf.has(r.id))
    if (!seen) return false
    if (visibility !== undefined && visibility !== 'all') return r.visibility === visibility
    return r.visibility !== 'community' || owned || visibility === 'all'
  })
}
