/**
 * @module createImage, createBackup (2.45: the image id in the body instead of a Location),
 * shelve, shelveOffload and unshelve (2.77 availability_zone).
 */
import { Type } from '@sinclair/typebox'
import { requestBaseUrl } from '../../../lib/http/urls.js'
import {
  createBackup,
  createImage,
  shelve,
  shelveOffload,
  unshelve,
} from '../../core/servers/actions/images.js'
import { projectLimits } from '../../core/quotas.js'
import { computeErrors } from '../../errors.js'
import { mv, validateBody } from '../compute-api.js'
import * as p from '../parameter-types.js'
import { type ActionHandler, type ActionRequest, accepted, target } from './action.js'

const strict = { additionalProperties: false }

const createImageSchema = Type.Object(
  {
    createImage: Type.Object({ name: p.name, metadata: Type.Optional(p.metadata) }, strict),
  },
  strict,
)

const createBackupSchema = Type.Object(
  {
    createBackup: Type.Object(
      {
        name: p.name,
        backup_type: Type.String(),
        rotation: p.nonNegativeInteger,
        metadata: Type.Optional(p.metadata),
      },
      strict,
    ),
  },
  strict,
)

const unshelveSchema = Type.Object(
  { unshelve: Type.Union([Type.Object({ availability_zone: p.name }, strict), Type.Null()]) },
  strict,
)

/** Up to 2.38 the image metadata given counts against metadata_items (Nova's image-meta proxy era). */
async function checkImageMetadataQuota(
  a: ActionRequest,
  metadata: Record<string, string>,
): Promise<void> {
  const count = Object.keys(metadata).length
  if (mv(a.req, '2.39') || count === 0) return
  const limits = await projectLimits(a.api.deps, a.caller.projectId, a.caller.userId)
  if (limits.metadata_items >= 0 && count > limits.metadata_items)
    throw computeErrors.forbidden('Image metadata limit exceeded')
}

export const IMAGE_ACTIONS: Record<string, ActionHandler> = {
  createImage: {
    handle: async (a) => {
      const body = validateBody(createImageSchema, a.body)
      const row = await target(a, 'os_compute_api:servers:create_image')
      const metadata = body.createImage.metadata ?? {}
      await checkImageMetadataQuota(a, metadata)
      const id = await createImage(a.api.deps, a.caller, row, body.createImage.name, metadata)
      void a.reply.code(202)
      if (mv(a.req, '2.45')) return { image_id: id }
      void a.reply.header('location', `${a.api.deps.endpoints.image}/images/${id}`)
      return undefined
    },
  },
  createBackup: {
    handle: async (a) => {
      const body = validateBody(createBackupSchema, a.body)
      const row = await target(a, 'os_compute_api:os-create-backup')
      const b = body.createBackup
      const metadata = b.metadata ?? {}
      await checkImageMetadataQuota(a, metadata)
      const rotation = p.toInt(b.rotation)
      const id = await createBackup(a.api.deps, a.caller, row, {
        name: b.name,
        backupType: b.backup_type,
        rotation,
        metadata,
      })
      void a.reply.code(202)
      if (mv(a.req, '2.45')) return { image_id: id }
      if (rotation > 0)
        void a.reply.header('location', `${requestBaseUrl(a.req)}/v2.1/images/${id}`)
      return undefined
    },
  },
  shelve: {
    handle: async (a) => {
      const row = await target(a, 'os_compute_api:os-shelve:shelve')
      await shelve(a.api.deps, a.caller, row)
      return accepted(a)
    },
  },
  shelveOffload: {
    handle: async (a) => {
      const row = await target(a, 'os_compute_api:os-shelve:shelve_offload')
      await shelveOffload(a.api.deps, a.caller, row)
      return accepted(a)
    },
  },
  unshelve: {
    handle: async (a) => {
      const zone = mv(a.req, '2.77')
        ? validateBody(unshelveSchema, a.body).unshelve?.availability_zone
        : undefined
      const row = await target(a, 'os_compute_api:os-shelve:unshelve')
      await unshelve(a.api.deps, a.caller, row, zone === undefined ? {} : { zone })
      return accepted(a)
    },
  },
}
