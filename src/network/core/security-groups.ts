/**
 * @module Security groups: a project's own groups (its `default` one made on first use), each
 * shown with its rules; a new group starts with egress-anywhere rules, the default group can be
 * neither renamed nor removed by its project, and a group ports use stays.
 */
import type { Kysely } from 'kysely'
import { uuid } from '../../lib/ids/ids.js'
import type { NetworkTables, SecurityGroupRow, SecurityGroupRuleRow } from '../db/tables.js'
import { networkErrors } from '../errors.js'
import { securityGroupsUpdated } from './agent-notify.js'
import { ensureDefaultSecurityGroup } from './default-security-group.js'
import { type Caller, type NetworkDeps, neutronTime } from './deps.js'
import { bumpRevision } from './networks.js'
import { projectLimits, usage, withQuota } from './quotas.js'
import { normalizedCidr } from './security-group-rule-checks.js'
import { sgErrors } from './security-group-errors.js'
import { deleteTags, tagsOf } from './tags.js'

export type Item = Record<string, unknown>

/** A rule as Neutron shows it, alone or inside its group. */
export function ruleItem(r: SecurityGroupRuleRow): Item {
  return {
    id: r.id,
    project_id: r.project_id,
    tenant_id: r.project_id,
    security_group_id: r.security_group_id,
    ethertype: r.ethertype,
    direction: r.direction,
    protocol: r.protocol,
    port_range_min: r.port_range_min,
    port_range_max: r.port_range_max,
    remote_ip_prefix: r.remote_ip_prefix,
    remote_address_group_id: r.remote_address_group_id,
    normalized_cidr: normalizedCidr(r.remote_ip_prefix),
    remote_group_id: r.remote_group_id,
    description: r.description,
    created_at: r.created_at,
    updated_at: r.updated_at,
    revision_number: r.revision_number,
  }
}

async function groupItems(db: Kysely<NetworkTables>, rows: SecurityGroupRow[]): Promise<Item[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const small = ids.length <= 500
  const [rules, tags] = await Promise.all([
    db
      .selectFrom('security_group_rule')
      .selectAll()
      .$if(small, (q) => q.where('security_group_id', 'in', ids))
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    tagsOf(db, 'security-groups', ids),
  ])
  const rulesOf = new Map<string, Item[]>()
  for (const r of rules)
    rulesOf.set(r.security_group_id, [...(rulesOf.get(r.security_group_id) ?? []), ruleItem(r)])
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    project_id: r.project_id,
    description: r.description,
    stateful: r.stateful === 1,
    security_group_rules: rulesOf.get(r.id) ?? [],
    tags: tags.get(r.id) ?? [],
    created_at: r.created_at,
    updated_at: r.updated_at,
    revision_number: r.revision_number,
  }))
}

/**
 * Neutron makes the project's default group when the project lists groups or rules (for the
 * caller's own project, or any project an admin names in a project_id filter).
 */
export async function ensureDefaultFor(
  deps: NetworkDeps,
  caller: Caller,
  filterProject: string | undefined,
): Promise<void> {
  const project = filterProject ?? caller.projectId
  if (project && (caller.isAdmin || project === caller.projectId))
    await ensureDefaultSecurityGroup(deps, project)
}

export async function listSecurityGroups(
  deps: NetworkDeps,
  caller: Caller,
  filterProject: string | undefined,
): Promise<Item[]> {
  await ensureDefaultFor(deps, caller, filterProject)
  let q = deps.db.selectFrom('security_group').selectAll().orderBy('created_at').orderBy('id')
  if (!caller.isAdmin) q = q.where('project_id', '=', caller.projectId ?? '')
  return groupItems(deps.db, await q.execute())
}

/** The group, if the caller may see it (admin or its project); else SecurityGroupNotFound. */
export async function findSecurityGroup(
  db: Kysely<NetworkTables>,
  caller: Pick<Caller, 'isAdmin' | 'projectId'>,
  id: string,
): Promise<SecurityGroupRow> {
  const row = await db
    .selectFrom('security_group')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row || (!caller.isAdmin && row.project_id !== caller.projectId))
    throw networkErrors.notFound('security_group', id)
  return row
}

export async function showSecurityGroup(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
): Promise<Item> {
  const [item] = await groupItems(deps.db, [await findSecurityGroup(deps.db, caller, id)])
  return item as Item
}

