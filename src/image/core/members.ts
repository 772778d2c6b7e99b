/**
 * @module Image members: sharing a `shared` image with other projects. Only the owner (or an
 * admin) adds and removes members; only a member (or an admin) accepts or rejects.
 */
import type { Selectable } from 'kysely'
import { isoSecondsZ } from '../../lib/clock/timestamps.js'
import { imageErrors } from '../errors.js'
import { MEMBER_STATUSES, type ImageMemberTable, type MemberStatus } from '../db/tables.js'
import type { Caller, ImageDeps } from './deps.js'
import { type ImageRow, canSee, findRow, isOwner } from './images.js'
import { checkCountQuota } from './quotas.js'

export type Member = Selectable<ImageMemberTable>

export function memberView(m: Member): Record<string, unknown> {
  return {
    member_id: m.member,
    image_id: m.image_id,
    status: m.status,
    created_at: isoSecondsZ(new Date(m.created_at)),
    updated_at: isoSecondsZ(new Date(m.updated_at)),
    schema: '/v2/schemas/member',
  }
}

async function visibleImage(deps: ImageDeps, caller: Caller, id: string): Promise<ImageRow> {
  const row = await findRow(deps, id)
  if (!row || !(await canSee(deps, caller, row)))
    throw imageErrors.forNotFound(`Image ${id} not found.`)
  return row
}

function notifyMember(deps: ImageDeps, event: string, m: Member): void {
  deps.notifier.notify(`image.member.${event}`, {
    image_id: m.image_id,
    member_id: m.member,
    status: m.status,
    created_at: isoSecondsZ(new Date(m.created_at)),
    updated_at: isoSecondsZ(new Date(m.updated_at)),
    deleted: event === 'delete',
    deleted_at: event === 'delete' ? isoSecondsZ(deps.clock.now()) : null,
  })
}

export async function addMember(
  deps: ImageDeps,
  caller: Caller,
  id: string,
  body: unknown,
): Promise<Member> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw imageErrors.badRequest('Expected a member in the form: {"member": "image_id"}')
  const member = (body as Record<string, unknown>).member
  if (member === undefined) throw imageErrors.badRequest('Member to be added not specified')
  if (typeof member !== 'string' || member === '')
    throw imageErrors.badRequest("Member can't be empty")
  const row = await visibleImage(deps, caller, id)
  if (row.visibility !== 'shared' || !isOwner(caller, row))
    throw imageErrors.forbidden(`Not allowed to create members for image ${id}.`)
  const existing = await deps.db
    .selectFrom('image_member')
    .select('member')
    .where('image_id', '=', id)
    .execute()
  if (existing.some((m) => m.member === member))
    throw imageErrors.conflict(`Member ${member} is duplicated for image ${id}`)
  checkCountQuota('members', existing.length + 1, deps.config.imageMemberQuota)
  const now = deps.clock.now().toISOString()
  const m: Member = { image_id: id, member, status: 'pending', created_at: now, updated_at: now }
  await deps.db.insertInto('image_member').values(m).execute()
  notifyMember(deps, 'create', m)
  return m
}

export async function listMembers(deps: ImageDeps, caller: Caller, id: string): Promise<Member[]> {
  const row = await visibleImage(deps, caller, id)
  if (row.visibility !== 'shared')
    throw imageErrors.forbidden(
      `Not allowed to list members for image ${id}: Only shared images have members.`,
    )
  let q = deps.db.selectFrom('image_member').selectAll().where('image_id', '=', id)
  if (!isOwner(caller, row)) q = q.where('member', '=', caller.projectId ?? '')
  return q.orderBy('created_at').execute()
}

async function findMember(
  deps: ImageDeps,
  caller: Caller,
  row: ImageRow,
  memberId: string,
): Promise<Member> {
  const m = await deps.db
    .selectFrom('image_member')
    .selectAll()
    .where('image_id', '=', row.id)
    .where('member', '=', memberId)
    .executeTakeFirst()
  const visible = m !== undefined && (isOwner(caller, row) || m.member === caller.projectId)
  if (!visible)
    throw imageErrors.forNotFound(
      `${memberId} not found in the member list of the image ${row.id}.`,
    )
  return m
}

export async function getMember(
  deps: ImageDeps,
  caller: Caller,
  id: string,
  memberId: string,
): Promise<Member> {
  const row = await visibleImage(deps, caller, id)
  if (row.visibility !== 'shared') throw imageErrors.forNotFound('Only shared images have members.')
  return findMember(deps, caller, row, memberId)
}

export async function updateMember(
  deps: ImageDeps,
  caller: Caller,
  id: string,
  memberId: string,
  body: unknown,
): Promise<Member> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw imageErrors.badRequest('Expected a status in the form: {"status": "status"}')
  const status = (body as Record<string, unknown>).status
  if (status === undefined) throw imageErrors.badRequest('Status not specified')
  if (!(MEMBER_STATUSES as readonly unknown[]).includes(status))
    throw imageErrors.badRequest(
      'Incorrect request: Status must be "pending", "accepted" or "rejected".',
    )
  const row = await visibleImage(deps, caller, id)
  if (row.visibility !== 'shared')
    throw imageErrors.forbidden(`Not allowed to update members for image ${id}.`)
  const m = await findMember(deps, caller, row, memberId)
  // The owner shares; only the member (or an admin) decides.
  if (!caller.isAdmin && m.member !== caller.projectId)
    throw imageErrors.forbidden(`Not allowed to update members for image ${id}.`)
  const updated: Member = {
    ...m,
    status: status as MemberStatus,
    updated_at: deps.clock.now().toISOString(),
  }
  await deps.db
    .updateTable('image_member')
    .set({ status: updated.status, updated_at: updated.updated_at })
    .where('image_id', '=', id)
    .where('member', '=', memberId)
    .execute()
  notifyMember(deps, 'update', updated)
  return updated
}

export async function deleteMember(
  deps: ImageDeps,
  caller: Caller,
  id: string,
  memberId: string,
): Promise<void> {
  const row = await visibleImage(deps, caller, id)
  if (row.visibility !== 'shared' || !isOwner(caller, row))
    throw imageErrors.forbidden(`Not allowed to delete members for image ${id}.`)
  const m = await findMember(deps, caller, row, memberId)
  await deps.db
    .deleteFrom('image_member')
    .where('image_id', '=', id)
    .where('member', '=', memberId)
    .execute()
  notifyMember(deps, 'delete', m)
}
