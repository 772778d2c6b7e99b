/** @module Every image route module, registered in one place. */
import { discoveryRoutes } from './discovery.routes.js'
import type { ImageApi } from './image-api.js'
import { imageDataRoutes } from './image-data.routes.js'
import { imagesRoutes } from './images.routes.js'
import { membersRoutes } from './members.routes.js'
import { metadefRoutes } from './metadefs/metadefs.routes.js'
import { versionsRoutes } from './versions.routes.js'

export function registerImageRoutes(api: ImageApi): void {
  versionsRoutes(api)
  imagesRoutes(api)
  imageDataRoutes(api)
  membersRoutes(api)
  discoveryRoutes(api)
  metadefRoutes(api)
}
