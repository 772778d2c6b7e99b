/**
 * @module How a flavor looks on the wire at each microversion: `description` from 2.55,
 * `extra_specs` from 2.61 (detail views), and `swap` as `""` when zero before 2.75.
 */
import type { FastifyRequest } from 'fastify'
import { fromFlag } from '../../lib/db/values.js'
import type { FlavorRow } from '../core/flavors.js'
import { mv, resourceLinks } from './compute-api.js'

export function flavorBrief(req: FastifyRequest, row: FlavorRow): Record<string, unknown> {
  return {
    id: row.id,
    name: row.name,
    links: resourceLinks(req, 'flavors', row.id),
    ...(mv(req, '2.55') ? { description: row.description } : {}),
  }
}

/**
 * The show/detail form; `extraSpecs` is shown (from 2.61) only when given, since it depends
 * on the caller being allowed to read extra specs.
 */
export function flavorDetail(
  req: FastifyRequest,
  row: FlavorRow,
  extraSpecs?: Record<string, string>,
): Record<string, unknown> {
  const swap = row.swap === 0 ? (mv(req, '2.75') ? 0 : '') : row.swap
  return {
    id: row.id,
    name: row.name,
    ram: row.memory_mb,
    disk: row.root_gb,
    swap,
    'OS-FLV-EXT-DATA:ephemeral': row.ephemeral_gb,
    'OS-FLV-DISABLED:disabled': fromFlag(row.disabled),
    vcpus: row.vcpus,
    'os-flavor-access:is_public': fromFlag(row.is_public),
    rxtx_factor: row.rxtx_factor === 0 ? '' : row.rxtx_factor,
    links: resourceLinks(req, 'flavors', row.id),
    ...(mv(req, '2.55') ? { description: row.description } : {}),
    ...(mv(req, '2.61') && extraSpecs !== undefined ? { extra_specs: extraSpecs } : {}),
  }
}
