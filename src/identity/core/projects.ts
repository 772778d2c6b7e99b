/**
 * @module Projects and domains (a domain is a project row with is_domain = 1, as in Keystone):
 * create, update, delete with Keystone's hierarchy rules, lookups and tags.
 */
import type { Kysely, Selectable } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import { fromFlag, toFlag, toJson } from '../../lib/db/values.js'
import { hexId } from '../../lib/ids/ids.js'
import { badRequest, conflict, forbidden, notFound } from '../errors.js'
import { DOMAIN_ROOT, type IdentityTables, type ProjectTable } from '../db/tables.js'
import type { IdentityDeps } from './deps.js'
import { deleteCredentialsForProject } from './credentials.js'
import { deleteGroupRows } from './groups.js'
import { deleteTrustsForProject } from './trusts.js'
import { descendantProjectIds } from './user-projects.js'
import { deleteUserRows } from './users.js'

type Db = Kysely<IdentityTables>
export type Project = Selectable<ProjectTable>

export const MAX_TREE_DEPTH = 5

/** Attributes a client may set that are stored in columns; the rest go to `extra`. */
const COLUMNS = [
  'id',
  'name',
  'domain_id',
  'parent_id',
  'description',
  'enabled',
  'is_domain',
  'tags',
  'options',
  'links',
]

export function splitExtra(
  body: Record<string, unknown>,
  columns: readonly string[] = COLUMNS,
): Record<string, unknown> {
  const extra: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(body))
    if (!columns.includes(k)) extra[k.replace(/[:-]/g, '_')] = v
  return extra
}

export async function loadTags(db: Db, ids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  if (ids.length === 0) return out
  const rows = await db
    .selectFrom('project_tag')
    .selectAll()
    .where('project_id', 'in', [...ids])
    .execute()
  for (const r of rows) out.set(r.project_id, [...(out.get(r.project_id) ?? []), r.name])
  return out
}

export async function findProject(db: Db, id: string): Promise<Project | undefined> {
  return db.selectFrom('project').selectAll().where('id', '=', id).executeTakeFirst()
}

/** A project that is not a domain; 404 otherwise. */
export async function getProject(db: Db, id: string): Promise<Project> {
  const p = await findProject(db, id)
  if (!p || p.is_domain === 1) throw notFound('project', id)
  return p
}

export async function getDomain(db: Db, id: string): Promise<Project> {
  const d = await findProject(db, id)
  if (!d || d.is_domain !== 1) throw notFound('domain', id)
  return d
}

export async function findDomainByName(db: Db, name: string): Promise<Project | undefined> {
  return db
    .selectFrom('project')
    .selectAll()
    .where('is_domain', '=', 1)
    .where('name', '=', name)
    .executeTakeFirst()
}

/** Ancestors of a project, parent first, excluding its domain. */
export async function ancestorsOf(db: Db, project: Project): Promise<Project[]> {
  const out: Project[] = []
  let parentId = project.parent_id
  while (parentId !== null) {
    const parent = await findProject(db, parentId)
    if (!parent || parent.is_domain === 1) break
    out.push(parent)
    parentId = parent.parent_id
  }
  return out
}

export function normalizeName(name: unknown): string {
  if (typeof name !== 'string')
    throw badRequest("Invalid input for field 'name': name must be a string.")
  const trimmed = name.trim()
  if (trimmed === '') throw badRequest("Invalid input for field 'name': '' is too short")
  if (trimmed.length > 64)
    throw badRequest(`Invalid input for field 'name': '${trimmed}' is too long`)
  return trimmed
}

export function validateTags(tags: unknown): string[] {
  if (!Array.isArray(tags)) throw badRequest("Invalid input for field 'tags': tags must be a list.")
  if (tags.length > 80)
    throw badRequest("Invalid input for field 'tags': at most 80 tags are allowed.")
  const seen = new Set<string>()
  for (const t of tags) {
    if (typeof t !== 'string' || t.length === 0 || t.length > 255 || /[,/]/.test(t))
      throw badRequest(
        `Invalid input for field 'tags': invalid tag '${String(t)}': tags are 1-255 characters without ',' or '/'.`,
      )
    if (seen.has(t)) throw badRequest(`Invalid input for field 'tags': duplicate tag '${t}'.`)
    seen.add(t)
  }
  return tags as string[]
}

export interface ProjectInput {
  name: string
  description?: string | null | undefined
  domain_id?: string | null | undefined
  parent_id?: string | null | undefined
  enabled?: boolean | undefined
  is_domain?: boolean | undefined
  tags?: string[] | undefined
  options?: Record<string, unknown> | undefined
  /** Unknown attributes, stored and echoed back as Keystone does. */
  extra: Record<string, unknown>
}

