/** @module Nova's version documents: the list at `/`, and `/v2.1/` (and legacy `/v2/`). */
import type { FastifyRequest } from 'fastify'
import { requestBaseUrl } from '../../lib/http/urls.js'
import type { ComputeApi } from './compute-api.js'
import { isLegacyV2 } from './app.js'

function v21(req: FastifyRequest, max: string) {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: max,
    min_version: '2.1',
    updated: '2013-07-23T11:33:21Z',
  }
}

function v20() {
  return {
    id: 'v2.0',
    status: 'SUPPORTED',
    version: '',
    min_version: '',
    updated: '2011-01-21T11:33:21Z',
  }
}

export function versionsRoutes({ app, deps }: ComputeApi): void {
  const max = deps.config.maxMicroversion
  app.route({
    method: 'GET',
    url: '/',
    access: 'public',
    handler: (req) => {
      const base = requestBaseUrl(req.raw)
      return {
        versions: [
          { ...v20(), links: [{ rel: 'self', href: `${base}/v2/` }] },
          { ...v21(req.raw, max), links: [{ rel: 'self', href: `${base}/v2.1/` }] },
        ],
      }
    },
  })
  app.route({
    method: 'GET',
    url: '/v2.1',
    access: 'public',
    handler: (req) => {
      const legacy = isLegacyV2(req.raw)
      const base = requestBaseUrl(req.raw)
      const doc = legacy ? v20() : v21(req.raw, max)
      return {
        version: {
          ...doc,
          links: [
            { rel: 'self', href: `${base}/${legacy ? 'v2' : 'v2.1'}/` },
            { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
          ],
          'media-types': [
            {
              base: 'application/json',
              type: `application/vnd.openstack.compute+json;version=${legacy ? '2' : '2.1'}`,
            },
          ],
        },
      }
    },
  })
}
