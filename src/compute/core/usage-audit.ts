/**
 * @module Instance usage audit summaries (os-instance_usage_audit_log): for the last audit period
 * completed before a time, how many compute hosts ran Nova's usage audit, and how it went. Nova
 * audits monthly (`instance_usage_audit_period = month`) and records runs only when
 * `instance_usage_audit` is on, which it is not by default; this service never runs the audit, so
 * every compute host (enabled or not) is reported as not run.
 */
import type { ComputeDeps } from './deps.js'
import { listServices } from './services.js'

export interface AuditSummary {
  period_beginning: string
  period_ending: string
  num_hosts: number
  num_hosts_done: number
  num_hosts_running: number
  num_hosts_not_run: number
  hosts_not_run: string[]
  total_instances: number
  total_errors: number
  overall_status: string
  log: Record<string, { state: string; instances: number; errors: number; message: string }>
}

/** A UTC time to the microsecond (what Nova's naive datetimes hold). */
export interface AuditTime {
  /** Milliseconds since the epoch of the whole seconds. */
  secondsMs: number
  micros: number
}

function firstOfMonth(year: number, month: number): number {
  const d = new Date(0)
  // setUTCFullYear, unlike Date.UTC, keeps years below 100 as they are.
  d.setUTCFullYear(year, month, 1)
  return d.getTime()
}

/** Python's str(datetime) of a whole second: `2012-06-01 00:00:00`. */
function pythonDatetime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

/**
 * Nova's last_completed_audit_period for monthly periods: the month before the latest first of
 * a month strictly before `before`.
 */
export function lastCompletedMonth(before: AuditTime): { begin: string; end: string } {
  const at = new Date(before.secondsMs)
  let end = firstOfMonth(at.getUTCFullYear(), at.getUTCMonth())
  // end >= before, to the microsecond.
  if (end > before.secondsMs || (end === before.secondsMs && before.micros === 0))
    end = firstOfMonth(at.getUTCFullYear(), at.getUTCMonth() - 1)
  const e = new Date(end)
  const begin = firstOfMonth(e.getUTCFullYear(), e.getUTCMonth() - 1)
  return { begin: pythonDatetime(begin), end: pythonDatetime(end) }
}

/** The audit of the last period completed before `before` (default: now). */
export async function usageAuditSummary(
  deps: Pick<ComputeDeps, 'db' | 'clock'>,
  before?: AuditTime,
): Promise<AuditSummary> {
  const nowMs = deps.clock.nowMs()
  const period = lastCompletedMonth(
    before ?? { secondsMs: nowMs - (nowMs % 1000), micros: (nowMs % 1000) * 1000 },
  )
  const hosts = [
    ...new Set((await listServices(deps)).filter((s) => s.topic === 'compute').map((s) => s.host)),
  ].sort()
  return {
    period_beginning: period.begin,
    period_ending: period.end,
    num_hosts: hosts.length,
    num_hosts_done: 0,
    num_hosts_running: 0,
    num_hosts_not_run: hosts.length,
    hosts_not_run: hosts,
    total_instances: 0,
    total_errors: 0,
    overall_status: `${hosts.length === 0 ? 'ALL' : `0 of ${String(hosts.length)}`} hosts done. 0 errors.`,
    log: {},
  }
}
