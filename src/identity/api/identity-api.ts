/** @module What every identity route module receives. */
import type { ServiceApp } from '../../lib/http/service-app.js'
import type { IdentityDeps } from '../core/deps.js'

export interface IdentityApi {
  app: ServiceApp
  deps: IdentityDeps
}
