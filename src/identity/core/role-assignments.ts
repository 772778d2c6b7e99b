/**
 * @module GET /v3/role_assignments, computed as Keystone does. Direct mode lists grants as
 * stored. Effective mode lists what actually applies to users: group grants become one entry
 * per member, inherited grants one entry per project below their source, implied roles are
 * added, domain-specific roles dropped and system grants left out. The same rules give token
 * roles in roles.ts; an entry remembers where it came from (`indirect`) for its links.
 */
import type { Kysely } from 'kysely'
import { type AssignmentType, GLOBAL_ROLE_DOMAIN, type IdentityTables } from '../db/tables.js'
import { SYSTEM_TARGET, requireProject } from './grants.js'
import { rolesByIds } from './role-admin.js'
import { groupIdsOfUser, projectLineage } from './roles.js'
import { descendantProjectIds } from './user-projects.js'

type Db = Kysely<IdentityTables>

export interface AssignmentRef {
  roleId: string
  userId?: string
  groupId?: string
  projectId?: string
  domainId?: string
  system?: true
  /** A stored grant inherited to the projects below its target. */
  inherited?: true
  /** Where an expanded entry came from: a group, an inheriting project or domain, a prior role. */
  indirect?: { groupId?: string; projectId?: string; domainId?: string; roleId?: string }
}

export interface AssignmentQuery {
  roleId?: string | undefined
  userId?: string | undefined
  groupId?: string | undefined
  projectId?: string | undefined
  domainId?: string | undefined
  /** scope.system=all. */
  system?: boolean | undefined
  includeSubtree?: boolean | undefined
  /** true: inherited grants only; false: non-inherited only; undefined: both. */
  inherited?: boolean | undefined
  effective?: boolean | undefined
}

interface StoredQuery {
  roleId?: string | undefined
  userId?: string | undefined
  groupIds?: string[] | undefined
  domainId?: string | undefined
  projectIds?: string[] | undefined
  inherited?: boolean | undefined
}

const USER_TYPES: readonly AssignmentType[] = ['UserProject', 'UserDomain']
const GROUP_TYPES: readonly AssignmentType[] = ['GroupProject', 'GroupDomain']
const PROJECT_TYPES: readonly AssignmentType[] = ['UserProject', 'GroupProject']
const DOMAIN_TYPES: readonly AssignmentType[] = ['UserDomain', 'GroupDomain']

/** Project and domain grants matching the filters (Keystone's assignment driver query). */
async function storedGrants(db: Db, q: StoredQuery): Promise<AssignmentRef[]> {
  const actorTypes = q.userId ? USER_TYPES : q.groupIds?.length ? GROUP_TYPES : []
  const targetTypes = q.projectIds?.length ? PROJECT_TYPES : q.domainId ? DOMAIN_TYPES : []
  let types: readonly AssignmentType[] = [...USER_TYPES, ...GROUP_TYPES]
  if (actorTypes.length > 0 && targetTypes.length > 0)
    types = actorTypes.filter((t) => targetTypes.includes(t))
  else if (actorTypes.length > 0) types = actorTypes
  else if (targetTypes.length > 0) types = targetTypes
  let query = db.selectFrom('assignment').selectAll().where('type', 'in', types)
  if (q.roleId) query = query.where('role_id', '=', q.roleId)
  const actors = q.groupIds?.length ? q.groupIds : q.userId ? [q.userId] : undefined
  if (actors) query = query.where('actor_id', 'in', actors)
  const targets = q.projectIds?.length ? q.projectIds : q.domainId ? [q.domainId] : undefined
  if (targets) query = query.where('target_id', 'in', targets)
  if (q.inherited !== undefined) query = query.where('inherited', '=', q.inherited ? 1 : 0)
  const rows = await query.execute()
  return rows.map((r) => {
    const ref: AssignmentRef = { roleId: r.role_id }
    if (r.type.startsWith('User')) ref.userId = r.actor_id
    else ref.groupId = r.actor_id
    if (r.type.endsWith('Project')) ref.projectId = r.target_id
    else ref.domainId = r.target_id
    if (r.inherited === 1) ref.inherited = true
    return ref
  })
}

