/**
 * @module Keystone's check of an endpoint URL on create: the URL is a Python %-format string
 * (`$(key)s` is accepted as `%(key)s`) that must format without error when every whitelisted
 * substitution is an empty string. Anything else is refused with 400.
 */
import { badRequest } from '../errors.js'

/** The substitutions an endpoint URL may use (Keystone's WHITELISTED_PROPERTIES). */
export const URL_SUBSTITUTIONS = [
  'tenant_id',
  'project_id',
  'user_id',
  'public_bind_host',
  'admin_bind_host',
  'compute_host',
  'admin_port',
  'public_port',
  'public_endpoint',
] as const

/** Conversions that format a string value (or the whole mapping) without a TypeError. */
const STRING_CONVERSIONS = 's r a'.split(' ')
const ALL_CONVERSIONS = 'd i o u x X e E f F g G c r s a'.split(' ')
const SPEC_TAIL = /^[-#0 +]*(\d+|\*)?(\.(\d+|\*)?)?[hlL]?/

/** Whether `url % {whitelisted: ''}` would succeed in Python. */
export function isValidEndpointUrl(raw: string): boolean {
  const url = raw.replaceAll('$(', '%(')
  // With a mapping argument Python gives the mapping to the first positional spec only, and
  // only while no keyed spec has been seen.
  let positionalAllowed = true
  let i = 0
  while (i < url.length) {
    if (url[i] !== '%') {
      i++
      continue
    }
    i++
    let key: string | undefined
    if (url[i] === '(') {
      let depth = 1
      const start = ++i
      while (i < url.length && depth > 0) {
        if (url[i] === '(') depth++
        else if (url[i] === ')') depth--
        i++
      }
      if (depth > 0) return false
      key = url.slice(start, i - 1)
    }
    const tail = SPEC_TAIL.exec(url.slice(i))?.[0] ?? ''
    i += tail.length
    const conversion = url[i]
    if (conversion === undefined) return false
    i++
    if (conversion === '%' && key === undefined && tail === '') continue
    if (!ALL_CONVERSIONS.includes(conversion) || tail.includes('*')) return false
    if (key !== undefined) {
      if (!(URL_SUBSTITUTIONS as readonly string[]).includes(key)) return false
      if (!STRING_CONVERSIONS.includes(conversion)) return false
      positionalAllowed = false
    } else {
      if (!positionalAllowed || !STRING_CONVERSIONS.includes(conversion)) return false
      positionalAllowed = false
    }
  }
  return true
}

/** 400 "Cannot create an endpoint with an invalid URL" unless the URL formats. */
export function checkEndpointUrl(url: string): void {
  if (!isValidEndpointUrl(url))
    throw badRequest(`Cannot create an endpoint with an invalid URL: ${url}.`)
}
