/**
 * @module Security group rules: visible to their owner and to the owner of their group, created
 * one or many at a time (all in one group and project, no duplicates, within quota), never
 * updated, and each change bumps the group's revision and tells the L2 agents.
 */
import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import { uuid } from '../../lib/ids/ids.js'
import type { NetworkTables, SecurityGroupRuleRow } from '../db/tables.js'
import { networkErrors } from '../errors.js'
import { securityGroupsUpdated } from './agent-notify.js'
import { type Caller, type NetworkDeps, neutronTime } from './deps.js'
import { withQuota } from './quotas.js'
import { checkRule, type RuleSpec, ruleKey } from './security-group-rule-checks.js'
import { sgErrors } from './security-group-errors.js'
import { ensureDefaultFor, findSecurityGroup, type Item, ruleItem } from './security-groups.js'

/** Who may see a rule: admins, the rule's project, and the project of its group. */
function visibleRuleIds(db: Kysely<NetworkTables>, caller: Caller) {
  let q = db
    .selectFrom('security_group_rule as r')
    .innerJoin('security_group as g', 'g.id', 'r.security_group_id')
    .selectAll('r')
  if (!caller.isAdmin) {
    const project = caller.projectId ?? ''
    q = q.where((eb) => eb.or([eb('r.project_id', '=', project), eb('g.project_id', '=', project)]))
  }
  return q
}

export async function listSecurityGroupRules(
  deps: NetworkDeps,
  caller: Caller,
  filterProject: string | undefined,
): Promise<Item[]> {
  await ensureDefaultFor(deps, caller, filterProject)
  const rows = await visibleRuleIds(deps.db, caller)
    .orderBy('r.created_at')
    .orderBy('r.id')
    .execute()
  return rows.map(ruleItem)
}

async function findRule(
  db: Kysely<NetworkTables>,
  caller: Caller,
  id: string,
): Promise<SecurityGroupRuleRow> {
  const row = await visibleRuleIds(db, caller).where('r.id', '=', id).executeTakeFirst()
  if (!row) throw networkErrors.notFound('security_group_rule', id)
  return row
}

export async function showSecurityGroupRule(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
): Promise<Item> {
  return ruleItem(await findRule(deps.db, caller, id))
}

/** A rule's attributes after the API converters, before Neutron's own checks. */
function ruleSpec(attrs: Record<string, unknown>): RuleSpec {
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null)
  return {
    project_id: String(attrs.project_id),
    security_group_id: String(attrs.security_group_id),
    direction: String(attrs.direction),
    ethertype: typeof attrs.ethertype === 'string' ? attrs.ethertype : 'IPv4',
    protocol: text(attrs.protocol),
    port_range_min: typeof attrs.port_range_min === 'number' ? attrs.port_range_min : null,
    port_range_max: typeof attrs.port_range_max === 'number' ? attrs.port_range_max : null,
    remote_ip_prefix: text(attrs.remote_ip_prefix),
    remote_group_id:
      attrs.remote_group_id === null || attrs.remote_group_id === undefined
        ? null
        : typeof attrs.remote_group_id === 'string'
          ? text(attrs.remote_group_id)
          : JSON.stringify(attrs.remote_group_id),
    remote_address_group_id:
      attrs.remote_address_group_id === null || attrs.remote_address_group_id === undefined
        ? null
        : typeof attrs.remote_address_group_id === 'string'
          ? text(attrs.remote_address_group_id)
          : JSON.stringify(attrs.remote_address_group_id),
    description: typeof attrs.description === 'string' ? attrs.description : '',
  }
}

/**
 * Creates rules (a bulk POST or one rule): all must name one group and one project; each is
 * checked as Neutron does; none may repeat another in the request or in the group.
 */
export async function createSecurityGroupRules(
  deps: NetworkDeps,
  caller: Caller,
  all: readonly Record<string, unknown>[],
): Promise<Item[]> {
  const specs = all.map(ruleSpec)
  const first = specs[0]
  if (!first) return []
  if (new Set(specs.map((s) => s.security_group_id)).size > 1) throw sgErrors.notSingleGroup()
  if (new Set(specs.map((s) => s.project_id)).size > 1) throw sgErrors.notSingleTenant()
  const rules: RuleSpec[] = []
  for (const spec of specs) {
    const rule = checkRule(spec)
    // The groups are looked up as the rule's project sees them (admins see every group).
    const asOwner = { isAdmin: caller.isAdmin, projectId: rule.project_id }
    if (rule.remote_group_id !== null)
      await findSecurityGroup(deps.db, asOwner, rule.remote_group_id)
    // There are no address groups here, so any id names a missing one.
    if (rule.remote_address_group_id !== null)
      throw sgErrors.addressGroupNotFound(rule.remote_address_group_id)
    await findSecurityGroup(deps.db, asOwner, rule.security_group_id)
    rules.push(rule)
  }
  const groupId = first.security_group_id
  const now = neutronTime(deps.clock)
  const rows: SecurityGroupRuleRow[] = rules.map((r) => ({
    id: uuid(),
    ...r,
    created_at: now,
    updated_at: now,
    revision_number: 0,
  }))
  await withQuota(deps, first.project_id, 'security_group_rule', rows.length, async (trx) => {
    const seen = new Set<string>()
    for (const r of rows) {
      const key = ruleKey(r)
      if (seen.has(key)) throw sgErrors.duplicateInPost()
      seen.add(key)
    }
    const existing = await trx
      .selectFrom('security_group_rule')
      .selectAll()
      .where('security_group_id', '=', groupId)
      .execute()
    for (const e of existing) if (seen.has(ruleKey(e))) throw sgErrors.ruleExists(e.id)
    await trx.insertInto('security_group_rule').values(rows).execute()
    await bumpGroup(trx, groupId, now)
  })
  for (const r of rows)
    deps.notifier.notify('security_group_rule.create.end', {
      security_group_rule: { id: r.id, security_group_id: groupId },
    })
  await securityGroupsUpdated(deps, [groupId])
  return rows.map(ruleItem)
}

/** A rule change is a change of its group: revision and updated_at move. */
async function bumpGroup(trx: Kysely<NetworkTables>, groupId: string, now: string): Promise<void> {
  await sql`UPDATE security_group SET revision_number = revision_number + 1 WHERE id = ${groupId}`.execute(
    trx,
  )
  await trx
    .updateTable('security_group')
    .set({ updated_at: now })
    .where('id', '=', groupId)
    .execute()
}

export async function deleteSecurityGroupRule(
  deps: NetworkDeps,
  caller: Caller,
  id: string,
): Promise<void> {
  const row = await findRule(deps.db, caller, id)
  // The group's owner sees the rules others put in it, but only their owner removes them.
  if (!caller.isAdmin && row.project_id !== caller.projectId)
    throw networkErrors.policy('delete_security_group_rule')
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('security_group_rule').where('id', '=', id).execute()
    await bumpGroup(trx, row.security_group_id, neutronTime(deps.clock))
  })
  deps.notifier.notify('security_group_rule.delete.end', { security_group_rule_id: id })
  await securityGroupsUpdated(deps, [row.security_group_id])
}