async function systemGrants(db: Db, q: AssignmentQuery): Promise<AssignmentRef[]> {
  let query = db.selectFrom('assignment').selectAll().where('target_id', '=', SYSTEM_TARGET)
  if (q.userId) query = query.where('type', '=', 'UserSystem').where('actor_id', '=', q.userId)
  else if (q.groupId)
    query = query.where('type', '=', 'GroupSystem').where('actor_id', '=', q.groupId)
  else query = query.where('type', 'in', ['UserSystem', 'GroupSystem'])
  if (q.roleId) query = query.where('role_id', '=', q.roleId)
  const rows = await query.execute()
  return rows.map((r) =>
    r.type === 'UserSystem'
      ? { roleId: r.role_id, userId: r.actor_id, system: true }
      : { roleId: r.role_id, groupId: r.actor_id, system: true },
  )
}

function projectsOfInterest(
  projectId: string | undefined,
  subtreeIds: string[] | undefined,
): string[] | undefined {
  if (!projectId) return undefined
  return subtreeIds?.length ? [...subtreeIds, projectId] : [projectId]
}

async function listDirect(
  db: Db,
  q: AssignmentQuery,
  subtreeIds: string[] | undefined,
): Promise<AssignmentRef[]> {
  const refs = q.system
    ? []
    : await storedGrants(db, {
        roleId: q.roleId,
        userId: q.userId,
        groupIds: q.groupId ? [q.groupId] : undefined,
        domainId: q.domainId,
        projectIds: projectsOfInterest(q.projectId, subtreeIds),
        inherited: q.inherited,
      })
  if (q.system || (!q.projectId && !q.domainId)) refs.push(...(await systemGrants(db, q)))
  return refs
}

/** Grants that can affect an actor on the projects of interest (or anywhere). */
async function grantsForActor(
  db: Db,
  actor: { userId?: string | undefined; groupIds?: string[] | undefined },
  q: AssignmentQuery,
  subtreeIds: string[] | undefined,
): Promise<AssignmentRef[]> {
  const projectIds = projectsOfInterest(q.projectId, subtreeIds)
  const refs: AssignmentRef[] = []
  if (q.inherited !== true)
    refs.push(
      ...(await storedGrants(db, { ...actor, domainId: q.domainId, projectIds, inherited: false })),
    )
  if (q.inherited === false) return refs
  if (q.projectId) {
    // Inheritance reaches a project from its domain, its ancestors, or (with a subtree) from inside it.
    await requireProject(db, q.projectId)
    const { ancestors, domainId } = await projectLineage(db, q.projectId)
    if (domainId !== undefined)
      refs.push(...(await storedGrants(db, { ...actor, domainId, inherited: true })))
    const sources = subtreeIds?.length ? [...ancestors, ...(projectIds ?? [])] : ancestors
    if (sources.length > 0)
      refs.push(...(await storedGrants(db, { ...actor, projectIds: sources, inherited: true })))
  } else refs.push(...(await storedGrants(db, { ...actor, inherited: true })))
  return refs
}

async function groupMembers(db: Db, groupId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('group_membership')
    .select('user_id')
    .where('group_id', '=', groupId)
    .execute()
  return rows.map((r) => r.user_id)
}

async function projectsInDomain(db: Db, domainId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('project')
    .select('id')
    .where('domain_id', '=', domainId)
    .where('is_domain', '=', 0)
    .execute()
  return rows.map((r) => r.id)
}

function asMember(ref: AssignmentRef, userId: string): AssignmentRef {
  const { groupId, ...rest } = ref
  return {
    ...rest,
    userId,
    indirect: { ...ref.indirect, ...(groupId === undefined ? {} : { groupId }) },
  }
}

function onProject(ref: AssignmentRef, projectId: string): AssignmentRef {
  const { domainId, projectId: source, inherited: _inherited, ...rest } = ref
  const from =
    source !== undefined ? { projectId: source } : domainId !== undefined ? { domainId } : {}
  return { ...rest, projectId, indirect: { ...ref.indirect, ...from } }
}

