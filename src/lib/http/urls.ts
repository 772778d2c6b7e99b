/** @module The URL a client used to reach us, for links in response bodies. */
import type { FastifyRequest } from 'fastify'

/** `http://host:port` as the client addressed it (Host header), without a trailing slash. */
export function requestBaseUrl(req: FastifyRequest): string {
  const forwarded = req.headers['x-forwarded-proto']
  const proto = typeof forwarded === 'string' && forwarded !== '' ? forwarded : req.protocol
  return `${proto}://${req.host}`
}
