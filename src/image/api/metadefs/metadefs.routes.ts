/** @module The metadata definitions catalog (/v2/metadefs/...) and its schemas, registered together. */
import type { ImageApi } from '../image-api.js'
import { metadefSchemaRoutes } from './metadefs-schemas.js'
import { namespaceRoutes } from './namespaces.routes.js'
import { objectRoutes } from './objects.routes.js'
import { propertyRoutes } from './properties.routes.js'
import { resourceTypeRoutes } from './resource-types.routes.js'
import { tagRoutes } from './tags.routes.js'

export function metadefRoutes(api: ImageApi): void {
  metadefSchemaRoutes(api)
  resourceTypeRoutes(api)
  namespaceRoutes(api)
  propertyRoutes(api)
  objectRoutes(api)
  tagRoutes(api)
}
