/**
 * @module Which projects and domains a user can scope to: every target of a direct or group
 * grant, plus everything below an inherited grant (a domain's projects, a project's subtree).
 */
import type { Kysely } from 'kysely'
import type { IdentityTables } from '../db/tables.js'
import { groupIdsOfUser } from './roles.js'

type Db = Kysely<IdentityTables>

/** Ids of all projects under `rootIds` (not including the roots), breadth first. */
export async function descendantProjectIds(db: Db, rootIds: readonly string[]): Promise<string[]> {
  const out: string[] = []
  let frontier = [...rootIds]
  const seen = new Set(rootIds)
  while (frontier.length > 0) {
    const rows = await db
      .selectFrom('project')
      .select('id')
      .where('parent_id', 'in', frontier)
      .where('is_domain', '=', 0)
      .execute()
    frontier = rows.map((r) => r.id).filter((id) => !seen.has(id))
    for (const id of frontier) {
      seen.add(id)
      out.push(id)
    }
  }
  return out
}

export async function projectIdsOfUser(db: Db, userId: string): Promise<string[]> {
  const actors = [userId, ...(await groupIdsOfUser(db, userId))]
  const grants = await db
    .selectFrom('assignment')
    .select(['type', 'target_id', 'inherited'])
    .where('actor_id', 'in', actors)
    .where('type', 'in', ['UserProject', 'GroupProject', 'UserDomain', 'GroupDomain'])
    .execute()
  const ids = new Set<string>()
  const inheritedRoots: string[] = []
  for (const g of grants) {
    const onProject = g.type === 'UserProject' || g.type === 'GroupProject'
    if (onProject && g.inherited === 0) ids.add(g.target_id)
    if (g.inherited === 1) inheritedRoots.push(g.target_id)
  }
  for (const id of await descendantProjectIds(db, inheritedRoots)) ids.add(id)
  return [...ids]
}

export async function domainIdsOfUser(db: Db, userId: string): Promise<string[]> {
  const actors = [userId, ...(await groupIdsOfUser(db, userId))]
  const rows = await db
    .selectFrom('assignment')
    .select('target_id')
    .where('actor_id', 'in', actors)
    .where('type', 'in', ['UserDomain', 'GroupDomain'])
    .where('inherited', '=', 0)
    .execute()
  return [...new Set(rows.map((r) => r.target_id))]
}
