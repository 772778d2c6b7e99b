/** @module Policy blobs as Keystone renders them (extra attributes echoed). */
import type { FastifyRequest } from 'fastify'
import { fromJson } from '../../lib/db/values.js'
import type { PolicyBlob } from '../core/policies-blob.js'
import { entityLink } from './links.js'

export function policyBlobView(req: FastifyRequest, p: PolicyBlob): Record<string, unknown> {
  return {
    ...fromJson<Record<string, unknown>>(p.extra, {}),
    id: p.id,
    blob: p.blob,
    type: p.type,
    links: entityLink(req, `policies/${p.id}`),
  }
}