async function insertProject(
  deps: IdentityDeps,
  row: Project,
  tags: string[],
  kind: 'project' | 'domain',
): Promise<Project> {
  try {
    await deps.db.transaction().execute(async (trx) => {
      await trx.insertInto('project').values(row).execute()
      if (tags.length > 0)
        await trx
          .insertInto('project_tag')
          .values(tags.map((name) => ({ project_id: row.id, name })))
          .execute()
    })
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict(
        'project',
        kind === 'domain'
          ? `it is not permitted to have two projects acting as domains with the same name: ${row.name}`
          : `it is not permitted to have two projects with the same name in the same domain : ${row.name}`,
      )
    throw err
  }
  return row
}

/** Creates a project; `defaultDomainId` is used when neither domain_id nor parent_id is given. */
export async function createProject(
  deps: IdentityDeps,
  input: ProjectInput,
  defaultDomainId: string,
): Promise<Project> {
  const name = normalizeName(input.name)
  const tags = validateTags(input.tags ?? [])
  if (input.is_domain === true) {
    if (input.parent_id !== undefined && input.parent_id !== null)
      throw badRequest('A project acting as a domain cannot have a parent.')
    return createDomain(deps, { ...input, name })
  }
  let domainId = input.domain_id ?? undefined
  let parentId = input.parent_id ?? undefined
  if (parentId !== undefined) {
    const parent = await findProject(deps.db, parentId)
    if (!parent) throw notFound('project', parentId)
    const parentDomain = parent.is_domain === 1 ? parent.id : parent.domain_id
    if (domainId !== undefined && domainId !== parentDomain)
      throw forbidden('Cannot create project, the parent and the project are in different domains.')
    domainId = parentDomain
    if (parent.is_domain !== 1) {
      if (!fromFlag(parent.enabled) && input.enabled !== false)
        throw forbidden(`Cannot enable project ${name} since it has disabled parents`)
      const depth = (await ancestorsOf(deps.db, parent)).length + 2
      if (depth > MAX_TREE_DEPTH)
        throw forbidden(`Max hierarchy depth reached for ${parent.id} branch.`)
    }
  }
  domainId ??= defaultDomainId
  const domain = await findProject(deps.db, domainId)
  if (!domain || domain.is_domain !== 1) throw notFound('domain', domainId)
  parentId ??= domainId
  const row: Project = {
    id: hexId(),
    name,
    domain_id: domainId,
    parent_id: parentId,
    description: input.description ?? '',
    enabled: toFlag(input.enabled ?? true),
    is_domain: 0,
    extra: toJson(input.extra),
    options: toJson(input.options ?? {}),
  }
  return insertProject(deps, row, tags, 'project')
}

export async function createDomain(
  deps: IdentityDeps,
  input: ProjectInput & { explicit_domain_id?: string | undefined },
): Promise<Project> {
  const name = normalizeName(input.name)
  const tags = validateTags(input.tags ?? [])
  const id = input.explicit_domain_id ?? hexId()
  if (input.explicit_domain_id !== undefined && !/^[0-9a-f]{32}$/.test(id))
    throw badRequest('Domain ID does not conform to required UUID format.')
  const row: Project = {
    id,
    name,
    domain_id: DOMAIN_ROOT,
    parent_id: null,
    description: input.description ?? '',
    enabled: toFlag(input.enabled ?? true),
    is_domain: 1,
    extra: toJson(input.extra),
    options: toJson(input.options ?? {}),
  }
  return insertProject(deps, row, tags, 'domain')
}

export interface ProjectPatch {
  name?: string | undefined
  description?: string | null | undefined
  enabled?: boolean | undefined
  tags?: string[] | undefined
  options?: Record<string, unknown> | undefined
  domain_id?: unknown
  parent_id?: unknown
  is_domain?: unknown
  extra: Record<string, unknown>
}

