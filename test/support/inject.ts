/** @module One JSON request through a Fastify app's inject(), as every service harness sends it. */
import type { FastifyInstance } from 'fastify'
import type { Response } from './identity-harness.js'

export interface InjectOptions {
  /** '' sends no token. */
  token: string
  body?: unknown
  headers?: Record<string, string>
  /** Sent as `X-OpenStack-Nova-API-Version` (as Tempest does). */
  microversion?: string | undefined
}

export async function injectJson(
  app: FastifyInstance,
  method: string,
  path: string,
  opts: InjectOptions,
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers }
  if (opts.body !== undefined && headers['content-type'] === undefined)
    headers['content-type'] = 'application/json'
  if (opts.token !== '') headers['x-auth-token'] = opts.token
  if (opts.microversion !== undefined) headers['x-openstack-nova-api-version'] = opts.microversion
  const res = await app.inject({
    // SAFETY: tests pass valid HTTP method names.
    method: method as 'GET',
    url: path,
    headers,
    ...(opts.body !== undefined ? { payload: JSON.stringify(opts.body) } : {}),
  })
  let body: unknown
  try {
    body = res.body === '' ? undefined : JSON.parse(res.body)
  } catch {
    body = undefined
  }
  // SAFETY: inject() header values are strings, string arrays or numbers; tests read them as text.
  return {
    status: res.statusCode,
    headers: res.headers as Response['headers'],
    body,
    text: res.body,
    raw: res.rawPayload,
  }
}
