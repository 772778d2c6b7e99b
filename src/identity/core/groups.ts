/** @module Groups and their members. Removing a member revokes that member's tokens, as Keystone does. */
import type { Kysely, Selectable } from 'kysely'
import { isUniqueViolation } from '../../lib/db/errors.js'
import { toJson } from '../../lib/db/values.js'
import { hexId } from '../../lib/ids/ids.js'
import { badRequest, conflict, notFound } from '../errors.js'
import type { GroupTable, IdentityTables } from '../db/tables.js'
import type { IdentityDeps } from './deps.js'

type Db = Kysely<IdentityTables>
export type Group = Selectable<GroupTable>

export const GROUP_COLUMNS = ['id', 'name', 'domain_id', 'description', 'links']

export async function findGroup(db: Db, id: string): Promise<Group | undefined> {
  return db.selectFrom('user_group').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function getGroup(db: Db, id: string): Promise<Group> {
  const group = await findGroup(db, id)
  if (!group) throw notFound('group', id)
  return group
}

function validateName(name: unknown): string {
  if (typeof name !== 'string')
    throw badRequest("Invalid input for field 'name': name must be a string.")
  const trimmed = name.trim()
  if (trimmed === '') throw badRequest("Invalid input for field 'name': '' is too short")
  if (trimmed.length > 64)
    throw badRequest(`Invalid input for field 'name': '${trimmed}' is too long`)
  return trimmed
}

export async function createGroup(
  deps: IdentityDeps,
  input: {
    name: unknown
    domain_id: string
    description?: string | null | undefined
    extra: Record<string, unknown>
  },
): Promise<Group> {
  const name = validateName(input.name)
  const domain = await deps.db
    .selectFrom('project')
    .select('is_domain')
    .where('id', '=', input.domain_id)
    .executeTakeFirst()
  if (domain?.is_domain !== 1) throw notFound('domain', input.domain_id)
  const row: Group = {
    id: hexId(),
    domain_id: input.domain_id,
    name,
    description: input.description ?? '',
    extra: toJson(input.extra),
  }
  try {
    await deps.db.insertInto('user_group').values(row).execute()
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict(
        'group',
        `Duplicate entry found with name ${name} at domain ID ${input.domain_id}`,
      )
    throw err
  }
  return row
}

export async function updateGroup(
  deps: IdentityDeps,
  current: Group,
  patch: {
    id?: unknown
    name?: unknown
    domain_id?: unknown
    description?: string | null | undefined
    extra: Record<string, unknown>
  },
): Promise<Group> {
  if (patch.id !== undefined && patch.id !== current.id) throw badRequest('Cannot change ID')
  if (patch.domain_id !== undefined && patch.domain_id !== current.domain_id)
    throw badRequest('Cannot change Domain ID')
  const row: Group = {
    ...current,
    name: patch.name === undefined ? current.name : validateName(patch.name),
    description: patch.description === undefined ? current.description : (patch.description ?? ''),
    extra: toJson({ ...(JSON.parse(current.extra) as object), ...patch.extra }),
  }
  try {
    await deps.db.updateTable('user_group').set(row).where('id', '=', current.id).execute()
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict(
        'group',
        `Duplicate entry found with name ${row.name} at domain ID ${current.domain_id}`,
      )
    throw err
  }
  return row
}

/** Deletes a group, its memberships and grants; members' tokens are revoked when it had grants. */
export async function deleteGroupRows(deps: IdentityDeps, groupId: string): Promise<void> {
  const members = await deps.db
    .selectFrom('group_membership')
    .select('user_id')
    .where('group_id', '=', groupId)
    .execute()
  const grants = await deps.db
    .selectFrom('assignment')
    .select('role_id')
    .where('actor_id', '=', groupId)
    .executeTakeFirst()
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('group_membership').where('group_id', '=', groupId).execute()
    await trx
      .deleteFrom('assignment')
      .where('actor_id', '=', groupId)
      .where('type', 'in', ['GroupProject', 'GroupDomain', 'GroupSystem'])
      .execute()
    await trx.deleteFrom('user_group').where('id', '=', groupId).execute()
  })
  if (grants) for (const m of members) await deps.revocations.revoke({ userId: m.user_id })
}

export async function addMember(
  deps: IdentityDeps,
  groupId: string,
  userId: string,
): Promise<void> {
  const exists = await deps.db
    .selectFrom('group_membership')
    .select('user_id')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  if (!exists)
    await deps.db
      .insertInto('group_membership')
      .values({ group_id: groupId, user_id: userId })
      .execute()
}

export async function isMember(db: Db, groupId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('group_membership')
    .select('user_id')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return row !== undefined
}

export async function removeMember(
  deps: IdentityDeps,
  groupId: string,
  userId: string,
): Promise<void> {
  const result = await deps.db
    .deleteFrom('group_membership')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  if (Number(result.numDeletedRows) === 0) throw notFound('user', `${userId} in group ${groupId}`)
  await deps.revocations.revoke({ userId })
}
