/**
 * @module Effective roles: direct grants, grants through groups, inherited grants from the
 * domain and parent projects, then every role those imply. Domain-specific roles never reach a
 * token themselves, only the global roles they imply (as in Keystone).
 */
import type { Kysely } from 'kysely'
import { GLOBAL_ROLE_DOMAIN, type IdentityTables } from '../db/tables.js'

export interface RoleRef {
  id: string
  name: string
}

type Db = Kysely<IdentityTables>

export async function groupIdsOfUser(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('group_membership')
    .select('group_id')
    .where('user_id', '=', userId)
    .execute()
  return rows.map((r) => r.group_id)
}

/** The project's ancestors (parent first, up to but excluding its domain) and its domain. */
export async function projectLineage(
  db: Db,
  projectId: string,
): Promise<{ ancestors: string[]; domainId: string | undefined }> {
  const ancestors: string[] = []
  let domainId: string | undefined
  let current: string | null = projectId
  const seen = new Set<string>()
  while (current !== null && !seen.has(current)) {
    seen.add(current)
    const row = await db
      .selectFrom('project')
      .select(['id', 'parent_id', 'domain_id', 'is_domain'])
      .where('id', '=', current)
      .executeTakeFirst()
    if (!row) break
    if (current === projectId) domainId = row.domain_id
    else if (row.is_domain === 1) break
    else ancestors.push(row.id)
    current = row.parent_id
  }
  return { ancestors, domainId }
}

/** Adds every role implied by `roleIds`, transitively. */
export async function withImpliedRoles(db: Db, roleIds: Iterable<string>): Promise<Set<string>> {
  const result = new Set(roleIds)
  if (result.size === 0) return result
  const rules = await db.selectFrom('implied_role').selectAll().execute()
  if (rules.length === 0) return result
  const implies = new Map<string, string[]>()
  for (const r of rules)
    implies.set(r.prior_role_id, [...(implies.get(r.prior_role_id) ?? []), r.implied_role_id])
  const queue = [...result]
  while (queue.length > 0) {
    const id = queue.pop() as string
    for (const next of implies.get(id) ?? [])
      if (!result.has(next)) {
        result.add(next)
        queue.push(next)
      }
  }
  return result
}

/** Roles of a user on a project (direct, group, inherited), before implication. */
export async function assignedProjectRoleIds(
  db: Db,
  userId: string,
  projectId: string,
): Promise<Set<string>> {
  const actors = [userId, ...(await groupIdsOfUser(db, userId))]
  const { ancestors, domainId } = await projectLineage(db, projectId)
  const inheritedFrom = domainId === undefined ? ancestors : [...ancestors, domainId]
  const rows = await db
    .selectFrom('assignment')
    .select('role_id')
    .where('actor_id', 'in', actors)
    .where('type', 'in', ['UserProject', 'GroupProject', 'UserDomain', 'GroupDomain'])
    .where((eb) =>
      eb.or([
        eb.and([eb('target_id', '=', projectId), eb('inherited', '=', 0)]),
        ...(inheritedFrom.length > 0
          ? [eb.and([eb('target_id', 'in', inheritedFrom), eb('inherited', '=', 1)])]
          : []),
      ]),
    )
    .execute()
  return new Set(rows.map((r) => r.role_id))
}

export async function assignedDomainRoleIds(
  db: Db,
  userId: string,
  domainId: string,
): Promise<Set<string>> {
  const actors = [userId, ...(await groupIdsOfUser(db, userId))]
  const rows = await db
    .selectFrom('assignment')
    .select('role_id')
    .where('actor_id', 'in', actors)
    .where('type', 'in', ['UserDomain', 'GroupDomain'])
    .where('target_id', '=', domainId)
    .where('inherited', '=', 0)
    .execute()
  return new Set(rows.map((r) => r.role_id))
}

export async function assignedSystemRoleIds(db: Db, userId: string): Promise<Set<string>> {
  const actors = [userId, ...(await groupIdsOfUser(db, userId))]
  const rows = await db
    .selectFrom('assignment')
    .select('role_id')
    .where('actor_id', 'in', actors)
    .where('type', 'in', ['UserSystem', 'GroupSystem'])
    .execute()
  return new Set(rows.map((r) => r.role_id))
}

/** Effective global roles (id and name) for a set of assigned role ids. */
export async function effectiveRoles(db: Db, assigned: Set<string>): Promise<RoleRef[]> {
  const ids = await withImpliedRoles(db, assigned)
  if (ids.size === 0) return []
  const rows = await db
    .selectFrom('role')
    .select(['id', 'name', 'domain_id'])
    .where('id', 'in', [...ids])
    .execute()
  return rows
    .filter((r) => r.domain_id === GLOBAL_ROLE_DOMAIN)
    .map((r) => ({ id: r.id, name: r.name }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

export async function projectRoles(db: Db, userId: string, projectId: string): Promise<RoleRef[]> {
  return effectiveRoles(db, await assignedProjectRoleIds(db, userId, projectId))
}

export async function domainRoles(db: Db, userId: string, domainId: string): Promise<RoleRef[]> {
  return effectiveRoles(db, await assignedDomainRoleIds(db, userId, domainId))
}

export async function systemRoles(db: Db, userId: string): Promise<RoleRef[]> {
  return effectiveRoles(db, await assignedSystemRoleIds(db, userId))
}
