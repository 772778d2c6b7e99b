/**
 * @module The proxy image views (Nova's views/images.py): Glance statuses folded into Nova's five,
 * progress by status, the extra properties as `metadata`, and a third link to the image service.
 */
import type { FastifyRequest } from 'fastify'
import type { ImageInfo } from '../image-client.js'
import { resourceLinks } from './compute-api.js'
import { isoSeconds } from './time-format.js'

const STATUS: Readonly<Record<string, string>> = {
  active: 'ACTIVE',
  queued: 'SAVING',
  saving: 'SAVING',
  deleted: 'DELETED',
  pending_delete: 'DELETED',
  killed: 'ERROR',
}

const PROGRESS: Readonly<Record<string, number>> = { queued: 25, saving: 50, active: 100 }

/** Properties Nova's glance client decodes from JSON text (its _convert_from_string). */
const JSON_PROPERTIES = ['block_device_mapping', 'mappings']

/** oslo's bool_from_string: what counts as true. */
const TRUE_STRINGS = ['1', 't', 'true', 'on', 'y', 'yes']

/** The image's extra properties as Nova shows them (`metadata`). */
export function imageMetadata(image: ImageInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { ...image.properties }
  for (const key of JSON_PROPERTIES) {
    const text = image.properties[key]
    if (text === undefined) continue
    try {
      out[key] = JSON.parse(text)
    } catch {
      // Not JSON: shown as stored.
    }
  }
  return out
}

function imageLinks(req: FastifyRequest, glanceEndpoint: string, id: string) {
  return [
    ...resourceLinks(req, 'images', id),
    {
      rel: 'alternate',
      type: 'application/vnd.openstack.image',
      href: `${glanceEndpoint.replace(/\/+$/, '')}/images/${id}`,
    },
  ]
}

export function basicImageView(
  req: FastifyRequest,
  glanceEndpoint: string,
  image: ImageInfo,
): Record<string, unknown> {
  return { id: image.id, name: image.name, links: imageLinks(req, glanceEndpoint, image.id) }
}

export function imageView(
  req: FastifyRequest,
  glanceEndpoint: string,
  image: ImageInfo,
): Record<string, unknown> {
  const metadata = imageMetadata(image)
  const view: Record<string, unknown> = {
    id: image.id,
    name: image.name,
    minRam: image.minRam,
    minDisk: image.minDisk,
    metadata,
    created: isoSeconds(image.createdAt),
    updated: isoSeconds(image.updatedAt),
    status: STATUS[image.status] ?? 'UNKNOWN',
    progress: PROGRESS[image.status] ?? 0,
    // Nova's glance client reads a missing size as 0.
    'OS-EXT-IMG-SIZE:size': image.size ?? 0,
    links: imageLinks(req, glanceEndpoint, image.id),
  }
  const server = image.properties.instance_uuid
  if (server !== undefined)
    view.server = { id: server, links: resourceLinks(req, 'servers', server) }
  const autoDisk = image.properties.auto_disk_config
  if (autoDisk !== undefined)
    view['OS-DCF:diskConfig'] = TRUE_STRINGS.includes(autoDisk.trim().toLowerCase())
      ? 'AUTO'
      : 'MANUAL'
  return view
}
