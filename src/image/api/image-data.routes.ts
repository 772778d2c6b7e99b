/** @module Image data and import: /file (upload, download), /stage, /import, /tasks of an image. */
import type { Readable } from 'node:stream'
import { downloadImage, stageImage, uploadImage } from '../core/image-data.js'
import { imageTasks, importImage, rawTaskView } from '../core/image-import.js'
import type { ImageApi } from './image-api.js'
import { callerOf, param } from './image-api.js'

export function imageDataRoutes({ app, deps }: ImageApi): void {
  app.route({
    method: 'PUT',
    url: '/v2/images/:image_id/file',
    access: { rule: 'upload_image' },
    handler: async (req, reply) => {
      // SAFETY: the octet-stream parser hands over the request stream unread (see service.ts).
      const data = (req.body ?? req.raw.raw) as Readable
      await uploadImage(
        deps,
        callerOf(req.raw),
        param(req.raw, 'image_id'),
        req.raw.headers['content-type'],
        data,
      )
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: '/v2/images/:image_id/file',
    access: { rule: 'download_image' },
    handler: async (req, reply) => {
      const range = req.raw.headers.range
      const download = await downloadImage(
        deps,
        callerOf(req.raw),
        param(req.raw, 'image_id'),
        range,
      )
      void reply.code(download.status).headers(download.headers)
      return reply.send(download.body)
    },
  })

  app.route({
    method: 'PUT',
    url: '/v2/images/:image_id/stage',
    access: { rule: 'modify_image' },
    handler: async (req, reply) => {
      // SAFETY: as for /file.
      const data = (req.body ?? req.raw.raw) as Readable
      await stageImage(
        deps,
        callerOf(req.raw),
        param(req.raw, 'image_id'),
        req.raw.headers['content-type'],
        data,
      )
      void reply.code(204)
    },
  })

  app.route({
    method: 'POST',
    url: '/v2/images/:image_id/import',
    access: { rule: 'modify_image' },
    handler: async (req, reply) => {
      await importImage(deps, callerOf(req.raw), param(req.raw, 'image_id'), req.body)
      void reply.code(202)
    },
  })

  app.route({
    method: 'GET',
    url: '/v2/images/:image_id/tasks',
    access: { rule: 'get_image' },
    handler: async (req) => ({
      tasks: (await imageTasks(deps, callerOf(req.raw), param(req.raw, 'image_id'))).map(
        rawTaskView,
      ),
    }),
  })
}
