/** @module What metadef routes share: the operation context of a request, and its checks. */
import type { FastifyRequest } from 'fastify'
import { imageErrors } from '../../errors.js'
import type { MetadefContext, NamespaceRow } from '../../core/metadefs/context.js'
import type { Query } from '../../core/metadefs/validate.js'
import type { ImageApi } from '../image-api.js'
import { callerOf, param } from '../image-api.js'

export { param }

/**
 * The context of one request. Policy targets are Glance's: the namespace's owner (as
 * project_id) and visibility, or the caller's project when there is no namespace yet. A
 * caller refused a rule on a namespace it may not even read learns 404, not 403.
 */
export function metadefContext({ app, deps }: ImageApi, req: FastifyRequest): MetadefContext {
  const caller = callerOf(req)
  const target = (ns?: NamespaceRow) =>
    ns ? { project_id: ns.owner, visibility: ns.visibility } : { project_id: caller.projectId }
  const allows = (rule: string, ns?: NamespaceRow) => app.allows(rule, target(ns), req.auth)
  return {
    deps,
    caller,
    allows,
    authorize: (rule, ns) => {
      if (allows(rule, ns)) return
      if (rule === 'get_metadef_namespace' || !allows('get_metadef_namespace', ns))
        throw imageErrors.forNotFound('The resource could not be found.')
      app.enforce(rule, target(ns), req.auth)
    },
  }
}

/** Glance's body_reject routes (GET, DELETE, the tag POST): 400 when a body is sent. */
export function rejectBody(req: FastifyRequest): void {
  const length = Number(req.headers['content-length'] ?? '0')
  const chunked = req.headers['transfer-encoding'] !== undefined
  if (length > 0 || chunked)
    throw imageErrors.badRequest('A body is not expected with this request.')
}

export function queryOf(req: FastifyRequest): Query {
  // SAFETY: Fastify's query parser yields strings and string arrays.
  return req.query as Query
}
