/** @module Keystone's links: `{self}` on entities, `{self, previous, next}` on collections. */
import type { FastifyRequest } from 'fastify'
import { requestBaseUrl } from '../../lib/http/urls.js'

export function entityLink(req: FastifyRequest, path: string): { self: string } {
  return { self: `${requestBaseUrl(req)}/v3/${path}` }
}

export function collectionLinks(req: FastifyRequest): { self: string; previous: null; next: null } {
  return { self: `${requestBaseUrl(req)}${req.url}`, previous: null, next: null }
}

/** `{<key>: items, links}`, truncated to list_limit when one is set (then `truncated: true`). */
export function collection(
  req: FastifyRequest,
  key: string,
  items: unknown[],
  listLimit = 0,
): Record<string, unknown> {
  const body: Record<string, unknown> = { links: collectionLinks(req) }
  if (listLimit > 0 && items.length > listLimit) {
    body[key] = items.slice(0, listLimit)
    body.truncated = true
  } else body[key] = items
  return body
}
