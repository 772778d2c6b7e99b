import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { type IdentityHarness, startIdentityHarness } from '../support/identity-harness.js'

describe('identity: tokens', () => {
  let h: IdentityHarness
  before(async () => {
    h = await startIdentityHarness()
  })
  after(() => h.close())

  it('issues a project-scoped token with Keystone’s body and header', async () => {
    const res = await h.request('POST', '/v3/auth/tokens', {
      body: {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'admin', password: 'secret', domain: { name: 'Default' } } },
          },
          scope: { project: { name: 'admin', domain: { name: 'Default' } } },
        },
      },
    })
    assert.equal(res.status, 201)
    assert.ok(typeof res.headers['x-subject-token'] === 'string')
    const t = res.body.token
    assert.deepEqual(t.methods, ['password'])
    assert.equal(t.user.name, 'admin')
    assert.deepEqual(t.user.domain, { id: 'default', name: 'Default' })
    assert.equal(t.user.password_expires_at, null)
    assert.equal(t.project.name, 'admin')
    assert.equal(t.is_domain, false)
    assert.match(t.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$/)
    assert.match(t.issued_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$/)
    assert.match(t.audit_ids[0], /^[A-Za-z0-9_-]{22}$/)
    assert.deepEqual(t.roles.map((r: { name: string }) => r.name).sort(), [
      'admin',
      'member',
      'reader',
    ])
    const identity = t.catalog.find((s: { type: string }) => s.type === 'identity')
    assert.equal(identity.name, 'keystone')
    assert.deepEqual(Object.keys(identity.endpoints[0]).sort(), [
      'id',
      'interface',
      'region',
      'region_id',
      'url',
    ])
  })

  it('validates (GET/HEAD) and revokes (DELETE) a subject token', async () => {
    const subject = await h.login({ name: 'admin', password: 'secret' }, 'unscoped')
    const get = await h.request('GET', '/v3/auth/tokens', {
      token: h.adminToken,
      headers: { 'x-subject-token': subject },
    })
    assert.equal(get.status, 200)
    assert.equal(get.headers['x-subject-token'], subject)
    assert.equal(get.body.token.catalog, undefined)
    const head = await h.request('HEAD', '/v3/auth/tokens', {
      token: h.adminToken,
      headers: { 'x-subject-token': subject },
    })
    assert.equal(head.status, 200)
    assert.equal(head.text, '')
    const del = await h.request('DELETE', '/v3/auth/tokens', {
      token: h.adminToken,
      headers: { 'x-subject-token': subject },
    })
    assert.equal(del.status, 204)
    const again = await h.request('GET', '/v3/auth/tokens', {
      token: h.adminToken,
      headers: { 'x-subject-token': subject },
    })
    assert.equal(again.status, 404)
    const used = await h.request('GET', '/v3/auth/projects', { token: subject })
    assert.equal(used.status, 401)
  })

  it('refuses a wrong password, an unknown user and a tampered token with 401', async () => {
    for (const user of [
      { name: 'admin', password: 'wrong', domain: { id: 'default' } },
      { name: 'nobody', password: 'secret', domain: { id: 'default' } },
    ]) {
      const res = await h.request('POST', '/v3/auth/tokens', {
        body: { auth: { identity: { methods: ['password'], password: { user } } } },
      })
      assert.equal(res.status, 401)
      assert.equal(res.body.error.title, 'Unauthorized')
      assert.equal(res.headers['www-authenticate'], 'Keystone uri="http://localhost:80/v3"')
    }
    const tampered = h.adminToken.slice(0, -4) + (h.adminToken.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    const res = await h.request('GET', '/v3/auth/catalog', { token: tampered })
    assert.equal(res.status, 401)
  })

  it('refuses an expired token', async () => {
    const { ManualClock } = await import('../../src/lib/clock/clock.js')
    const clock = new ManualClock(Date.now())
    const h2 = await startIdentityHarness({ clock })
    try {
      const token = await h2.login(
        { name: 'admin', password: 'secret' },
        { project: { name: 'admin', domain: { id: 'default' } } },
      )
      assert.equal((await h2.request('GET', '/v3/auth/catalog', { token })).status, 200)
      clock.advance(3601_000)
      assert.equal((await h2.request('GET', '/v3/auth/catalog', { token })).status, 401)
    } finally {
      await h2.close()
    }
  })

  it('serves the version documents', async () => {
    const root = await h.request('GET', '/')
    assert.equal(root.status, 300)
    assert.equal(root.body.versions.values[0].id, 'v3.14')
    assert.equal(root.body.versions.values[0].status, 'stable')
    const v3 = await h.request('GET', '/v3')
    assert.equal(v3.status, 200)
    assert.equal(v3.body.version.links[0].href, 'http://localhost:80/v3/')
  })
})

