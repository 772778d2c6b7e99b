/**
 * @module What hangs off a flavor: the projects a private flavor is shared with, and its extra
 * specs (free-form key/value strings the scheduler and drivers read).
 */
import { isUniqueViolation } from '../../lib/db/errors.js'
import { computeErrors } from '../errors.js'
import type { ComputeDeps } from './deps.js'
import { extraSpecsOf } from './flavors.js'

/** Projects a flavor is shared with, in the order they were added (by project id here). */
export async function flavorProjects(
  deps: Pick<ComputeDeps, 'db'>,
  flavorId: string,
): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('flavor_project')
    .select('project_id')
    .where('flavor_id', '=', flavorId)
    .orderBy('project_id')
    .execute()
  return rows.map((r) => r.project_id)
}

export async function addFlavorAccess(
  deps: Pick<ComputeDeps, 'db'>,
  flavorId: string,
  projectId: string,
): Promise<void> {
  const exists = () =>
    computeErrors.conflict(
      `Flavor access already exists for flavor ${flavorId} and project ${projectId} combination.`,
    )
  const found = await deps.db
    .selectFrom('flavor_project')
    .select('flavor_id')
    .where('flavor_id', '=', flavorId)
    .where('project_id', '=', projectId)
    .executeTakeFirst()
  if (found) throw exists()
  try {
    await deps.db
      .insertInto('flavor_project')
      .values({ flavor_id: flavorId, project_id: projectId })
      .execute()
  } catch (err) {
    throw isUniqueViolation(err) ? exists() : err
  }
}

export async function removeFlavorAccess(
  deps: Pick<ComputeDeps, 'db'>,
  flavorId: string,
  projectId: string,
): Promise<void> {
  const deleted = await deps.db
    .deleteFrom('flavor_project')
    .where('flavor_id', '=', flavorId)
    .where('project_id', '=', projectId)
    .executeTakeFirst()
  if (Number(deleted.numDeletedRows) === 0)
    throw computeErrors.notFound(
      `Flavor access not found for ${flavorId} / ${projectId} combination.`,
    )
}

export async function flavorExtraSpecs(
  deps: Pick<ComputeDeps, 'db'>,
  flavorId: string,
): Promise<Record<string, string>> {
  return (await extraSpecsOf(deps.db, [flavorId])).get(flavorId) ?? {}
}

/** Adds or replaces the given keys (others stay). */
export async function setFlavorExtraSpecs(
  deps: Pick<ComputeDeps, 'db'>,
  flavorId: string,
  specs: Record<string, string>,
): Promise<void> {
  const keys = Object.keys(specs)
  if (keys.length === 0) return
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('flavor_extra_spec')
      .where('flavor_id', '=', flavorId)
      .where('key', 'in', keys)
      .execute()
    await trx
      .insertInto('flavor_extra_spec')
      .values(keys.map((key) => ({ flavor_id: flavorId, key, value: specs[key] ?? '' })))
      .execute()
  })
}

export function noSuchExtraSpec(flavorId: string, key: string): Error {
  return computeErrors.notFound(`Flavor ${flavorId} has no extra specs with key ${key}.`)
}

export async function deleteFlavorExtraSpec(
  deps: Pick<ComputeDeps, 'db'>,
  flavorId: string,
  key: string,
): Promise<void> {
  const deleted = await deps.db
    .deleteFrom('flavor_extra_spec')
    .where('flavor_id', '=', flavorId)
    .where('key', '=', key)
    .executeTakeFirst()
  if (Number(deleted.numDeletedRows) === 0) throw noSuchExtraSpec(flavorId, key)
}
