/**
 * @module Role assignment entries as Keystone renders them: `{links, scope, user|group, role}`
 * with no self link; `links.assignment` points at the grant path the entry comes from
 * (the group's, the inheriting source's, the prior role's), plus `membership` and `prior_role`.
 */
import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { requestBaseUrl } from '../../lib/http/urls.js'
import type { IdentityTables } from '../db/tables.js'
import type { AssignmentRef } from '../core/role-assignments.js'
import { rolesByIds, roleDomainId } from '../core/role-admin.js'

interface Named {
  id: string
  name: string
  domain?: { id: string; name: string }
}

/** Names for include_names, looked up once per entity. */
export interface NameBook {
  roles: Map<string, Named>
  users: Map<string, Named>
  groups: Map<string, Named>
  projects: Map<string, Named>
  domains: Map<string, Named>
}

export async function loadNames(
  db: Kysely<IdentityTables>,
  refs: readonly AssignmentRef[],
): Promise<NameBook> {
  const ids = (pick: (r: AssignmentRef) => string | undefined) => [
    ...new Set(refs.flatMap((r) => pick(r) ?? [])),
  ]
  const userIds = ids((r) => r.userId)
  const groupIds = ids((r) => r.groupId)
  const projectIds = ids((r) => r.projectId)
  const users = userIds.length
    ? await db
        .selectFrom('user')
        .select(['id', 'name', 'domain_id'])
        .where('id', 'in', userIds)
        .execute()
    : []
  const groups = groupIds.length
    ? await db
        .selectFrom('user_group')
        .select(['id', 'name', 'domain_id'])
        .where('id', 'in', groupIds)
        .execute()
    : []
  const projects = projectIds.length
    ? await db
        .selectFrom('project')
        .select(['id', 'name', 'domain_id'])
        .where('id', 'in', projectIds)
        .execute()
    : []
  const roles = await rolesByIds(
    db,
    ids((r) => r.roleId),
  )
  const domainIds = [
    ...ids((r) => r.domainId),
    ...users.map((u) => u.domain_id),
    ...groups.map((g) => g.domain_id),
    ...projects.map((p) => p.domain_id),
    ...roles.flatMap((r) => roleDomainId(r) ?? []),
  ]
  const domainRows = domainIds.length
    ? await db
        .selectFrom('project')
        .select(['id', 'name'])
        .where('id', 'in', [...new Set(domainIds)])
        .execute()
    : []
  const domains = new Map(domainRows.map((d) => [d.id, { id: d.id, name: d.name }]))
  const withDomain = (id: string, name: string, domainId: string): Named => ({
    id,
    name,
    domain: { id: domainId, name: domains.get(domainId)?.name ?? '' },
  })
  const book: NameBook = {
    users: new Map(users.map((u) => [u.id, withDomain(u.id, u.name, u.domain_id)])),
    groups: new Map(groups.map((g) => [g.id, withDomain(g.id, g.name, g.domain_id)])),
    projects: new Map(projects.map((p) => [p.id, withDomain(p.id, p.name, p.domain_id)])),
    domains,
    roles: new Map(),
  }
  for (const r of roles) {
    const domainId = roleDomainId(r)
    book.roles.set(
      r.id,
      domainId === null ? { id: r.id, name: r.name } : withDomain(r.id, r.name, domainId),
    )
  }
  return book
}

/** An actor whose row is gone still shows, with empty names (as Keystone logs and carries on). */
function named(
  map: Map<string, Named> | undefined,
  id: string,
  withDomain: boolean,
): Record<string, unknown> {
  if (!map) return { id }
  const found = map.get(id)
  if (found) return { ...found }
  return withDomain ? { id, name: '', domain: { id: '', name: '' } } : { id, name: '' }
}

export function assignmentView(
  req: FastifyRequest,
  ref: AssignmentRef,
  names?: NameBook,
): Record<string, unknown> {
  const base = `${requestBaseUrl(req)}/v3`
  const links: Record<string, string> = {}
  const entity: Record<string, unknown> = { links }
  const scope: Record<string, unknown> = {}
  let inherited = ref.inherited === true
  let link = ''
  if (ref.projectId !== undefined) {
    scope.project = named(names?.projects, ref.projectId, true)
    if (ref.indirect?.domainId !== undefined) {
      inherited = true
      link = `/domains/${ref.indirect.domainId}`
    } else if (ref.indirect?.projectId !== undefined) {
      inherited = true
      link = `/projects/${ref.indirect.projectId}`
    } else link = `/projects/${ref.projectId}`
  } else if (ref.domainId !== undefined) {
    scope.domain = named(names?.domains, ref.domainId, false)
    link = `/domains/${ref.domainId}`
  } else if (ref.system) {
    scope.system = { all: true }
    link = '/system'
  }
  entity.scope = scope
  if (ref.userId !== undefined) {
    entity.user = named(names?.users, ref.userId, true)
    if (ref.indirect?.groupId !== undefined) {
      links.membership = `${base}/groups/${ref.indirect.groupId}/users/${ref.userId}`
      link += `/groups/${ref.indirect.groupId}`
    } else link += `/users/${ref.userId}`
  } else if (ref.groupId !== undefined) {
    entity.group = named(names?.groups, ref.groupId, true)
    link += `/groups/${ref.groupId}`
  }
  entity.role = named(names?.roles, ref.roleId, false)
  // Keystone names the implied role "prior" in this link; kept as is for compatibility.
  const prior = ref.indirect?.roleId
  link += `/roles/${prior ?? ref.roleId}`
  if (inherited) {
    scope['OS-INHERIT:inherited_to'] = 'projects'
    link = `/OS-INHERIT${link}/inherited_to_projects`
  }
  links.assignment = `${base}${link}`
  if (prior !== undefined) links.prior_role = `${base}/prior_role/${ref.roleId}/implies/${prior}`
  return entity
}
