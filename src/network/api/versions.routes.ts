/** @module Neutron's version documents: `/` lists v2.0, `/v2.0` lists the resources. */
import type { FastifyRequest } from 'fastify'
import { requestBaseUrl } from '../../lib/http/urls.js'
import type { NetworkApi } from './collection.js'

const RESOURCES = ['subnet', 'network', 'port', 'subnetpool']

export function versionsRoutes({ app }: NetworkApi): void {
  const versionDoc = (req: FastifyRequest) => ({
    versions: [
      {
        id: 'v2.0',
        status: 'CURRENT',
        links: [{ rel: 'self', href: `${requestBaseUrl(req)}/v2.0/` }],
      },
    ],
  })
  app.route({ method: 'GET', url: '/', access: 'public', handler: (req) => versionDoc(req.raw) })
  app.route({
    method: 'GET',
    url: '/v2.0',
    access: 'token',
    handler: (req) => ({
      resources: RESOURCES.map((name) => ({
        name,
        collection: `${name}s`,
        links: [{ rel: 'self', href: `${requestBaseUrl(req.raw)}/v2.0/${name}s` }],
      })),
    }),
  })
}
