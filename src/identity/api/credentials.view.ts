/** @module Credentials as /v3/credentials and the OS-EC2 extension render them. */
import type { FastifyRequest } from 'fastify'
import { fromJson } from '../../lib/db/values.js'
import type { Credential } from '../core/credentials.js'
import { entityLink } from './links.js'

/** The credential as policy targets see it (Keystone's credential dict). */
export function credentialDict(c: Credential): Record<string, unknown> {
  return {
    ...c.extra,
    id: c.id,
    user_id: c.user_id,
    project_id: c.project_id,
    type: c.type,
    blob: c.blob,
  }
}

export function credentialView(req: FastifyRequest, c: Credential): Record<string, unknown> {
  return { ...credentialDict(c), links: entityLink(req, `credentials/${c.id}`) }
}

/** The OS-EC2 shape: `tenant_id` rather than `project_id`, the blob's keys lifted out. */
export function ec2View(req: FastifyRequest, c: Credential): Record<string, unknown> {
  const blob = fromJson<Record<string, unknown>>(c.blob, {})
  const access = typeof blob.access === 'string' ? blob.access : ''
  return {
    user_id: c.user_id,
    tenant_id: c.project_id,
    access: blob.access ?? null,
    secret: blob.secret ?? null,
    trust_id: blob.trust_id ?? null,
    links: entityLink(req, `users/${c.user_id}/credentials/OS-EC2/${access}`),
  }
}
