/**
 * @module Glance's version negotiation: `/versions` lists the versions (200); any path outside
 * /v2 answers the same list with 300; `/v2.N/...` is served as `/v2/...`.
 */
import type { FastifyRequest } from 'fastify'
import { requestBaseUrl } from '../../lib/http/urls.js'
import type { ImageApi } from './image-api.js'

const VERSIONS: [string, string][] = [
  ['v2.15', 'CURRENT'],
  ['v2.9', 'SUPPORTED'],
  ['v2.7', 'SUPPORTED'],
  ['v2.6', 'SUPPORTED'],
  ['v2.5', 'SUPPORTED'],
  ['v2.4', 'SUPPORTED'],
  ['v2.3', 'SUPPORTED'],
  ['v2.2', 'SUPPORTED'],
  ['v2.1', 'SUPPORTED'],
  ['v2.0', 'SUPPORTED'],
]
const SERVED = new Set(['v2', ...VERSIONS.map(([id]) => id)])

/** URL rewrite for the image app: /v2.N -> /v2; anything unknown -> / (the 300 list). */
export function negotiateVersion(url: string): string {
  const [path = '', query] = url.split('?', 2)
  const first = path.split('/')[1] ?? ''
  if (first === 'versions' || first === 'healthcheck') return url
  if (!SERVED.has(first)) return '/'
  const rest = path.slice(first.length + 1)
  return `/v2${rest}${query === undefined ? '' : `?${query}`}`
}

function versions(req: FastifyRequest) {
  const href = `${requestBaseUrl(req)}/v2/`
  return {
    versions: VERSIONS.map(([id, status]) => ({ id, status, links: [{ rel: 'self', href }] })),
  }
}

export function versionsRoutes({ app }: ImageApi): void {
  app.route({
    method: 'GET',
    url: '/',
    access: 'public',
    handler: (req, reply) => {
      void reply.code(300)
      return versions(req.raw)
    },
  })
  app.route({
    method: 'GET',
    url: '/versions',
    access: 'public',
    handler: (req) => versions(req.raw),
  })
  app.route({
    method: 'GET',
    url: '/healthcheck',
    access: 'public',
    handler: (_req, reply) => reply.type('text/plain').send('OK'),
  })
}
