/** @module Identifier formats OpenStack clients expect. */
import { randomBytes, randomUUID } from 'node:crypto'

/** A dashed UUID4 (Nova, Neutron, Glance, Cinder ids). */
export function uuid(): string {
  return randomUUID()
}

/** A 32-hex id without dashes (Keystone ids). */
export function hexId(): string {
  return randomUUID().replaceAll('-', '')
}

/** `req-<uuid>`: the x-openstack-request-id format. */
export function requestId(): string {
  return `req-${randomUUID()}`
}

/** URL-safe base64 without padding of `bytes` random bytes (audit ids are 16 bytes -> 22 chars). */
export function randomUrlSafe(bytes: number): string {
  return randomBytes(bytes).toString('base64url')
}

const REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Whether a client-sent global request id has the `req-<uuid>` form we accept. */
export function isRequestId(value: string): boolean {
  return REQUEST_ID.test(value)
}
