/**
 * @module A server as the API shows it: the instance row plus its metadata, tags, latest fault
 * and group, loaded in batches for lists. Visibility follows Nova: another project's server is
 * 404 for non-admins, never 403.
 */
import type { Selectable } from 'kysely'
import type { InstanceTable } from '../../db/tables.js'
import { computeErrors } from '../../errors.js'
import type { Vif } from '../../network-client.js'
import type { Caller, ComputeDeps } from '../deps.js'
import { loadNetworkInfo } from './network-info.js'

export type InstanceRow = Selectable<InstanceTable>

export interface Fault {
  code: number
  message: string
  details: string
  created_at: string
}

export interface ServerRecord {
  row: InstanceRow
  metadata: Record<string, string>
  tags: string[]
  fault: Fault | undefined
  groupIds: string[]
  /** The network info cache: the server's ports as last reported. */
  vifs: Vif[]
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

/** The instance row a caller may see (deleted ones only when asked), else Nova's 404. */
export async function loadInstance(
  deps: Pick<ComputeDeps, 'db'>,
  caller: Caller,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<InstanceRow> {
  if (!UUID_RE.test(id)) throw computeErrors.serverNotFound(id)
  let q = deps.db.selectFrom('instance').selectAll().where('id', '=', id.toLowerCase())
  if (!options.includeDeleted) q = q.where('deleted_at', 'is', null)
  if (!caller.isAdmin) q = q.where('project_id', '=', caller.projectId)
  const row = await q.executeTakeFirst()
  if (!row) throw computeErrors.serverNotFound(id)
  return row
}

/** Metadata, tags, faults, groups and network info of many servers in five queries. */
export async function loadRecords(
  deps: Pick<ComputeDeps, 'db'>,
  rows: InstanceRow[],
): Promise<ServerRecord[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const [metadata, tags, faults, groups, networkInfo] = await Promise.all([
    deps.db.selectFrom('instance_metadata').selectAll().where('instance_id', 'in', ids).execute(),
    deps.db
      .selectFrom('instance_tag')
      .selectAll()
      .where('instance_id', 'in', ids)
      .orderBy('tag')
      .execute(),
    deps.db
      .selectFrom('instance_fault')
      .selectAll()
      .where('instance_id', 'in', ids)
      .orderBy('created_at', 'desc')
      .execute(),
    deps.db.selectFrom('server_group_member').selectAll().where('instance_id', 'in', ids).execute(),
    loadNetworkInfo(deps.db, ids),
  ])
  const byId = new Map<string, ServerRecord>()
  for (const row of rows)
    byId.set(row.id, {
      row,
      metadata: {},
      tags: [],
      fault: undefined,
      groupIds: [],
      vifs: networkInfo.get(row.id) ?? [],
    })
  for (const m of metadata) {
    const rec = byId.get(m.instance_id)
    if (rec) rec.metadata[m.key] = m.value
  }
  for (const t of tags) byId.get(t.instance_id)?.tags.push(t.tag)
  for (const f of faults) {
    const rec = byId.get(f.instance_id)
    if (rec && !rec.fault) rec.fault = f
  }
  for (const g of groups) byId.get(g.instance_id)?.groupIds.push(g.group_id)
  // SAFETY: byId has an entry for every row.
  return rows.map((r) => byId.get(r.id) as ServerRecord)
}

export async function loadRecord(
  deps: Pick<ComputeDeps, 'db'>,
  row: InstanceRow,
): Promise<ServerRecord> {
  const [record] = await loadRecords(deps, [row])
  if (!record) throw computeErrors.serverNotFound(row.id)
  return record
}
