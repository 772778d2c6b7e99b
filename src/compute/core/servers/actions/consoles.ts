/**
 * @module Console output (Nova's tail semantics) and remote console access: a VNC console is
 * handed out as a one-time URL whose token a console proxy can look up here (Nova's
 * console_auth_tokens, stored hashed).
 */
import { createHash } from 'node:crypto'
import { uuid } from '../../../../lib/ids/ids.js'
import { rpcClient } from '../../../../lib/rpc/define-rpc.js'
import { computeAgentRpc } from '../../../agent/rpc.js'
import { computeErrors } from '../../../errors.js'
import type { ComputeDeps } from '../../deps.js'
import { checkHost } from '../guards.js'
import type { InstanceRow } from '../records.js'

/**
 * Nova's _tail_log: the last `length` newline-separated pieces (0: nothing; Python's
 * [-length:] slicing, so -1 drops the first line) with control characters removed.
 */
export function tailConsole(output: string, length: number | undefined): string {
  let text = output
  if (length !== undefined) text = length === 0 ? '' : text.split('\n').slice(-length).join('\n')
  // Nova strips exactly these control characters.
  return text.replace(/[\x00-\x08\x0B-\x1F]/g, '')
}

export async function consoleOutput(
  deps: ComputeDeps,
  row: InstanceRow,
  length: number | undefined,
): Promise<string> {
  const host = checkHost(row)
  const output = await rpcClient(deps.bus, computeAgentRpc, { server: host }).getConsoleOutput({
    instanceId: row.id,
  })
  return tailConsole(output, length)
}

const DISABLED: Record<string, string> = {
  spice: 'spice-html5',
  rdp: 'rdp-html5',
  serial: 'serial',
  mks: 'webmks',
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** A console URL for `protocol`/`type`; only noVNC is served (the others are disabled, as by default in Nova). */
export async function remoteConsole(
  deps: ComputeDeps,
  row: InstanceRow,
  protocol: string,
  type: string,
  action: string,
): Promise<string> {
  const host = checkHost(row)
  if (row.task_state === 'deleting' || row.task_state === 'migrating')
    throw computeErrors.invalidState(action, row.id, 'task_state', row.task_state)
  if (protocol !== 'vnc') {
    const expected = DISABLED[protocol]
    throw computeErrors.badRequest(
      expected === type ? `Unavailable console type ${type}.` : `Invalid console type ${type}`,
    )
  }
  if (type !== 'novnc') throw computeErrors.badRequest(`Invalid console type ${type}`)
  const target = await rpcClient(deps.bus, computeAgentRpc, { server: host }).getVncConsole({
    instanceId: row.id,
  })
  const token = uuid()
  const now = deps.clock.now()
  await deps.db
    .insertInto('console_auth_token')
    .values({
      id: uuid(),
      token_hash: tokenHash(token),
      console_type: type,
      host: target.host,
      port: target.port,
      internal_access_path: null,
      instance_uuid: row.id,
      access_url_base: deps.endpoints.novncProxyBase,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + deps.config.consoleTokenTtl * 1000).toISOString(),
    })
    .execute()
  return `${deps.endpoints.novncProxyBase}?path=${encodeURIComponent(`?token=${token}`)}`
}

/** The console a token opens, while it is valid (for a console proxy). */
export async function validateConsoleToken(
  deps: ComputeDeps,
  token: string,
): Promise<{ instanceId: string; host: string; port: number; consoleType: string } | undefined> {
  const row = await deps.db
    .selectFrom('console_auth_token')
    .selectAll()
    .where('token_hash', '=', tokenHash(token))
    .executeTakeFirst()
  if (!row || Date.parse(row.expires_at) <= deps.clock.nowMs()) return undefined
  return {
    instanceId: row.instance_uuid,
    host: row.host,
    port: row.port,
    consoleType: row.console_type,
  }
}
