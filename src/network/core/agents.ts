/**
 * @module Agents as the server knows them: a row per (agent type, host) that each report
 * creates or refreshes, `alive` while the last report is younger than agent_down_time, and the
 * availability zones their DHCP and L3 agents make up.
 */
import { insertIfAbsent } from '../../lib/db/errors.js'
import { uuid } from '../../lib/ids/ids.js'
import type { AgentState, AgentStatus } from '../agent/rpc.js'
import type { AgentRow } from '../db/tables.js'
import { networkErrors } from '../errors.js'
import { type NetworkDeps, neutronTime } from './deps.js'

export type Item = Record<string, unknown>

type Deps = Pick<NetworkDeps, 'db' | 'dialect' | 'clock' | 'config'>

/** Neutron's agent types that carry availability zones, and what they host. */
const ZONE_RESOURCES: Readonly<Record<string, string>> = {
  'DHCP agent': 'network',
  'L3 agent': 'router',
}

export function isAlive(deps: Pick<Deps, 'clock' | 'config'>, row: AgentRow): boolean {
  const beat = Date.parse(row.heartbeat_timestamp)
  return deps.clock.nowMs() - beat <= deps.config.agentDownTime * 1000
}

/** Agents show times as Python prints a datetime ("2026-01-01 10:00:00"). */
function agentTime(text: string): string {
  return text.replace('T', ' ').replace(/Z$/, '')
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return {}
  }
}

export function agentItem(deps: Pick<Deps, 'clock' | 'config'>, row: AgentRow): Item {
  return {
    id: row.id,
    agent_type: row.agent_type,
    binary: row.binary,
    topic: row.topic,
    host: row.host,
    admin_state_up: row.admin_state_up === 1,
    created_at: agentTime(row.created_at),
    started_at: agentTime(row.started_at),
    heartbeat_timestamp: agentTime(row.heartbeat_timestamp),
    alive: isAlive(deps, row),
    configurations: parseJson(row.configurations),
    description: row.description,
    availability_zone: row.availability_zone,
    resources_synced: row.resources_synced === null ? null : row.resources_synced === 1,
  }
}

/**
 * Neutron's create_or_update_agent: the first report of a (type, host) registers the agent
 * (enabled), later ones refresh its heartbeat and configuration; `start_flag` marks a restart.
 */
export async function reportAgentState(deps: Deps, state: AgentState): Promise<AgentStatus> {
  const now = neutronTime(deps.clock)
  const values = {
    binary: state.binary,
    topic: state.topic,
    configurations: JSON.stringify(state.configurations),
    heartbeat_timestamp: now,
    ...(state.availability_zone === undefined
      ? {}
      : { availability_zone: state.availability_zone }),
    ...(state.resource_versions
      ? { resource_versions: JSON.stringify(state.resource_versions) }
      : {}),
  }
  const find = () =>
    deps.db
      .selectFrom('agent')
      .selectAll()
      .where('agent_type', '=', state.agent_type)
      .where('host', '=', state.host)
      .executeTakeFirst()
  let row = await find()
  if (!row) {
    // Two servers may take the first report of an agent at once: the unique index decides.
    const created = await insertIfAbsent(
      deps.db.insertInto('agent').values({
        id: uuid(),
        agent_type: state.agent_type,
        host: state.host,
        admin_state_up: 1,
        availability_zone: null,
        resource_versions: '{}',
        description: null,
        created_at: now,
        started_at: now,
        load: 0,
        resources_synced: null,
        ...values,
      }),
      deps.dialect,
    )
    if (created) return 'new'
    row = await find()
    if (!row) return 'new'
  }
  const status: AgentStatus = isAlive(deps, row) ? 'alive' : 'revived'
  await deps.db
    .updateTable('agent')
    .set({ ...values, ...(state.start_flag ? { started_at: now } : {}) })
    .where('id', '=', row.id)
    .execute()
  return status
}

export async function listAgents(deps: Deps): Promise<Item[]> {
  const rows = await deps.db
    .selectFrom('agent')
    .selectAll()
    .orderBy('host')
    .orderBy('agent_type')
    .execute()
  return rows.map((r) => agentItem(deps, r))
}

export async function findAgent(deps: Deps, id: string): Promise<AgentRow> {
  const row = await deps.db.selectFrom('agent').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw networkErrors.notFound('agent', id)
  return row
}

export async function showAgent(deps: Deps, id: string): Promise<Item> {
  return agentItem(deps, await findAgent(deps, id))
}

/** Operators switch an agent off (schedulers skip it) or describe it; nothing else changes. */
export async function updateAgent(
  deps: Deps,
  id: string,
  attrs: { admin_state_up?: boolean; description?: string | null },
): Promise<Item> {
  await findAgent(deps, id)
  const set: Partial<AgentRow> = {}
  if (attrs.admin_state_up !== undefined) set.admin_state_up = attrs.admin_state_up ? 1 : 0
  if (attrs.description !== undefined) set.description = attrs.description
  if (Object.keys(set).length > 0)
    await deps.db.updateTable('agent').set(set).where('id', '=', id).execute()
  return showAgent(deps, id)
}

/** Removes the agent and what it hosted (it registers again on its next report). */
export async function deleteAgent(deps: Deps, id: string): Promise<void> {
  await findAgent(deps, id)
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('agent_binding').where('agent_id', '=', id).execute()
    await trx.deleteFrom('agent').where('id', '=', id).execute()
  })
}

/**
 * Neutron's availability zones: one per (zone, resource) of DHCP (network) and L3 (router)
 * agents, available while any of its agents is enabled.
 */
export async function listAvailabilityZones(deps: Deps): Promise<Item[]> {
  const rows = await deps.db
    .selectFrom('agent')
    .select(['agent_type', 'availability_zone', 'admin_state_up'])
    .where('agent_type', 'in', Object.keys(ZONE_RESOURCES))
    .orderBy('availability_zone')
    .orderBy('agent_type')
    .execute()
  const zones = new Map<string, Item>()
  for (const r of rows) {
    const resource = ZONE_RESOURCES[r.agent_type]
    if (!r.availability_zone || !resource) continue
    const key = `${r.availability_zone}\n${resource}`
    const available = r.admin_state_up === 1 || zones.get(key)?.state === 'available'
    zones.set(key, {
      name: r.availability_zone,
      resource,
      state: available ? 'available' : 'unavailable',
    })
  }
  return [...zones.values()]
}
