/** @module /v2.0/extensions: what this server implements, by alias. */
import { networkErrors } from '../errors.js'
import type { NetworkApi } from './collection.js'
import { EXTENSIONS, type Extension } from './extensions.js'

const view = (e: Extension) => ({ ...e, links: [] })

export function extensionsRoutes({ app }: NetworkApi): void {
  app.route({
    method: 'GET',
    url: '/v2.0/extensions',
    access: 'token',
    handler: () => ({ extensions: EXTENSIONS.map(view) }),
  })
  app.route({
    method: 'GET',
    url: '/v2.0/extensions/:alias',
    access: 'token',
    handler: (req) => {
      const { alias } = req.params as { alias: string }
      const found = EXTENSIONS.find((e) => e.alias === alias)
      if (!found) throw networkErrors.notFound('extension', alias)
      return { extension: view(found) }
    },
  })
}
