/**
 * @module /os-instance_usage_audit_log (admin): the usage audit of the last completed period,
 * and `/{before}` for the period completed before a time written `%Y-%m-%d %H:%M:%S[.%f]`.
 * Nova checks the policy before it reads the time.
 */
import { type AuditTime, usageAuditSummary } from '../core/usage-audit.js'
import { computeErrors } from '../errors.js'
import { type ComputeApi, enforce, param } from './compute-api.js'

// The fields as Python's strptime matches them (%d also takes a space and a digit; one space in
// the format matches any run of whitespace).
const FIELDS =
  '(\\d\\d\\d\\d)-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])\\s+' +
  '(2[0-3]|[0-1]\\d|\\d):([0-5]\\d|\\d):(6[0-1]|[0-5]\\d|\\d)'
const WITHOUT_FRACTION = new RegExp(`^${FIELDS}$`)
const WITH_FRACTION = new RegExp(`^${FIELDS}\\.([0-9]{1,6})$`)

/** Nova's strptime of the id: with a fraction when the id has a dot. */
export function parseAuditTime(text: string): AuditTime | undefined {
  const m = (text.includes('.') ? WITH_FRACTION : WITHOUT_FRACTION).exec(text)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v))
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    second === undefined
  )
    return undefined
  // datetime() refuses year 0, leap seconds and days the month does not have.
  if (year < 1 || second > 59) return undefined
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  if (d.getUTCMonth() !== month - 1) return undefined
  d.setUTCHours(hour, minute, second, 0)
  return { secondsMs: d.getTime(), micros: Number((m[7] ?? '').padEnd(6, '0')) }
}

export function usageAuditRoutes(api: ComputeApi): void {
  const { app, deps } = api

  app.route({
    method: 'GET',
    url: '/v2.1/os-instance_usage_audit_log',
    access: 'token',
    handler: async (req) => {
      enforce(api, req.raw, 'os_compute_api:os-instance-usage-audit-log:list', {})
      return { instance_usage_audit_logs: await usageAuditSummary(deps) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.1/os-instance_usage_audit_log/:before',
    access: 'token',
    handler: async (req) => {
      enforce(api, req.raw, 'os_compute_api:os-instance-usage-audit-log:show', {})
      const text = param(req.raw, 'before')
      const before = parseAuditTime(text)
      if (!before) throw computeErrors.badRequest(`Invalid timestamp for date ${text}`)
      return { instance_usage_audit_log: await usageAuditSummary(deps, before) }
    },
  })
}
