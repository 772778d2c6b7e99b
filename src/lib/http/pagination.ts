/**
 * @module limit/marker pagination as Nova, Neutron, Cinder and Glance do it: a page of at most
 * `limit` items after the item whose id is `marker`, and a `next` link while more may follow.
 */
import { AppError } from '../errors/app-error.js'

export interface PageQuery {
  limit: number
  marker?: string | undefined
}

/** Parses ?limit=&marker=, clamping limit to maxLimit; a negative or non-numeric limit is a 400. */
export function parsePageQuery(
  query: { limit?: unknown; marker?: unknown },
  options: { maxLimit: number },
): PageQuery {
  let limit = options.maxLimit
  if (query.limit !== undefined && query.limit !== '') {
    const n = Number(query.limit)
    if (!Number.isInteger(n) || n < 0)
      throw new AppError({
        code: 'HTTP_BAD_LIMIT',
        kind: 'BadRequest',
        message: `Invalid limit "${JSON.stringify(query.limit)}": it must be a non-negative integer.`,
      })
    limit = Math.min(n, options.maxLimit)
  }
  const marker = typeof query.marker === 'string' && query.marker !== '' ? query.marker : undefined
  return { limit, marker }
}

/** The href of the next page: the same query with marker set to the last item's id. */
export function nextPageHref(
  baseUrl: string,
  query: Readonly<Record<string, unknown>>,
  lastId: string,
  limit: number,
): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (k === 'marker' || k === 'limit' || v === undefined) continue
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item))
  }
  params.set('limit', String(limit))
  params.set('marker', lastId)
  return `${baseUrl}?${params.toString()}`
}