export async function updateProject(
  deps: IdentityDeps,
  current: Project,
  patch: ProjectPatch,
): Promise<Project> {
  const isDomain = current.is_domain === 1
  if (patch.domain_id !== undefined && patch.domain_id !== (isDomain ? null : current.domain_id))
    throw badRequest('Cannot change Domain ID.')
  if (patch.is_domain !== undefined && patch.is_domain !== isDomain)
    throw badRequest('Cannot change is_domain attribute of a project.')
  if (patch.parent_id !== undefined && patch.parent_id !== current.parent_id)
    throw forbidden('Update of `parent_id` is not allowed.')
  const name = patch.name === undefined ? current.name : normalizeName(patch.name)
  const enabled = patch.enabled ?? fromFlag(current.enabled)
  if (!isDomain && enabled !== fromFlag(current.enabled)) {
    if (enabled) {
      for (const a of await ancestorsOf(deps.db, current))
        if (!fromFlag(a.enabled))
          throw forbidden(`Cannot enable project ${current.id} since it has disabled parents`)
    } else {
      const subtree = await descendantProjectIds(deps.db, [current.id])
      if (subtree.length > 0) {
        const enabledChild = await deps.db
          .selectFrom('project')
          .select('id')
          .where('id', 'in', subtree)
          .where('enabled', '=', 1)
          .executeTakeFirst()
        if (enabledChild)
          throw forbidden(
            `Cannot disable project ${current.id} since its subtree contains enabled projects.`,
          )
      }
    }
  }
  const extra = { ...(JSON.parse(current.extra) as Record<string, unknown>), ...patch.extra }
  const options =
    patch.options === undefined
      ? current.options
      : toJson({ ...(JSON.parse(current.options) as object), ...patch.options })
  const row: Project = {
    ...current,
    name,
    enabled: toFlag(enabled),
    description: patch.description === undefined ? current.description : (patch.description ?? ''),
    extra: toJson(extra),
    options,
  }
  try {
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('project')
        .set({
          name: row.name,
          enabled: row.enabled,
          description: row.description,
          extra: row.extra,
          options: row.options,
        })
        .where('id', '=', current.id)
        .execute()
      if (patch.tags !== undefined) {
        const tags = validateTags(patch.tags)
        await trx.deleteFrom('project_tag').where('project_id', '=', current.id).execute()
        if (tags.length > 0)
          await trx
            .insertInto('project_tag')
            .values(tags.map((t) => ({ project_id: current.id, name: t })))
            .execute()
      }
    })
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict(
        'project',
        isDomain
          ? `it is not permitted to have two projects acting as domains with the same name: ${name}`
          : `it is not permitted to have two projects with the same name in the same domain : ${name}`,
      )
    throw err
  }
  if (fromFlag(current.enabled) && !enabled) {
    // Tokens for a disabled project (or any project of a disabled domain) stop validating by
    // lookup; the event also stops tokens scoped elsewhere whose user lives in the domain.
    if (isDomain) await deps.revocations.revoke({ domainId: current.id })
    else await deps.revocations.revoke({ projectId: current.id })
  }
  return row
}

/** Removes everything that refers to a project or domain (grants, endpoint filters, limits, tags). */
async function removeProjectRows(deps: IdentityDeps, ids: string[]): Promise<void> {
  if (ids.length === 0) return
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('assignment').where('target_id', 'in', ids).execute()
    await trx.deleteFrom('project_tag').where('project_id', 'in', ids).execute()
    await trx.deleteFrom('project_endpoint').where('project_id', 'in', ids).execute()
    await trx.deleteFrom('project_endpoint_group').where('project_id', 'in', ids).execute()
    await trx.deleteFrom('project_limit').where('project_id', 'in', ids).execute()
    await trx.deleteFrom('project_limit').where('domain_id', 'in', ids).execute()
    await trx
      .updateTable('user')
      .set({ default_project_id: null })
      .where('default_project_id', 'in', ids)
      .execute()
    await trx.deleteFrom('project').where('id', 'in', ids).execute()
  })
  for (const id of ids) {
    await deleteCredentialsForProject(deps.db, id)
    await deleteTrustsForProject(deps, id)
    await deps.revocations.revoke({ projectId: id })
  }
}

export async function deleteProject(
  deps: IdentityDeps,
  project: Project,
  options: { cascade: boolean },
): Promise<void> {
  const subtree = await descendantProjectIds(deps.db, [project.id])
  if (subtree.length > 0 && !options.cascade)
    throw forbidden(
      `Cannot delete the project ${project.id} since it is not a leaf in the hierarchy. Use the cascade option if you want to delete a whole subtree.`,
    )
  if (options.cascade && subtree.length > 0) {
    const enabled = await deps.db
      .selectFrom('project')
      .select('id')
      .where('id', 'in', subtree)
      .where('enabled', '=', 1)
      .executeTakeFirst()
    if (enabled)
      throw forbidden(
        `Cannot delete project ${project.id} since its subtree contains enabled projects.`,
      )
  }
  // Leaves first, so no row ever points at a deleted parent.
  await removeProjectRows(deps, [...subtree.reverse(), project.id])
}

/** Deletes a disabled domain with its projects, users and groups (Keystone's cascade). */
export async function deleteDomain(deps: IdentityDeps, domain: Project): Promise<void> {
  if (fromFlag(domain.enabled))
    throw forbidden('Cannot delete a domain that is enabled, please disable it first.')
  const projects = await deps.db
    .selectFrom('project')
    .select('id')
    .where('domain_id', '=', domain.id)
    .where('is_domain', '=', 0)
    .execute()
  const projectIds = await descendantProjectIds(deps.db, [domain.id])
  const all = [...new Set([...projectIds.reverse(), ...projects.map((p) => p.id)])]
  await removeProjectRows(deps, all)
  const users = await deps.db
    .selectFrom('user')
    .select('id')
    .where('domain_id', '=', domain.id)
    .execute()
  const groups = await deps.db
    .selectFrom('user_group')
    .select('id')
    .where('domain_id', '=', domain.id)
    .execute()
  for (const u of users) await deleteUserRows(deps, u.id)
  for (const g of groups) await deleteGroupRows(deps, g.id)
  await deps.db.deleteFrom('domain_config').where('domain_id', '=', domain.id).execute()
  await removeProjectRows(deps, [domain.id])
}
