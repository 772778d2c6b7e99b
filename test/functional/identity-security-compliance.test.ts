import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ManualClock } from '../../src/lib/clock/clock.js'
import { type IdentityHarness, startIdentityHarness } from '../support/identity-harness.js'

describe('identity: [security_compliance] lockout, history, requirements', () => {
  let h: IdentityHarness
  const clock = new ManualClock(Date.now())
  let userId: string
  const auth = (password: string) =>
    h.request('POST', '/v3/auth/tokens', {
      body: {
        auth: { identity: { methods: ['password'], password: { user: { id: userId, password } } } },
      },
    })
  const change = (original: string, password: string) =>
    h.request('POST', `/v3/users/${userId}/password`, {
      body: { user: { original_password: original, password } },
    })

  before(async () => {
    h = await startIdentityHarness({
      clock,
      overrides: {
        security_compliance: {
          lockout_failure_attempts: '2',
          lockout_duration: '5',
          unique_last_password_count: '2',
          password_regex: '^.{4,}$',
          password_regex_description: 'at least 4 characters',
        },
      },
    })
    const u = await h.request('POST', '/v3/users', {
      token: h.adminToken,
      body: { user: { name: 'carol', password: 'pw-1' } },
    })
    assert.equal(u.status, 201)
    userId = u.body.user.id
  })
  after(() => h.close())

  it('locks a user out after repeated failures, even with the right password, until the lockout ends', async () => {
    assert.equal((await auth('pw-1')).status, 201)
    assert.equal((await auth('wrong')).status, 401)
    assert.equal((await auth('wrong')).status, 401)
    const locked = await auth('pw-1')
    assert.equal(locked.status, 401)
    assert.match(locked.body.error.message, /locked/)
    clock.advance(6_000)
    assert.equal((await auth('pw-1')).status, 201)
  })

  it('refuses the last passwords again and passwords that miss the requirements', async () => {
    assert.equal((await change('pw-1', 'pw-2')).status, 204)
    assert.equal((await change('pw-2', 'pw-2')).status, 400)
    assert.equal((await change('pw-2', 'pw-1')).status, 400)
    const short = await change('pw-2', 'x')
    assert.equal(short.status, 400)
    assert.match(short.body.error.message, /at least 4 characters/)
    assert.equal((await change('pw-2', 'pw-3')).status, 204)
    assert.equal((await change('pw-3', 'pw-1')).status, 204, 'pw-1 is older than the last 2')
  })

  it('does not hold an admin reset to the history', async () => {
    const res = await h.request('PATCH', `/v3/users/${userId}`, {
      token: h.adminToken,
      body: { user: { password: 'pw-1' } },
    })
    assert.equal(res.status, 200)
    assert.equal((await auth('pw-1')).status, 201)
  })
})
