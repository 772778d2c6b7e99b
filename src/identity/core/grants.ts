/**
 * @module Role grants by path: a role given to a user or group on a project, a domain or the
 * system, optionally inherited by the projects below (OS-INHERIT). Granting is idempotent;
 * checking or removing a grant that does not exist is a 404. Removing a grant records no
 * revocation event: token roles are recomputed at validation, so the change shows at once.
 */
import type { Kysely } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import { toFlag } from '../../lib/db/values.js'
import { badRequest, forbidden, identityErrors, notFound } from '../errors.js'
import type { AssignmentType, IdentityTables } from '../db/tables.js'
import type { IdentityDeps } from './deps.js'
import { type Role, getRole, isDomainRole, rolesByIds } from './role-admin.js'
import type { Project } from './projects.js'

type Db = Kysely<IdentityTables>

export type ActorKind = 'user' | 'group'
export type TargetKind = 'project' | 'domain' | 'system'

/** The target_id of every system grant (Keystone's system scope token). */
export const SYSTEM_TARGET = 'system'

export interface GrantScope {
  actor: ActorKind
  actorId: string
  target: TargetKind
  /** Ignored for the system. */
  targetId: string
  inherited: boolean
}

export interface Grant extends GrantScope {
  roleId: string
}

export function assignmentType(actor: ActorKind, target: TargetKind): AssignmentType {
  const a = actor === 'user' ? 'User' : 'Group'
  const t = target === 'project' ? 'Project' : target === 'domain' ? 'Domain' : 'System'
  return `${a}${t}`
}

function targetIdOf(scope: GrantScope): string {
  return scope.target === 'system' ? SYSTEM_TARGET : scope.targetId
}

/** Any project row, domains included (Keystone's get_project). */
export async function requireProject(db: Db, id: string): Promise<Project> {
  const p = await db.selectFrom('project').selectAll().where('id', '=', id).executeTakeFirst()
  if (!p) throw notFound('project', id)
  return p
}

export async function requireDomain(db: Db, id: string): Promise<Project> {
  const d = await db.selectFrom('project').selectAll().where('id', '=', id).executeTakeFirst()
  if (d?.is_domain !== 1) throw notFound('domain', id)
  return d
}

/** The project or domain a grant is on must exist (404 otherwise). */
async function requireTarget(db: Db, scope: GrantScope): Promise<Project | undefined> {
  if (scope.target === 'project') return requireProject(db, scope.targetId)
  if (scope.target === 'domain') return requireDomain(db, scope.targetId)
  return undefined
}

async function exists(db: Db, g: Grant): Promise<boolean> {
  const row = await db
    .selectFrom('assignment')
    .select('role_id')
    .where('type', '=', assignmentType(g.actor, g.target))
    .where('actor_id', '=', g.actorId)
    .where('target_id', '=', targetIdOf(g))
    .where('role_id', '=', g.roleId)
    .where('inherited', '=', toFlag(g.inherited))
    .executeTakeFirst()
  return row !== undefined
}

function assignmentNotFound(g: Grant) {
  return identityErrors.roleAssignmentNotFound({
    roleId: g.roleId,
    actorId: g.actorId,
    targetId: targetIdOf(g),
  })
}

/**
 * Grants a role (idempotent). The actor's existence is the caller's concern (Keystone does not
 * check it here); a domain-specific role only goes on projects of its domain, never on the system.
 */
export async function createGrant(deps: IdentityDeps, g: Grant): Promise<void> {
  const role = await getRole(deps.db, g.roleId)
  const target = await requireTarget(deps.db, g)
  if (g.target === 'system' && isDomainRole(role))
    throw badRequest(
      `Role ${role.id} is a domain-specific role. Unable to use a domain-specific role in a system assignment.`,
    )
  if (g.target === 'project' && target && isDomainRole(role) && target.domain_id !== role.domain_id)
    throw forbidden(
      `Project ${target.id} must be in the same domain as the role ${role.id} being assigned.`,
    )
  if (await exists(deps.db, g)) return
  try {
    await deps.db
      .insertInto('assignment')
      .values({
        type: assignmentType(g.actor, g.target),
        actor_id: g.actorId,
        target_id: targetIdOf(g),
        role_id: g.roleId,
        inherited: toFlag(g.inherited),
      })
      .execute()
  } catch (err) {
    // A concurrent identical PUT: the grant exists, which is what was asked.
    if (!isUniqueViolation(err)) throw err
  }
}

/** 204 or 404: the role and target must exist, then the grant itself. */
export async function checkGrant(db: Db, g: Grant): Promise<void> {
  if (g.target !== 'system') {
    await getRole(db, g.roleId)
    await requireTarget(db, g)
  }
  if (!(await exists(db, g))) throw assignmentNotFound(g)
}

export async function deleteGrant(deps: IdentityDeps, g: Grant): Promise<void> {
  if (g.target !== 'system') await getRole(deps.db, g.roleId)
  if (!(await exists(deps.db, g))) throw assignmentNotFound(g)
  await requireTarget(deps.db, g)
  await deps.db
    .deleteFrom('assignment')
    .where('type', '=', assignmentType(g.actor, g.target))
    .where('actor_id', '=', g.actorId)
    .where('target_id', '=', targetIdOf(g))
    .where('role_id', '=', g.roleId)
    .where('inherited', '=', toFlag(g.inherited))
    .execute()
}

/** The roles granted to exactly this actor on exactly this target, of this inheritance. */
export async function listGrantedRoles(db: Db, scope: GrantScope): Promise<Role[]> {
  await requireTarget(db, scope)
  const rows = await db
    .selectFrom('assignment')
    .select('role_id')
    .where('type', '=', assignmentType(scope.actor, scope.target))
    .where('actor_id', '=', scope.actorId)
    .where('target_id', '=', targetIdOf(scope))
    .where('inherited', '=', toFlag(scope.inherited))
    .execute()
  const roles = await rolesByIds(
    db,
    rows.map((r) => r.role_id),
  )
  return roles.sort((a, b) => a.name.localeCompare(b.name))
}
