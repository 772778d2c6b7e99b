/**
 * @module Server lists (Nova's get_all): exact filters in SQL, Nova's unanchored regex filters
 * (name, hostname, ...) in memory, then sort and page by marker. Deleted servers appear only
 * with changes-since/changes-before or an admin's deleted=true.
 */
import type { SelectQueryBuilder } from 'kysely'
import type { ComputeTables } from '../../db/tables.js'
import { computeErrors } from '../../errors.js'
import type { ComputeDeps } from '../deps.js'
import { serverStatus } from '../server-states.js'
import { fixedIpsOf, loadNetworkInfo } from './network-info.js'
import type { InstanceRow } from './records.js'

export interface ServerListQuery {
  projectId: string | undefined
  /** Exact-match columns (Nova's exact filters; arrays mean IN). */
  exact: Partial<Record<keyof InstanceRow, string[]>>
  /** Unanchored regular expressions on columns. */
  regex: Partial<Record<keyof InstanceRow, string>>
  statuses: string[] | undefined
  flavorId: string | undefined
  changesSince: string | undefined
  changesBefore: string | undefined
  includeDeleted: boolean | undefined
  /** Tag filters (2.26): all of / any of / none of all / not any of. */
  tags: string[] | undefined
  tagsAny: string[] | undefined
  notTags: string[] | undefined
  notTagsAny: string[] | undefined
  locked: boolean | undefined
  /** Nova's ip / ip6 filters: patterns matched at the start of a fixed address (re.match). */
  ipFilter: { ip: string | undefined; ip6: string | undefined } | undefined
  sort: { key: keyof InstanceRow; dir: 'asc' | 'desc' }[]
  limit: number
  marker: string | undefined
}

type Query = SelectQueryBuilder<ComputeTables, 'instance', InstanceRow>

function applyExact(q: Query, exact: ServerListQuery['exact']): Query {
  for (const [column, values] of Object.entries(exact) as [keyof InstanceRow, string[]][]) {
    if (values.length === 0) continue
    q = q.where(column, 'in', values as never[])
  }
  return q
}

function regexMatches(row: InstanceRow, regex: ServerListQuery['regex']): boolean {
  for (const [column, pattern] of Object.entries(regex) as [keyof InstanceRow, string][]) {
    const value = row[column]
    if (value === null) return false
    let re: RegExp
    try {
      re = new RegExp(pattern)
    } catch {
      return String(value).includes(pattern)
    }
    if (!re.test(String(value))) return false
  }
  return true
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0
  if (a === null || a === undefined) return -1
  if (b === null || b === undefined) return 1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  // SAFETY: instance columns are strings, numbers or null.
  return (a as string) < (b as string) ? -1 : 1
}

export async function listServers(
  deps: Pick<ComputeDeps, 'db'>,
  query: ServerListQuery,
): Promise<InstanceRow[]> {
  let q: Query = deps.db.selectFrom('instance').selectAll()
  if (query.projectId !== undefined) q = q.where('project_id', '=', query.projectId)
  q = applyExact(q, query.exact)
  const withDeleted =
    query.includeDeleted ?? (query.changesSince !== undefined || query.changesBefore !== undefined)
  if (!withDeleted) q = q.where('deleted_at', 'is', null)
  else if (query.includeDeleted === true) q = q.where('deleted_at', 'is not', null)
  if (query.changesSince !== undefined) q = q.where('updated_at', '>=', query.changesSince)
  if (query.changesBefore !== undefined) q = q.where('updated_at', '<=', query.changesBefore)
  if (query.locked !== undefined) q = q.where('locked', '=', query.locked ? 1 : 0)
  let rows = await q.execute()
  if (query.flavorId !== undefined) {
    const id = query.flavorId
    rows = rows.filter((r) => (JSON.parse(r.flavor) as { id?: string }).id === id)
  }
  if (query.statuses !== undefined) {
    const wanted = new Set(query.statuses.map((s) => s.toUpperCase()))
    rows = rows.filter((r) =>
      wanted.has(r.deleted_at === null ? serverStatus(r.vm_state, r.task_state) : 'DELETED'),
    )
  }
  rows = rows.filter((r) => regexMatches(r, query.regex))
  if (query.ipFilter) rows = await filterByIp(deps, rows, query.ipFilter)
  if (query.tags || query.tagsAny || query.notTags || query.notTagsAny)
    rows = await filterByTags(deps, rows, query)
  const sort = [...query.sort, { key: 'id' as const, dir: 'desc' as const }]
  rows.sort((a, b) => {
    for (const { key, dir } of sort) {
      const c = compare(a[key], b[key])
      if (c !== 0) return dir === 'asc' ? c : -c
    }
    return 0
  })
  let start = 0
  if (query.marker !== undefined) {
    const at = rows.findIndex((r) => r.id === query.marker)
    if (at < 0) {
      // The marker may be a server the filters exclude: Nova looks it up on its own.
      throw computeErrors.badRequest(`marker [${query.marker}] not found`)
    }
    start = at + 1
  }
  return rows.slice(start, start + query.limit)
}

/** Python's re.match: the pattern matches at the start of the text. */
function matchesAtStart(pattern: string | undefined, text: string): boolean {
  if (pattern === undefined) return false
  try {
    return new RegExp(pattern).exec(text)?.index === 0
  } catch {
    return false
  }
}

/** Nova's _ip_filter over the network info cache: a fixed address of the right version matches. */
async function filterByIp(
  deps: Pick<ComputeDeps, 'db'>,
  rows: InstanceRow[],
  filter: { ip: string | undefined; ip6: string | undefined },
): Promise<InstanceRow[]> {
  const info = await loadNetworkInfo(
    deps.db,
    rows.map((r) => r.id),
  )
  return rows.filter((r) =>
    fixedIpsOf(info.get(r.id) ?? []).some((f) =>
      matchesAtStart(f.version === 4 ? filter.ip : filter.ip6, f.address),
    ),
  )
}

async function filterByTags(
  deps: Pick<ComputeDeps, 'db'>,
  rows: InstanceRow[],
  query: ServerListQuery,
): Promise<InstanceRow[]> {
  if (rows.length === 0) return rows
  const tags = await deps.db
    .selectFrom('instance_tag')
    .selectAll()
    .where(
      'instance_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute()
  const byServer = new Map<string, Set<string>>()
  for (const t of tags) {
    const set = byServer.get(t.instance_id) ?? new Set<string>()
    set.add(t.tag)
    byServer.set(t.instance_id, set)
  }
  return rows.filter((r) => {
    const has = byServer.get(r.id) ?? new Set<string>()
    if (query.tags && !query.tags.every((t) => has.has(t))) return false
    if (query.tagsAny && !query.tagsAny.some((t) => has.has(t))) return false
    if (query.notTags && query.notTags.length > 0 && query.notTags.every((t) => has.has(t)))
      return false
    if (query.notTagsAny && query.notTagsAny.some((t) => has.has(t))) return false
    return true
  })
}
