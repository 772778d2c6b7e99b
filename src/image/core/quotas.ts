/**
 * @module Image quotas: the per-image counts (members, properties, tags), the legacy byte quota
 * (user_storage_quota) and, when enabled, the unified limits registered in identity
 * (image_size_total and image_stage_total in MiB, image_count_total, image_count_uploading),
 * with oslo.limit's rule: over the limit when usage + delta > limit.
 */
import { sql } from 'kysely'
import { imageErrors } from '../errors.js'
import type { ImageDeps } from './deps.js'

const MIB = 1024 * 1024

export const UNIFIED_LIMITS = [
  'image_size_total',
  'image_stage_total',
  'image_count_total',
  'image_count_uploading',
] as const
export type UnifiedLimit = (typeof UNIFIED_LIMITS)[number]

/** 413 when `count` is over a per-image quota (-1 means unlimited). */
export function checkCountQuota(
  what: 'members' | 'properties' | 'tags',
  count: number,
  quota: number,
): void {
  if (quota >= 0 && count > quota)
    throw imageErrors.overLimit(
      `The limit has been exceeded on the number of allowed image ${what}. Attempted: ${count}, Maximum: ${quota}`,
    )
}

/** Current usage of a unified-limit resource by a project. */
export async function usage(
  deps: ImageDeps,
  projectId: string,
  resource: UnifiedLimit,
): Promise<number> {
  const images = deps.db.selectFrom('image').where('owner', '=', projectId)
  switch (resource) {
    case 'image_size_total': {
      const row = await images
        .select(sql<number | string>`COALESCE(SUM(size), 0)`.as('bytes'))
        .where('status', 'not in', ['killed', 'deleted'])
        .where('location', 'is not', null)
        .executeTakeFirst()
      return Math.floor(Number(row?.bytes ?? 0) / MIB)
    }
    case 'image_stage_total': {
      const row = await images
        .select(sql<number | string>`COALESCE(SUM(size), 0)`.as('bytes'))
        .where('status', 'in', ['uploading', 'importing'])
        .executeTakeFirst()
      return Math.floor(Number(row?.bytes ?? 0) / MIB)
    }
    case 'image_count_total': {
      const row = await images
        .select(sql<number | string>`COUNT(*)`.as('n'))
        .where('status', 'not in', ['killed', 'deleted'])
        .executeTakeFirst()
      return Number(row?.n ?? 0)
    }
    case 'image_count_uploading': {
      const row = await images
        .select(sql<number | string>`COUNT(*)`.as('n'))
        .where('status', 'in', ['saving', 'uploading', 'importing'])
        .executeTakeFirst()
      return Number(row?.n ?? 0)
    }
  }
}

/** 413 when the project would go over a unified limit (only with use_keystone_limits). */
export async function enforceLimit(
  deps: ImageDeps,
  projectId: string | undefined,
  resource: UnifiedLimit,
  delta: number,
): Promise<void> {
  if (!deps.config.useKeystoneLimits || projectId === undefined) return
  const limit = await deps.limits(projectId, resource)
  if (limit === undefined || limit < 0) return
  const used = await usage(deps, projectId, resource)
  if (used + delta > limit)
    throw imageErrors.overLimit(
      `Project ${projectId} is over a limit for [Resource ${resource} is over limit of ${limit} due to current usage ${used} and delta ${delta}]`,
    )
}

/**
 * Bytes a project may still add to its stored images: the smaller of the legacy
 * user_storage_quota and the image_size_total limit; undefined when neither applies.
 */
export async function remainingBytes(
  deps: ImageDeps,
  projectId: string | undefined,
): Promise<number | undefined> {
  if (projectId === undefined) return undefined
  const caps: number[] = []
  const stored = async () => {
    const row = await deps.db
      .selectFrom('image')
      .select(sql<number | string>`COALESCE(SUM(size), 0)`.as('bytes'))
      .where('owner', '=', projectId)
      .where('status', 'not in', ['killed', 'deleted'])
      .where('location', 'is not', null)
      .executeTakeFirst()
    return Number(row?.bytes ?? 0)
  }
  if (deps.config.userStorageQuota > 0) caps.push(deps.config.userStorageQuota - (await stored()))
  if (deps.config.useKeystoneLimits) {
    const limit = await deps.limits(projectId, 'image_size_total')
    // Counted in bytes here, so half-used MiBs are not given away twice.
    if (limit !== undefined && limit >= 0) caps.push(limit * MIB - (await stored()))
  }
  return caps.length === 0 ? undefined : Math.max(0, Math.min(...caps))
}
