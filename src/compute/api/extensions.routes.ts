/**
 * @module GET /extensions and /extensions/{alias} (any caller): Nova's static list, with one
 * more entry on the legacy v2 API. An unknown alias is a plain 404.
 */
import { computeErrors } from '../errors.js'
import { isLegacyV2 } from './app.js'
import { type ComputeApi, enforce, param } from './compute-api.js'
import { EXTENSIONS, LEGACY_V2_EXTENSIONS } from './extension-list.js'

export function extensionsRoutes(api: ComputeApi): void {
  const { app } = api

  app.route({
    method: 'GET',
    url: '/v2.1/extensions',
    access: 'token',
    handler: (req) => {
      enforce(api, req.raw, 'os_compute_api:extensions', {})
      return { extensions: isLegacyV2(req.raw) ? LEGACY_V2_EXTENSIONS : EXTENSIONS }
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.1/extensions/:alias',
    access: 'token',
    handler: (req) => {
      enforce(api, req.raw, 'os_compute_api:extensions', {})
      const alias = param(req.raw, 'alias')
      const all = isLegacyV2(req.raw) ? LEGACY_V2_EXTENSIONS : EXTENSIONS
      const found = all.find((e) => e.alias === alias)
      if (!found) throw computeErrors.notFound('The resource could not be found.')
      return { extension: found }
    },
  })
}
