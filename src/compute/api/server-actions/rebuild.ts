/**
 * @module rebuild: the body's fields per microversion band (description 2.19, key_name 2.54,
 * user_data instead of personality 2.57, trusted certificates 2.63) and the server view it
 * answers with (the update view below 2.75, plus key_name, user_data and adminPass).
 */
import { type TProperties, type TSchema, Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { rebuild, type RebuildRequest } from '../../core/servers/actions/rebuild.js'
import { generatePassword } from '../../core/servers/names.js'
import { enforce, mv, resourceLinks, validateBody } from '../compute-api.js'
import * as p from '../parameter-types.js'
import { serverTarget, showServer } from '../servers.routes.js'
import { type ActionHandler, target } from './action.js'

const strict = { additionalProperties: false }

function rebuildSchema(req: FastifyRequest): TSchema {
  const props: TProperties = {
    imageRef: p.uuid,
    name: Type.Optional(p.name),
    adminPass: Type.Optional(Type.String()),
    metadata: Type.Optional(p.metadata),
    preserve_ephemeral: Type.Optional(p.boolean),
    'OS-DCF:diskConfig': Type.Optional(p.diskConfig),
    accessIPv4: Type.Optional(p.accessIPv4),
    accessIPv6: Type.Optional(p.accessIPv6),
  }
  if (!mv(req, '2.57')) props.personality = Type.Optional(p.personality)
  if (mv(req, '2.19')) props.description = Type.Optional(p.description)
  if (mv(req, '2.54')) props.key_name = Type.Optional(Type.Union([p.name, Type.Null()]))
  if (mv(req, '2.57'))
    props.user_data = Type.Optional(
      Type.Union([Type.String({ format: 'byte', maxLength: 65535 }), Type.Null()]),
    )
  if (mv(req, '2.63'))
    props.trusted_image_certificates = Type.Optional(
      Type.Union([
        Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 50, uniqueItems: true }),
        Type.Null(),
      ]),
    )
  return Type.Object({ rebuild: Type.Object(props, strict) }, strict)
}

const schemas = new Map<string, TSchema>()

function schemaFor(req: FastifyRequest): TSchema {
  const band = ['2.19', '2.54', '2.57', '2.63'].filter((v) => mv(req, v)).join()
  let s = schemas.get(band)
  if (!s) {
    s = rebuildSchema(req)
    schemas.set(band, s)
  }
  return s
}

interface RebuildBody {
  imageRef: string
  name?: string
  adminPass?: string
  metadata?: Record<string, string>
  'OS-DCF:diskConfig'?: string
  accessIPv4?: string
  accessIPv6?: string
  personality?: { path: string; contents: string }[]
  description?: string | null
  key_name?: string | null
  user_data?: string | null
  trusted_image_certificates?: string[] | null
}

export const REBUILD_ACTIONS: Record<string, ActionHandler> = {
  rebuild: {
    handle: async (a) => {
      // SAFETY: the band's schema accepted the body.
      const r = (validateBody(schemaFor(a.req), a.body) as { rebuild: RebuildBody }).rebuild
      const row = await target(a, 'os_compute_api:servers:rebuild')
      if (r.trusted_image_certificates !== undefined)
        enforce(a.api, a.req, 'os_compute_api:servers:rebuild:trusted_certs', serverTarget(row))
      const request: RebuildRequest = {
        imageRef: r.imageRef,
        password: r.adminPass ?? generatePassword(),
      }
      if (r.name !== undefined) request.name = r.name
      if (r.metadata !== undefined) request.metadata = r.metadata
      if (r['OS-DCF:diskConfig'] !== undefined) request.diskConfig = r['OS-DCF:diskConfig']
      if (r.accessIPv4 !== undefined) request.accessIPv4 = r.accessIPv4
      if (r.accessIPv6 !== undefined) request.accessIPv6 = r.accessIPv6
      if (r.personality !== undefined) request.personality = r.personality
      if (r.description !== undefined) request.description = r.description
      if (r.key_name !== undefined) request.keyName = r.key_name
      if (r.user_data !== undefined) request.userData = r.user_data
      const updated = await rebuild(a.api.deps, a.caller, row, request)
      const view = await showServer(a.api, a.req, updated, 'rebuild')
      if (mv(a.req, '2.54') && !mv(a.req, '2.75')) view.key_name = updated.key_name
      view.adminPass = request.password
      if (mv(a.req, '2.57')) view.user_data = updated.user_data
      void a.reply
        .code(202)
        .header('location', resourceLinks(a.req, 'servers', row.id)[0]?.href ?? '')
      return { server: view }
    },
  },
}