/** Egress to anywhere over IPv4 and IPv6: what every new group starts with. */
function egressRules(projectId: string, groupId: string, now: string): SecurityGroupRuleRow[] {
  return (['IPv4', 'IPv6'] as const).map((ethertype) => ({
    id: uuid(),
    project_id: projectId,
    security_group_id: groupId,
    direction: 'egress',
    ethertype,
    protocol: null,
    port_range_min: null,
    port_range_max: null,
    remote_ip_prefix: null,
    remote_group_id: null,
    remote_address_group_id: null,
    description: '',
    created_at: now,
    updated_at: now,
    revision_number: 0,
  }))
}

export async function createSecurityGroup(
  deps: NetworkDeps,
  caller: Caller,
  attrs: Record<string, unknown>,
): Promise<Item> {
  const projectId = String(attrs.project_id)
  await ensureDefaultSecurityGroup(deps, projectId)
  const id = uuid()
  const now = neutronTime(deps.clock)
  const rules = egressRules(projectId, id, now)
  await withQuota(deps, projectId, 'security_group', 1, async (trx) => {
    // The group's own egress rules count against the rule quota too, as in Neutron.
    const limit = (await projectLimits({ db: trx, config: deps.config }, projectId))
      .security_group_rule
    if (limit >= 0 && (await usage(trx, projectId, 'security_group_rule')) + rules.length > limit)
      throw networkErrors.overQuota('security_group_rule')
    await trx
      .insertInto('security_group')
      .values({
        id,
        project_id: projectId,
        name: typeof attrs.name === 'string' ? attrs.name : '',
        description: typeof attrs.description === 'string' ? attrs.description : '',
        stateful: attrs.stateful === false ? 0 : 1,
        created_at: now,
        updated_at: now,
        // Its rules, written in the same transaction, bump it once (Neutron's revision plugin).
        revision_number: 1,
      })
      .execute()
    await trx.insertInto('security_group_rule').values(rules).execute()
  })
  deps.notifier.notify('security_group.create.end', {
    security_group: { id, project_id: projectId },
  })
  return showSecurityGroup(deps, { ...caller, isAdmin: true }, id)
}

async function usedByPorts(db: Kysely<NetworkTables>, id: string): Promise<boolean> {
  const bound = await db
    .selectFrom('port_security_group')
    .select('port_id')
    .where('security_group_id', '=', id)
    .executeTakeFirst()
  return bound !== undefined
}

export async function updateSecurityGroup(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
  attrs: Record<string, unknown>,
): Promise<Item> {
  const row = await findSecurityGroup(deps.db, caller, id)
  // A group's statefulness changes the firewall of every port using it: not while in use.
  const stateful = typeof attrs.stateful === 'boolean' ? (attrs.stateful ? 1 : 0) : undefined
  if (stateful !== undefined && stateful !== row.stateful && (await usedByPorts(deps.db, id)))
    throw sgErrors.inUse(id)
  if (row.name === 'default' && 'name' in attrs) throw sgErrors.cannotUpdateDefault()
  const set: Partial<SecurityGroupRow> = {}
  if (typeof attrs.name === 'string') set.name = attrs.name
  if (typeof attrs.description === 'string') set.description = attrs.description
  if (stateful !== undefined) set.stateful = stateful
  await bumpRevision(deps, 'security_group', id, set)
  deps.notifier.notify('security_group.update.end', { security_group: { id } })
  if (stateful !== undefined && stateful !== row.stateful) await securityGroupsUpdated(deps, [id])
  return showSecurityGroup(deps, caller, id)
}

export async function deleteSecurityGroup(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
): Promise<void> {
  // Neutron checks the port bindings first, then that the group exists.
  if (await usedByPorts(deps.db, id)) throw sgErrors.inUse(id)
  const row = await findSecurityGroup(deps.db, caller, id)
  if (row.name === 'default' && !caller.isAdmin) throw sgErrors.cannotRemoveDefault()
  const affected = await deps.db.transaction().execute(async (trx) => {
    if (await usedByPorts(trx, id)) throw sgErrors.inUse(id)
    // Rules of other groups that name this one as their remote go with it (an FK cascade).
    const referring = await trx
      .selectFrom('security_group_rule')
      .select('security_group_id')
      .where('remote_group_id', '=', id)
      .where('security_group_id', '!=', id)
      .execute()
    await trx.deleteFrom('security_group_rule').where('remote_group_id', '=', id).execute()
    await trx.deleteFrom('security_group_rule').where('security_group_id', '=', id).execute()
    await trx.deleteFrom('default_security_group').where('security_group_id', '=', id).execute()
    await deleteTags(trx, 'security-groups', id)
    await trx.deleteFrom('security_group').where('id', '=', id).execute()
    return [...new Set(referring.map((r) => r.security_group_id))]
  })
  deps.notifier.notify('security_group.delete.end', { security_group_id: id })
  if (affected.length > 0) await securityGroupsUpdated(deps, affected)
}
