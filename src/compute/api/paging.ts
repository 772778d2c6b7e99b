/**
 * @module Nova's query-string helpers: parameters arrive as lists (a repeated key gives several
 * values), `multi` accepts any number of values and `single` at most one; limit/marker paging
 * where the page size is capped by `[compute] osapi_max_limit`.
 */
import { type TArray, type TOptional, type TSchema, Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { ComputeApi } from './compute-api.js'
import { queryValue } from './compute-api.js'
import { nonNegativeInteger } from './parameter-types.js'

/** parameter_types.multi_params (query parameters are all optional). */
export function multi(schema: TSchema): TOptional<TArray> {
  return Type.Optional(Type.Array(schema))
}

/** parameter_types.single_param. */
export function single(schema: TSchema): TOptional<TArray> {
  return Type.Optional(Type.Array(schema, { maxItems: 1 }))
}

/** parameter_types.pagination_parameters. */
export const PAGINATION = {
  limit: multi(nonNegativeInteger),
  marker: multi(Type.String()),
}

/** common.get_limit_and_marker: the page size (at most the configured maximum) and marker. */
export function limitAndMarker(
  api: ComputeApi,
  req: FastifyRequest,
): { limit: number; marker: string | undefined } {
  const max = api.deps.config.osapiMaxLimit
  const raw = queryValue(req, 'limit')
  const limit = raw === undefined ? max : Math.min(max, Number.parseInt(raw, 10))
  return { limit, marker: queryValue(req, 'marker') }
}

/** Whether the query names `key` at all (Nova's `'key' in req.GET`). */
export function hasQuery(req: FastifyRequest, key: string): boolean {
  // SAFETY: Fastify's query parser yields a plain object.
  return Object.prototype.hasOwnProperty.call(req.query as object, key)
}
