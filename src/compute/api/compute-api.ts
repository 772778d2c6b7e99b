/**
 * @module What every compute route module receives, and the request helpers they share: who is
 * calling, the microversion, policy checks after validation (Nova validates first), body
 * validation by a schema chosen per microversion, and Nova's self/bookmark links.
 */
import type { Static, TSchema } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { ServiceApp } from '../../lib/http/service-app.js'
import { requestBaseUrl } from '../../lib/http/urls.js'
import { compileValidator } from '../../lib/http/validation.js'
import type { Target } from '../../lib/policy/enforcer.js'
import type { Caller, ComputeDeps } from '../core/deps.js'
import { atLeast } from './microversion.js'
import { computeErrors } from '../errors.js'

export interface ComputeApi {
  app: ServiceApp
  deps: ComputeDeps
}

export function callerOf(req: FastifyRequest): Caller {
  const auth = req.auth
  const roles = auth?.roles ?? []
  return {
    projectId: auth?.projectId ?? '',
    userId: auth?.userId ?? '',
    roles,
    // Nova's RequestContext.is_admin: the admin role, on any project.
    isAdmin: roles.some((r) => r.toLowerCase() === 'admin'),
    requestId: req.id,
  }
}

export function param(req: FastifyRequest, name: string): string {
  // SAFETY: Fastify path params are strings.
  return (req.params as Record<string, string>)[name] ?? ''
}

/** The first value of a query parameter (Nova reads the first of repeated ones). */
export function queryValue(req: FastifyRequest, name: string): string | undefined {
  // SAFETY: Fastify's query parser yields strings or arrays of strings.
  const v = (req.query as Record<string, string | string[] | undefined>)[name]
  return Array.isArray(v) ? v[0] : v
}

/** Whether the request's microversion is at least `version` (e.g. '2.53'). */
export function mv(req: FastifyRequest, version: string): boolean {
  return atLeast(req, version)
}

/** Policy check with the compute credentials (403 "Policy doesn't allow ..."). */
export function enforce(
  api: ComputeApi,
  req: FastifyRequest,
  rule: string,
  target: Target = { project_id: req.auth?.projectId ?? null },
): void {
  api.app.enforce(rule, target, req.auth)
}

export function allows(
  api: ComputeApi,
  req: FastifyRequest,
  rule: string,
  target: Target = { project_id: req.auth?.projectId ?? null },
): boolean {
  return api.app.allows(rule, target, req.auth)
}

const validators = new WeakMap<object, (data: unknown) => void>()

/** Validates a request body against a schema (compiled once per schema object). */
export function validateBody<S extends TSchema>(schema: S, body: unknown): Static<S> {
  let check = validators.get(schema)
  if (!check) {
    check = compileValidator(schema, 'body')
    validators.set(schema, check)
  }
  check(body)
  // SAFETY: the schema just accepted the body (tsc sees Static<S> of a generic S as unknown).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  return body as Static<S>
}

/** Validates query parameters (strings, coerced) against a schema. */
export function validateQuery(schema: object, query: unknown): void {
  let check = validators.get(schema)
  if (!check) {
    check = compileValidator(schema, 'query')
    validators.set(schema, check)
  }
  check(query)
}

/** `/<project_id>` when the client addressed us with one in the URL (links keep it). */
export function projectPrefix(req: FastifyRequest): string {
  const m = /^\/v2(?:\.1)?\/([0-9a-f-]+)(?:\/|$|\?)/.exec(req.originalUrl)
  return m ? `/${m[1] ?? ''}` : ''
}

/** `http://host:8774/v2.1[/project]` as the client addressed us. */
export function versionedBase(req: FastifyRequest): string {
  return `${requestBaseUrl(req)}/v2.1${projectPrefix(req)}`
}

/** Nova's resource links: self (versioned) and bookmark (unversioned). */
export function resourceLinks(
  req: FastifyRequest,
  collection: string,
  id: string,
): { rel: string; href: string }[] {
  const base = requestBaseUrl(req)
  const prefix = projectPrefix(req)
  return [
    { rel: 'self', href: `${base}/v2.1${prefix}/${collection}/${id}` },
    { rel: 'bookmark', href: `${base}${prefix}/${collection}/${id}` },
  ]
}

export function bookmarkLink(
  req: FastifyRequest,
  collection: string,
  id: string,
): { rel: string; href: string }[] {
  return [
    { rel: 'bookmark', href: `${requestBaseUrl(req)}${projectPrefix(req)}/${collection}/${id}` },
  ]
}

/**
 * The `next` link of a page (`<coll>_links`), present only when the page is full: the request's
 * query sorted, with the marker replaced.
 */
export function nextLinks(
  req: FastifyRequest,
  collection: string,
  pageSize: number,
  limit: number,
  lastId: string | undefined,
): { rel: string; href: string }[] | undefined {
  if (lastId === undefined || pageSize === 0 || pageSize < limit) return undefined
  // SAFETY: Fastify's query parser yields strings or arrays of strings.
  const query = req.query as Record<string, string | string[] | undefined>
  const params = new URLSearchParams()
  for (const key of Object.keys(query).sort()) {
    if (key === 'marker') continue
    const v = query[key]
    for (const item of Array.isArray(v) ? v : v === undefined ? [] : [v]) params.append(key, item)
  }
  params.append('marker', lastId)
  return [{ rel: 'next', href: `${versionedBase(req)}/${collection}?${params.toString()}` }]
}

/** The single key of an action body (Nova dispatches on it before anything else). */
export function actionOf(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw computeErrors.badRequest('Malformed request body')
  const keys = Object.keys(body)
  const [key] = keys
  if (keys.length !== 1 || key === undefined)
    throw computeErrors.badRequest('Malformed request body')
  return key
}
