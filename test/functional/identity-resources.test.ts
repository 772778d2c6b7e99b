import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { type IdentityHarness, startIdentityHarness } from '../support/identity-harness.js'

describe('identity: domains, projects, users, groups', () => {
  let h: IdentityHarness
  let memberToken: string
  let memberId: string
  let projectId: string
  before(async () => {
    h = await startIdentityHarness()
    const t = h.adminToken
    const project = await h.request('POST', '/v3/projects', {
      token: t,
      body: { project: { name: 'p1', description: 'first' } },
    })
    assert.equal(project.status, 201)
    projectId = project.body.project.id
    const user = await h.request('POST', '/v3/users', {
      token: t,
      body: {
        user: { name: 'alice', password: 'pw', email: 'a@example.com', project_id: projectId },
      },
    })
    assert.equal(user.status, 201)
    memberId = user.body.user.id
    const member = await h.db
      .selectFrom('role')
      .select('id')
      .where('name', '=', 'member')
      .executeTakeFirstOrThrow()
    await h.db
      .insertInto('assignment')
      .values({
        type: 'UserProject',
        actor_id: memberId,
        target_id: projectId,
        role_id: member.id,
        inherited: 0,
      })
      .execute()
    memberToken = await h.login({ name: 'alice', password: 'pw' }, { project: { id: projectId } })
  })
  after(() => h.close())

  it('creates projects with Keystone’s defaults and echoes them identically in GET and list', async () => {
    const res = await h.request('GET', `/v3/projects/${projectId}`, { token: h.adminToken })
    assert.equal(res.status, 200)
    const p = res.body.project
    assert.equal(p.parent_id, 'default')
    assert.equal(p.domain_id, 'default')
    assert.equal(p.is_domain, false)
    assert.deepEqual(p.tags, [])
    assert.equal(p.description, 'first')
    const list = await h.request('GET', '/v3/projects?name=p1', { token: h.adminToken })
    assert.deepEqual(list.body.projects, [p])
    assert.equal(list.body.links.self, 'http://localhost:80/v3/projects?name=p1')
  })

  it('refuses bad and duplicate projects, and non-admins', async () => {
    const t = h.adminToken
    assert.equal(
      (await h.request('POST', '/v3/projects', { token: t, body: { project: { name: '' } } }))
        .status,
      400,
    )
    assert.equal(
      (
        await h.request('POST', '/v3/projects', {
          token: t,
          body: { project: { name: 'x'.repeat(65) } },
        })
      ).status,
      400,
    )
    assert.equal(
      (await h.request('POST', '/v3/projects', { token: t, body: { project: { name: 'p1' } } }))
        .status,
      409,
    )
    assert.equal(
      (
        await h.request('POST', '/v3/projects', {
          token: t,
          body: { project: { name: 'p9', domain_id: 'nope' } },
        })
      ).status,
      400,
    )
    assert.equal(
      (
        await h.request('POST', '/v3/projects', {
          token: memberToken,
          body: { project: { name: 'p2' } },
        })
      ).status,
      403,
    )
    assert.equal((await h.request('GET', '/v3/projects', { token: memberToken })).status, 403)
    assert.equal(
      (await h.request('DELETE', '/v3/projects/0123456789abcdef0123456789abcdef', { token: t }))
        .status,
      404,
    )
    assert.equal((await h.request('GET', '/v3/projects', {})).status, 401)
  })

  it('lets a member see its own project and user but nothing else', async () => {
    assert.equal(
      (await h.request('GET', `/v3/projects/${projectId}`, { token: memberToken })).status,
      200,
    )
    assert.equal(
      (await h.request('GET', `/v3/users/${memberId}`, { token: memberToken })).status,
      200,
    )
    const admin = await h.db
      .selectFrom('user')
      .select('id')
      .where('name', '=', 'admin')
      .executeTakeFirstOrThrow()
    assert.equal(
      (await h.request('GET', `/v3/users/${admin.id}`, { token: memberToken })).status,
      403,
    )
    assert.equal((await h.request('GET', '/v3/users', { token: memberToken })).status, 403)
    assert.equal(
      (await h.request('POST', '/v3/users', { token: memberToken, body: { user: { name: 'x' } } }))
        .status,
      403,
    )
    const mine = await h.request('GET', `/v3/users/${memberId}/projects`, { token: memberToken })
    assert.deepEqual(
      mine.body.projects.map((p: { id: string }) => p.id),
      [projectId],
    )
    assert.equal(
      (await h.request('GET', '/v3/domains/default', { token: memberToken })).body.domain.enabled,
      true,
    )
  })

  it('keeps user extras, takes the id in PATCH bodies, and revokes tokens on password change', async () => {
    const u = await h.request('GET', `/v3/users/${memberId}`, { token: h.adminToken })
    assert.equal(u.body.user.email, 'a@example.com')
    assert.equal(u.body.user.project_id, projectId)
    assert.equal(u.body.user.default_project_id, undefined)
    assert.equal(u.body.user.password, undefined)
    const patched = await h.request('PATCH', `/v3/users/${memberId}`, {
      token: h.adminToken,
      body: { user: { id: memberId, description: 'd' } },
    })
    assert.equal(patched.status, 200)
    assert.equal(patched.body.user.email, 'a@example.com')
    assert.equal(
      (
        await h.request('PATCH', `/v3/users/${memberId}`, {
          token: h.adminToken,
          body: { user: { id: 'other' } },
        })
      ).status,
      400,
    )
    const token = await h.login({ name: 'alice', password: 'pw' }, { project: { id: projectId } })
    const bad = await h.request('POST', `/v3/users/${memberId}/password`, {
      body: { user: { original_password: 'wrong', password: 'pw2' } },
    })
    assert.equal(bad.status, 401)
    const extra = await h.request('POST', `/v3/users/${memberId}/password`, {
      body: { user: { original_password: 'pw', password: 'pw2', x: 1 } },
    })
    assert.equal(extra.status, 400)
    const ok = await h.request('POST', `/v3/users/${memberId}/password`, {
      body: { user: { original_password: 'pw', password: 'pw2' } },
    })
    assert.equal(ok.status, 204)
    assert.equal((await h.request('GET', `/v3/users/${memberId}`, { token })).status, 401)
    memberToken = await h.login({ name: 'alice', password: 'pw2' }, { project: { id: projectId } })
    assert.equal(
      (await h.request('GET', `/v3/users/${memberId}`, { token: memberToken })).status,
      200,
    )
  })

  it('manages groups and memberships', async () => {
    const t = h.adminToken
    const g = await h.request('POST', '/v3/groups', {
      token: t,
      body: { group: { name: 'g1', description: 'dd', project_id: projectId } },
    })
    assert.equal(g.status, 201)
    const gid = g.body.group.id
    assert.equal(g.body.group.project_id, projectId)
    assert.equal(
      (await h.request('POST', '/v3/groups', { token: t, body: { group: { name: 'g1' } } })).status,
      409,
    )
    const renamed = await h.request('PATCH', `/v3/groups/${gid}`, {
      token: t,
      body: { group: { name: 'g2' } },
    })
    assert.equal(renamed.body.group.description, 'dd')
    assert.equal(
      (await h.request('PUT', `/v3/groups/${gid}/users/${memberId}`, { token: t })).status,
      204,
    )
    assert.equal(
      (await h.request('HEAD', `/v3/groups/${gid}/users/${memberId}`, { token: t })).status,
      204,
    )
    const users = await h.request('GET', `/v3/groups/${gid}/users`, { token: t })
    const alice = await h.request('GET', `/v3/users/${memberId}`, { token: t })
    assert.deepEqual(users.body.users, [alice.body.user])
    const groups = await h.request('GET', `/v3/users/${memberId}/groups`, { token: t })
    assert.equal(groups.body.groups[0].membership_expires_at, null)
    assert.equal(
      (await h.request('DELETE', `/v3/groups/${gid}/users/${memberId}`, { token: t })).status,
      204,
    )
    assert.equal(
      (await h.request('HEAD', `/v3/groups/${gid}/users/${memberId}`, { token: t })).status,
      404,
    )
    assert.equal(
      (await h.request('PUT', `/v3/groups/${gid}/users/nobody`, { token: t })).status,
      404,
    )
  })

  it('tags projects with Keystone’s status codes', async () => {
    const t = h.adminToken
    const base = `/v3/projects/${projectId}/tags`
    assert.equal((await h.request('PUT', `${base}/blue`, { token: t })).status, 201)
    assert.equal((await h.request('GET', `${base}/blue`, { token: t })).status, 204)
    assert.equal((await h.request('GET', `${base}/red`, { token: t })).status, 404)
    const all = await h.request('PUT', base, { token: t, body: { tags: ['a', 'b'] } })
    assert.deepEqual(all.body.tags, ['a', 'b'])
    assert.equal((await h.request('PUT', base, { token: t, body: { tags: ['a,b'] } })).status, 400)
    assert.deepEqual(
      (await h.request('GET', `/v3/projects?tags=a,b`, { token: t })).body.projects.map(
        (p: { id: string }) => p.id,
      ),
      [projectId],
    )
    assert.equal((await h.request('DELETE', base, { token: t })).status, 204)
  })

  it('requires a domain to be disabled before deleting it, and cascades', async () => {
    const t = h.adminToken
    const d = await h.request('POST', '/v3/domains', { token: t, body: { domain: { name: 'd1' } } })
    assert.equal(d.status, 201)
    assert.equal(d.body.domain.description, '')
    const did = d.body.domain.id
    const u = await h.request('POST', '/v3/users', {
      token: t,
      body: { user: { name: 'bob', domain_id: did } },
    })
    const p = await h.request('POST', '/v3/projects', {
      token: t,
      body: { project: { name: 'dp', domain_id: did } },
    })
    assert.equal(
      (await h.request('POST', '/v3/domains', { token: t, body: { domain: { name: 'd1' } } }))
        .status,
      409,
    )
    assert.equal((await h.request('DELETE', `/v3/domains/${did}`, { token: t })).status, 403)
    assert.equal(
      (
        await h.request('PATCH', `/v3/domains/${did}`, {
          token: t,
          body: { domain: { enabled: false } },
        })
      ).status,
      200,
    )
    assert.equal((await h.request('DELETE', `/v3/domains/${did}`, { token: t })).status, 204)
    assert.equal((await h.request('GET', `/v3/users/${u.body.user.id}`, { token: t })).status, 404)
    assert.equal(
      (await h.request('GET', `/v3/projects/${p.body.project.id}`, { token: t })).status,
      404,
    )
    assert.equal(
      (
        await h.request('PATCH', `/v3/domains/${did}`, {
          token: t,
          body: { domain: { enabled: true } },
        })
      ).status,
      404,
    )
  })

  it('stores whitelisted domain config and refuses the rest', async () => {
    const t = h.adminToken
    const base = '/v3/domains/default/config'
    const config = { identity: { driver: 'ldap' }, ldap: { url: 'ldap://x', user_tree_dn: 'ou=u' } }
    const put = await h.request('PUT', base, { token: t, body: { config } })
    assert.equal(put.status, 201)
    assert.deepEqual(put.body.config, config)
    const patched = await h.request('PATCH', `${base}/identity`, {
      token: t,
      body: { config: { identity: { driver: 'sql', list_limit: 5 } } },
    })
    assert.equal(patched.body.config.identity.list_limit, 5)
    assert.equal(
      (await h.request('PUT', base, { token: t, body: { config: { nope: { a: 1 } } } })).status,
      403,
    )
    assert.equal((await h.request('DELETE', `${base}/ldap/url`, { token: t })).status, 204)
    assert.equal((await h.request('GET', `${base}/ldap/url`, { token: t })).status, 404)
    const def = await h.request('GET', '/v3/domains/config/ldap/page_size/default', { token: t })
    assert.deepEqual(def.body.config, { page_size: 0 })
    assert.equal((await h.request('DELETE', base, { token: t })).status, 204)
    assert.equal((await h.request('GET', base, { token: t })).status, 404)
  })
})
