import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'

const KEYS = [
  'hosts_not_run',
  'log',
  'num_hosts',
  'num_hosts_done',
  'num_hosts_not_run',
  'num_hosts_running',
  'overall_status',
  'period_beginning',
  'period_ending',
  'total_errors',
  'total_instances',
]

/** Python's str() of the first of a month (UTC). */
function firstOf(year: number, month: number): string {
  const d = new Date(Date.UTC(year, month, 1))
  return d.toISOString().slice(0, 19).replace('T', ' ')
}

describe('compute instance usage audit log', () => {
  let h: ComputeHarness
  let memberToken: string
  before(async () => {
    h = await startComputeHarness()
    memberToken = (await h.member('audit-member')).token
  })
  after(async () => h.close())

  const show = (before: string, token?: string) =>
    h.request('GET', `/v2.1/os-instance_usage_audit_log/${encodeURIComponent(before)}`, { token })

  it('reports the last completed month with no audit run on any compute host', async () => {
    const res = await h.request('GET', '/v2.1/os-instance_usage_audit_log')
    assert.equal(res.status, 200)
    const log = res.body.instance_usage_audit_logs
    assert.deepEqual(Object.keys(log).sort(), KEYS)
    const now = new Date()
    assert.equal(log.period_beginning, firstOf(now.getUTCFullYear(), now.getUTCMonth() - 1))
    assert.equal(log.period_ending, firstOf(now.getUTCFullYear(), now.getUTCMonth()))
    assert.deepEqual(
      { ...log, period_beginning: undefined, period_ending: undefined },
      {
        period_beginning: undefined,
        period_ending: undefined,
        num_hosts: 2,
        num_hosts_done: 0,
        num_hosts_running: 0,
        num_hosts_not_run: 2,
        hosts_not_run: ['compute1', 'compute2'],
        total_instances: 0,
        total_errors: 0,
        overall_status: '0 of 2 hosts done. 0 errors.',
        log: {},
      },
    )
  })

  it('counts disabled compute hosts too', async () => {
    await h.request('PUT', '/v2.1/os-services/disable', {
      body: { host: 'compute2', binary: 'nova-compute' },
    })
    try {
      const res = await h.request('GET', '/v2.1/os-instance_usage_audit_log')
      assert.equal(res.body.instance_usage_audit_logs.num_hosts, 2)
    } finally {
      await h.request('PUT', '/v2.1/os-services/enable', {
        body: { host: 'compute2', binary: 'nova-compute' },
      })
    }
  })

  it('reports the month completed before a given time', async () => {
    const cases: [string, string, string][] = [
      ['2012-07-15 10:00:00', '2012-06-01 00:00:00', '2012-07-01 00:00:00'],
      ['2012-07-01 00:00:00', '2012-05-01 00:00:00', '2012-06-01 00:00:00'],
      ['2012-07-01 00:00:00.000001', '2012-06-01 00:00:00', '2012-07-01 00:00:00'],
      ['2012-07-01 00:00:00.0', '2012-05-01 00:00:00', '2012-06-01 00:00:00'],
      ['2013-01-10 08:00:00', '2012-12-01 00:00:00', '2013-01-01 00:00:00'],
      ['2013-01-01 00:00:00', '2012-11-01 00:00:00', '2012-12-01 00:00:00'],
      ['2013-02-01 00:00:00', '2012-12-01 00:00:00', '2013-01-01 00:00:00'],
      ['2012-7-5 1:2:3', '2012-06-01 00:00:00', '2012-07-01 00:00:00'],
      ['2012-07- 5   23:59:59.999999', '2012-06-01 00:00:00', '2012-07-01 00:00:00'],
      ['2012-02-29 12:00:00', '2012-01-01 00:00:00', '2012-02-01 00:00:00'],
    ]
    for (const [before, begin, end] of cases) {
      const res = await show(before)
      assert.equal(res.status, 200, before)
      const log = res.body.instance_usage_audit_log
      assert.deepEqual([log.period_beginning, log.period_ending], [begin, end], before)
      assert.deepEqual(Object.keys(log).sort(), KEYS)
    }
  })

  it('refuses times strptime would refuse', async () => {
    for (const before of [
      'invalid_time',
      '2012-07-15',
      '2012-07-15T10:00:00',
      '2012-07-15 10:00:00.',
      '2012-07-15 10:00:00.1234567',
      '2012-07-15 10:00:60',
      '2012-02-30 10:00:00',
      '2011-02-29 10:00:00',
      '2012-13-01 10:00:00',
      '2012-07-15 24:00:00',
      '0000-07-15 10:00:00',
      '12-07-15 10:00:00',
      '2012-07-15 10:00:00 ',
    ]) {
      const res = await show(before)
      assert.equal(res.status, 400, before)
      assert.deepEqual(res.body, {
        badRequest: { code: 400, message: `Invalid timestamp for date ${before}` },
      })
    }
  })

  it('is for admins only, before the time is read', async () => {
    const list = await h.request('GET', '/v2.1/os-instance_usage_audit_log', {
      token: memberToken,
    })
    assert.equal(list.status, 403)
    assert.equal(
      list.body.forbidden.message,
      "Policy doesn't allow os_compute_api:os-instance-usage-audit-log:list to be performed.",
    )
    assert.equal((await show('2012-07-15 10:00:00', memberToken)).status, 403)
    assert.equal((await show('invalid_time', memberToken)).status, 403)
  })
})
