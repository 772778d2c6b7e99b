/** @module GET /v2/schemas/metadefs/*: the metadef schema documents, for any authenticated caller. */
import { METADEF_SCHEMAS } from '../../core/metadefs/schemas.js'
import type { ImageApi } from '../image-api.js'
import { rejectBody } from './metadef-api.js'

export function metadefSchemaRoutes({ app }: ImageApi): void {
  for (const [name, schema] of Object.entries(METADEF_SCHEMAS))
    app.route({
      method: 'GET',
      url: `/v2/schemas/metadefs/${name}`,
      access: 'token',
      handler: (req) => {
        rejectBody(req.raw)
        return schema
      },
    })
}
