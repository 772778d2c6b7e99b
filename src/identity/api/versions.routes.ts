/** @module Version discovery: GET / (300, Keystone's nested list) and GET /v3. */
import type { FastifyRequest } from 'fastify'
import { requestBaseUrl } from '../../lib/http/urls.js'
import type { IdentityApi } from './identity-api.js'

function v3Version(req: FastifyRequest) {
  return {
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${requestBaseUrl(req)}/v3/` }],
    'media-types': [
      { base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' },
    ],
  }
}

export function versionsRoutes({ app }: IdentityApi): void {
  app.route({
    method: 'GET',
    url: '/',
    access: 'public',
    handler: (req, reply) => {
      void reply.code(300).header('location', `${requestBaseUrl(req.raw)}/v3/`)
      return { versions: { values: [v3Version(req.raw)] } }
    },
  })
  app.route({
    method: 'GET',
    url: '/v3',
    access: 'public',
    handler: (req) => ({ version: v3Version(req.raw) }),
  })
}