describe('identity: HTTP conventions', () => {
  let h: IdentityHarness
  before(async () => {
    h = await startIdentityHarness()
  })
  after(() => h.close())

  it('answers a known path with a wrong method with 405 and Allow', async () => {
    const res = await h.request('PUT', '/v3/users', { token: h.adminToken })
    assert.equal(res.status, 405)
    assert.equal(res.headers.allow, 'GET, HEAD, POST')
    assert.equal(res.body.error.title, 'Method Not Allowed')
    assert.equal((await h.request('GET', '/v3/nothing-here', { token: h.adminToken })).status, 404)
  })
})

describe('identity: wrongly scoped tokens', () => {
  let h: IdentityHarness
  before(async () => {
    h = await startIdentityHarness()
  })
  after(() => h.close())

  it('refuses a scope the user has no role on, and a token of another project for its admin routes', async () => {
    const t = h.adminToken
    const mine = (
      await h.request('POST', '/v3/projects', { token: t, body: { project: { name: 'mine' } } })
    ).body.project
    const other = (
      await h.request('POST', '/v3/projects', { token: t, body: { project: { name: 'other' } } })
    ).body.project
    const user = (
      await h.request('POST', '/v3/users', {
        token: t,
        body: { user: { name: 'dave', password: 'pw' } },
      })
    ).body.user
    const member = await h.db
      .selectFrom('role')
      .select('id')
      .where('name', '=', 'member')
      .executeTakeFirstOrThrow()
    await h.request('PUT', `/v3/projects/${mine.id}/users/${user.id}/roles/${member.id}`, {
      token: t,
    })
    const scoped = await h.request('POST', '/v3/auth/tokens', {
      body: {
        auth: {
          identity: { methods: ['password'], password: { user: { id: user.id, password: 'pw' } } },
          scope: { project: { id: other.id } },
        },
      },
    })
    assert.equal(scoped.status, 401)
    const system = await h.request('POST', '/v3/auth/tokens', {
      body: {
        auth: {
          identity: { methods: ['password'], password: { user: { id: user.id, password: 'pw' } } },
          scope: { system: { all: true } },
        },
      },
    })
    assert.equal(system.status, 401)
    const token = await h.login({ name: 'dave', password: 'pw' }, { project: { id: mine.id } })
    assert.equal((await h.request('GET', `/v3/projects/${other.id}`, { token })).status, 403)
    assert.equal(
      (await h.request('POST', '/v3/roles', { token, body: { role: { name: 'sneaky' } } })).status,
      403,
    )
    assert.equal(
      (
        await h.request('PUT', `/v3/projects/${other.id}/users/${user.id}/roles/${member.id}`, {
          token,
        })
      ).status,
      403,
    )
    // Losing the role makes the project-scoped token invalid at once.
    await h.request('DELETE', `/v3/projects/${mine.id}/users/${user.id}/roles/${member.id}`, {
      token: t,
    })
    assert.equal((await h.request('GET', `/v3/projects/${mine.id}`, { token })).status, 401)
  })
})
