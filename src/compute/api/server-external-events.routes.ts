/** @module POST /os-server-external-events (admin): 200 when every event was taken, else 207. */
import { type TSchema, Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { acceptEvents, type ExternalEvent } from '../core/servers/external-events.js'
import { type ComputeApi, enforce, mv, validateBody } from './compute-api.js'
import * as p from './parameter-types.js'

const NAMES = [
  'network-changed',
  'network-vif-plugged',
  'network-vif-unplugged',
  'network-vif-deleted',
]

const schemas = new Map<string, TSchema>()

function schemaFor(req: FastifyRequest): TSchema {
  const names = [
    ...NAMES,
    ...(mv(req, '2.51') ? ['volume-extended'] : []),
    ...(mv(req, '2.76') ? ['power-update'] : []),
  ]
  const key = names.join()
  let s = schemas.get(key)
  if (!s) {
    s = Type.Object(
      {
        events: Type.Array(
          Type.Object(
            {
              server_uuid: p.uuid,
              name: Type.String({ enum: names }),
              status: Type.Optional(Type.String({ enum: ['failed', 'completed', 'in-progress'] })),
              tag: Type.Optional(Type.String({ maxLength: 255 })),
            },
            { additionalProperties: false },
          ),
          { minItems: 1 },
        ),
      },
      { additionalProperties: false },
    )
    schemas.set(key, s)
  }
  return s
}

export function serverExternalEventsRoutes(api: ComputeApi): void {
  api.app.route({
    method: 'POST',
    url: '/v2.1/os-server-external-events',
    access: 'token',
    handler: async (req, reply) => {
      // SAFETY: the band's schema accepted the body.
      const body = validateBody(schemaFor(req.raw), req.body) as { events: ExternalEvent[] }
      enforce(api, req.raw, 'os_compute_api:os-server-external-events:create', {})
      const result = await acceptEvents(api.deps, body.events)
      void reply.code(result.allAccepted ? 200 : 207)
      return { events: result.events }
    },
  })
}
