/** @module Tags on any standard-attribute resource (Neutron's standard-attr-tag). */
import type { Kysely } from 'kysely'
import type { NetworkTables } from '../db/tables.js'

/** Tags of many resources of one type, in one query. */
export async function tagsOf(
  db: Kysely<NetworkTables>,
  resourceType: string,
  ids: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  if (ids.length === 0) return out
  const rows = await db
    .selectFrom('tag')
    .select(['resource_id', 'tag'])
    .where('resource_type', '=', resourceType)
    .$if(ids.length <= 500, (q) => q.where('resource_id', 'in', ids))
    .orderBy('tag')
    .execute()
  const wanted = new Set(ids)
  for (const r of rows) {
    if (!wanted.has(r.resource_id)) continue
    const list = out.get(r.resource_id) ?? []
    list.push(r.tag)
    out.set(r.resource_id, list)
  }
  return out
}

export async function setTags(
  db: Kysely<NetworkTables>,
  resourceType: string,
  id: string,
  tags: readonly string[],
): Promise<void> {
  await db
    .deleteFrom('tag')
    .where('resource_type', '=', resourceType)
    .where('resource_id', '=', id)
    .execute()
  const unique = [...new Set(tags)]
  if (unique.length > 0)
    await db
      .insertInto('tag')
      .values(unique.map((tag) => ({ resource_type: resourceType, resource_id: id, tag })))
      .execute()
}

export async function deleteTags(
  db: Kysely<NetworkTables>,
  resourceType: string,
  id: string,
): Promise<void> {
  await db
    .deleteFrom('tag')
    .where('resource_type', '=', resourceType)
    .where('resource_id', '=', id)
    .execute()
}