/** One grant as the entries it yields (Keystone's _expand_indirect_assignment, groups always expanded). */
async function expand(
  db: Db,
  ref: AssignmentRef,
  q: AssignmentQuery,
  subtreeIds: string[] | undefined,
): Promise<AssignmentRef[]> {
  const members = async (r: AssignmentRef): Promise<AssignmentRef[]> => {
    if (r.groupId === undefined) return [r]
    const users = q.userId ? [q.userId] : await groupMembers(db, r.groupId)
    return users.map((u) => asMember(r, u))
  }
  if (!ref.inherited) return members(ref)
  let projectIds: string[]
  if (q.projectId) {
    projectIds = [q.projectId, ...(subtreeIds ?? [])]
    if (subtreeIds?.length && ref.projectId !== undefined && projectIds.includes(ref.projectId))
      projectIds = await descendantProjectIds(db, [ref.projectId])
  } else if (ref.domainId !== undefined) projectIds = await projectsInDomain(db, ref.domainId)
  else projectIds = await descendantProjectIds(db, [ref.projectId ?? ''])
  return (await members(ref)).flatMap((r) => projectIds.map((p) => onProject(r, p)))
}

function refKey(ref: AssignmentRef): string {
  const i = ref.indirect ?? {}
  return JSON.stringify([
    ref.roleId,
    ref.userId,
    ref.groupId,
    ref.projectId,
    ref.domainId,
    ref.system,
    ref.inherited,
    i.groupId,
    i.projectId,
    i.domainId,
    i.roleId,
  ])
}

/** Appends an entry for every role implied by each entry's role, transitively, stopping at cycles. */
export async function addImpliedRoles(db: Db, refs: AssignmentRef[]): Promise<AssignmentRef[]> {
  const rules = await db.selectFrom('implied_role').selectAll().execute()
  if (rules.length === 0) return refs
  const implies = new Map<string, string[]>()
  for (const r of rules)
    implies.set(r.prior_role_id, [...(implies.get(r.prior_role_id) ?? []), r.implied_role_id])
  const results = [...refs]
  const toCheck = [...refs]
  const checked = new Set<string>()
  for (let next = toCheck.pop(); next !== undefined; next = toCheck.pop()) {
    checked.add(refKey(next))
    for (const impliedId of implies.get(next.roleId) ?? []) {
      const implied: AssignmentRef = {
        ...next,
        roleId: impliedId,
        indirect: { ...next.indirect, roleId: next.roleId },
      }
      if (checked.has(refKey(implied))) continue
      results.push(implied)
      toCheck.push(implied)
    }
  }
  return results
}

async function listEffective(
  db: Db,
  q: AssignmentQuery,
  subtreeIds: string[] | undefined,
): Promise<AssignmentRef[]> {
  // Group grants are expanded to users and domains inherit nothing: these filters match nothing.
  if (q.groupId || (q.domainId && q.inherited === true)) return []
  const query = { ...q, inherited: q.domainId ? false : q.inherited }
  const direct = await grantsForActor(db, { userId: q.userId }, query, subtreeIds)
  const viaGroups: AssignmentRef[] = []
  if (q.userId) {
    const groupIds = await groupIdsOfUser(db, q.userId)
    if (groupIds.length > 0)
      viaGroups.push(...(await grantsForActor(db, { groupIds }, query, subtreeIds)))
  }
  const expanded: AssignmentRef[] = []
  for (const ref of [...direct, ...viaGroups])
    expanded.push(...(await expand(db, ref, query, subtreeIds)))
  const withImplied = await addImpliedRoles(db, expanded)
  const roles = await rolesByIds(
    db,
    withImplied.map((r) => r.roleId),
  )
  const global = new Set(roles.filter((r) => r.domain_id === GLOBAL_ROLE_DOMAIN).map((r) => r.id))
  return withImplied.filter((r) => global.has(r.roleId) && (!q.roleId || r.roleId === q.roleId))
}

/** Lists role assignments; 404 when a project filter names a missing project and it matters. */
export async function listRoleAssignments(db: Db, q: AssignmentQuery): Promise<AssignmentRef[]> {
  let subtreeIds: string[] | undefined
  if (q.projectId && q.includeSubtree) {
    await requireProject(db, q.projectId)
    subtreeIds = await descendantProjectIds(db, [q.projectId])
  }
  return q.effective ? listEffective(db, q, subtreeIds) : listDirect(db, q, subtreeIds)
}
