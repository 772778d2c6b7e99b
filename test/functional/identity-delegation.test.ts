import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createProject } from '../../src/identity/core/projects.js'
import { createUser } from '../../src/identity/core/users.js'
import { type IdentityHarness, startIdentityHarness } from '../support/identity-harness.js'

interface Member {
  id: string
  name: string
  password: string
  token: string
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

describe('identity: delegation (credentials, application credentials, trusts, consumers)', () => {
  let h: IdentityHarness
  let projectId: string
  let otherProjectId: string
  let alice: Member
  let bob: Member
  let carol: Member

  async function roleId(name: string): Promise<string> {
    const row = await h.db
      .selectFrom('role')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirstOrThrow()
    return row.id
  }

  async function grant(userId: string, project: string, role: string): Promise<void> {
    await h.db
      .insertInto('assignment')
      .values({
        type: 'UserProject',
        actor_id: userId,
        target_id: project,
        role_id: await roleId(role),
        inherited: 0,
      })
      .execute()
  }

  async function member(name: string, project: string, roles: string[]): Promise<Member> {
    const password = `${name}-pw`
    const u = await createUser(h.deps, { name, domain_id: 'default', password, extra: {} })
    for (const role of roles) await grant(u.id, project, role)
    const token = await h.login({ name, password }, { project: { id: project } })
    return { id: u.id, name, password, token }
  }

  async function appCredAuth(identity: Record<string, unknown>, scope?: unknown) {
    return h.request('POST', '/v3/auth/tokens', {
      body: {
        auth: {
          identity: { methods: ['application_credential'], application_credential: identity },
          ...(scope === undefined ? {} : { scope }),
        },
      },
    })
  }

  before(async () => {
    h = await startIdentityHarness()
    projectId = (
      await createProject(h.deps, { name: 'deleg-p1', domain_id: 'default', extra: {} }, 'default')
    ).id
    otherProjectId = (
      await createProject(h.deps, { name: 'deleg-p2', domain_id: 'default', extra: {} }, 'default')
    ).id
    alice = await member('alice', projectId, ['member'])
    bob = await member('bob', projectId, ['member'])
    carol = await member('carol', projectId, ['member'])
  })
  after(() => h.close())

  describe('/v3/credentials', () => {
    it('creates an ec2 credential with id sha256(access), encrypted at rest, blob echoed as sent', async () => {
      const blob = JSON.stringify({ access: 'alice-ak', secret: 'alice-sk' })
      const res = await h.request('POST', '/v3/credentials', {
        token: alice.token,
        body: {
          credential: { blob, type: 'ec2', user_id: alice.id, project_id: projectId, 'x-extra': 1 },
        },
      })
      assert.equal(res.status, 201)
      const c = res.body.credential
      assert.equal(c.id, sha256('alice-ak'))
      assert.equal(c.blob, blob)
      assert.equal(c.project_id, projectId)
      assert.equal(c.x_extra, 1)
      assert.equal(c.links.self, `http://localhost:80/v3/credentials/${c.id}`)
      const row = await h.db
        .selectFrom('credential')
        .selectAll()
        .where('id', '=', c.id)
        .executeTakeFirstOrThrow()
      assert.ok(!row.encrypted_blob.includes('alice-sk'))
      const get = await h.request('GET', `/v3/credentials/${c.id}`, { token: alice.token })
      assert.equal(get.status, 200)
      assert.deepEqual(get.body.credential, c)
      const dup = await h.request('POST', '/v3/credentials', {
        token: alice.token,
        body: { credential: { blob, type: 'ec2', user_id: alice.id, project_id: projectId } },
      })
      assert.equal(dup.status, 409)
    })

    it('refuses bad input with 400 and other users’ credentials with 403', async () => {
      const bad = [
        { blob: 'not json', type: 'ec2', user_id: alice.id, project_id: projectId },
        { blob: '{"secret": "x"}', type: 'ec2', user_id: alice.id, project_id: projectId },
        { blob: '{"access": "x"}', type: 'ec2', user_id: alice.id },
        { type: 'totp', user_id: alice.id },
      ]
      for (const credential of bad) {
        const res = await h.request('POST', '/v3/credentials', {
          token: alice.token,
          body: { credential },
        })
        assert.equal(res.status, 400, JSON.stringify(credential))
      }
      const forOther = await h.request('POST', '/v3/credentials', {
        token: alice.token,
        body: { credential: { blob: 'b', type: 'totp', user_id: bob.id } },
      })
      assert.equal(forOther.status, 403)
      const bobs = await h.request('POST', '/v3/credentials', {
        token: bob.token,
        body: { credential: { blob: 'bob-seed', type: 'totp', user_id: bob.id } },
      })
      assert.equal(bobs.status, 201)
      assert.match(bobs.body.credential.id, /^[0-9a-f]{32}$/)
      const peek = await h.request('GET', `/v3/credentials/${bobs.body.credential.id}`, {
        token: alice.token,
      })
      assert.equal(peek.status, 403)
      const unknownMember = await h.request('GET', '/v3/credentials/nope', { token: alice.token })
      assert.equal(unknownMember.status, 403)
      const unknownAdmin = await h.request('GET', '/v3/credentials/nope', { token: h.adminToken })
      assert.equal(unknownAdmin.status, 404)
      assert.equal(unknownAdmin.body.error.message, 'Could not find credential: nope.')
    })

    it('lists only the caller’s own credentials to a member, everything to an admin, with filters', async () => {
      const mine = await h.request('GET', '/v3/credentials', { token: alice.token })
      assert.equal(mine.status, 200)
      assert.ok(mine.body.credentials.length >= 1)
      assert.ok(mine.body.credentials.every((c: { user_id: string }) => c.user_id === alice.id))
      const all = await h.request('GET', '/v3/credentials?type=totp', { token: h.adminToken })
      assert.ok(all.body.credentials.some((c: { user_id: string }) => c.user_id === bob.id))
      assert.ok(all.body.credentials.every((c: { type: string }) => c.type === 'totp'))
      assert.equal(all.body.links.self, 'http://localhost:80/v3/credentials?type=totp')
    })

    it('accepts PATCH of blob, project_id and type (upstream schema), keeping the id', async () => {
      const blob = JSON.stringify({ access: 'patch-ak', secret: 's1' })
      const created = await h.request('POST', '/v3/credentials', {
        token: h.adminToken,
        body: { credential: { blob, type: 'ec2', user_id: alice.id, project_id: projectId } },
      })
      const id = created.body.credential.id
      const newBlob = JSON.stringify({ access: 'patch-ak2', secret: 's2' })
      const res = await h.request('PATCH', `/v3/credentials/${id}`, {
        token: h.adminToken,
        body: { credential: { blob: newBlob, project_id: otherProjectId, type: 'ec2' } },
      })
      assert.equal(res.status, 200)
      assert.equal(res.body.credential.id, id)
      assert.equal(res.body.credential.project_id, otherProjectId)
      assert.equal(res.body.credential.user_id, alice.id)
      assert.equal(JSON.parse(res.body.credential.blob).secret, 's2')
      const get = await h.request('GET', `/v3/credentials/${id}`, { token: h.adminToken })
      assert.equal(get.body.credential.blob, newBlob)
      const empty = await h.request('PATCH', `/v3/credentials/${id}`, {
        token: h.adminToken,
        body: { credential: {} },
      })
      assert.equal(empty.status, 400)
      const steal = await h.request('PATCH', `/v3/credentials/${id}`, {
        token: alice.token,
        body: { credential: { user_id: bob.id } },
      })
      assert.equal(steal.status, 403)
      assert.equal(
        (await h.request('DELETE', `/v3/credentials/${id}`, { token: alice.token })).status,
        204,
      )
      assert.equal(
        (await h.request('GET', `/v3/credentials/${id}`, { token: h.adminToken })).status,
        404,
      )
      assert.equal(
        (await h.request('DELETE', `/v3/credentials/${id}`, { token: h.adminToken })).status,
        404,
      )
    })
  })

  describe('OS-EC2', () => {
    it('creates, lists, shows and deletes the caller’s EC2 credentials', async () => {
      const base = `/v3/users/${alice.id}/credentials/OS-EC2`
      const res = await h.request('POST', base, {
        token: alice.token,
        body: { tenant_id: projectId },
      })
      assert.equal(res.status, 201)
      const c = res.body.credential
      assert.match(c.access, /^[0-9a-f]{32}$/)
      assert.match(c.secret, /^[0-9a-f]{32}$/)
      assert.equal(c.tenant_id, projectId)
      assert.equal(c.user_id, alice.id)
      assert.equal(c.trust_id, null)
      assert.equal(c.links.self, `http://localhost:80${base}/${c.access}`)
      const list = await h.request('GET', base, { token: alice.token })
      assert.ok(list.body.credentials.some((x: { access: string }) => x.access === c.access))
      const get = await h.request('GET', `${base}/${c.access}`, { token: alice.token })
      assert.deepEqual(get.body.credential, c)
      // The same credential through /v3/credentials: Python's json.dumps blob.
      const v3 = await h.request('GET', `/v3/credentials/${sha256(c.access)}`, {
        token: alice.token,
      })
      assert.equal(
        v3.body.credential.blob,
        `{"access": "${c.access}", "secret": "${c.secret}", "trust_id": null}`,
      )
      assert.equal(
        (await h.request('GET', `${base}/${c.access}`, { token: bob.token })).status,
        403,
      )
      assert.equal(
        (await h.request('DELETE', `${base}/${c.access}`, { token: alice.token })).status,
        204,
      )
      const gone = await h.request('GET', `${base}/${c.access}`, { token: alice.token })
      assert.equal(gone.status, 404)
      assert.equal(gone.body.error.message, `Could not find credential: ${sha256(c.access)}.`)
    })

    it('refuses unknown projects (404), other users (403) and unknown users (404 for admin)', async () => {
      const base = `/v3/users/${alice.id}/credentials/OS-EC2`
      const res = await h.request('POST', base, { token: alice.token, body: { tenant_id: 'nope' } })
      assert.equal(res.status, 404)
      assert.equal(res.body.error.message, 'Could not find project: nope.')
      assert.equal(
        (await h.request('POST', base, { token: bob.token, body: { tenant_id: projectId } }))
          .status,
        403,
      )
      assert.equal((await h.request('GET', base, { token: bob.token })).status, 403)
      const unknown = await h.request('GET', '/v3/users/nobody/credentials/OS-EC2', {
        token: h.adminToken,
      })
      assert.equal(unknown.status, 404)
    })
  })

  describe('application credentials and access rules', () => {
    it('creates one with the token’s roles, shows the secret once, and authenticates with it', async () => {
      const base = `/v3/users/${alice.id}/application_credentials`
      const expires = new Date(Date.now() + 3600_000)
        .toISOString()
        .replace('Z', '')
        .replace(/\.(\d{3})$/, '.$1456')
      const res = await h.request('POST', base, {
        token: alice.token,
        body: {
          application_credential: { name: 'ac1', expires_at: expires, description: 'first' },
        },
      })
      assert.equal(res.status, 201)
      const ac = res.body.application_credential
      assert.equal(ac.expires_at, expires)
      assert.equal(ac.project_id, projectId)
      assert.equal(ac.user_id, alice.id)
      assert.equal(ac.unrestricted, null)
      assert.equal(ac.system, null)
      assert.equal(ac.secret.length, 86)
      assert.equal(ac.access_rules, undefined)
      assert.deepEqual(ac.roles.map((r: { name: string }) => r.name).sort(), ['member', 'reader'])
      assert.deepEqual(Object.keys(ac.roles[0]).sort(), [
        'description',
        'domain_id',
        'id',
        'name',
        'options',
      ])
      assert.equal(ac.links.self, `http://localhost:80/v3/application_credentials/${ac.id}`)
      const get = await h.request('GET', `${base}/${ac.id}`, { token: alice.token })
      assert.equal(get.status, 200)
      assert.equal(get.body.application_credential.secret, undefined)
      const { secret: _secret, ...shown } = ac
      assert.deepEqual(get.body.application_credential, shown)

      const auth = await appCredAuth({ id: ac.id, secret: ac.secret })
      assert.equal(auth.status, 201)
      const t = auth.body.token
      assert.deepEqual(t.methods, ['application_credential'])
      assert.equal(t.project.id, projectId)
      assert.deepEqual(t.application_credential, { id: ac.id, name: 'ac1', restricted: true })
      assert.deepEqual(t.roles.map((r: { name: string }) => r.name).sort(), ['member', 'reader'])
      const byName = await appCredAuth({ name: 'ac1', secret: ac.secret, user: { id: alice.id } })
      assert.equal(byName.status, 201)

      assert.equal((await appCredAuth({ id: ac.id, secret: 'wrong' })).status, 401)
      const unknown = await appCredAuth({ id: 'nope', secret: 'x' })
      assert.equal(unknown.status, 404)
      assert.equal(unknown.body.error.message, 'Could not find Application Credential: nope.')
      const scoped = await appCredAuth(
        { id: ac.id, secret: ac.secret },
        { project: { id: projectId } },
      )
      assert.equal(scoped.status, 401)

      const listed = await h.request('GET', `${base}?name=ac1`, { token: alice.token })
      assert.equal(listed.body.application_credentials.length, 1)
      const dup = await h.request('POST', base, {
        token: alice.token,
        body: { application_credential: { name: 'ac1' } },
      })
      assert.equal(dup.status, 409)
    })

    it('limits roles to the caller’s and creation to the user itself', async () => {
      const base = `/v3/users/${alice.id}/application_credentials`
      const admin = await h.request('POST', base, {
        token: alice.token,
        body: { application_credential: { name: 'too-much', roles: [{ name: 'admin' }] } },
      })
      assert.equal(admin.status, 400)
      const unknownRole = await h.request('POST', base, {
        token: alice.token,
        body: {
          application_credential: { name: 'unknown-role', roles: [{ name: 'no-such-role' }] },
        },
      })
      assert.equal(unknownRole.status, 404)
      const onlyReader = await h.request('POST', base, {
        token: alice.token,
        body: { application_credential: { name: 'reader-only', roles: [{ name: 'reader' }] } },
      })
      assert.equal(onlyReader.status, 201)
      assert.deepEqual(
        onlyReader.body.application_credential.roles.map((r: { name: string }) => r.name),
        ['reader'],
      )
      const badBody = await h.request('POST', base, {
        token: alice.token,
        body: { application_credential: { name: '' } },
      })
      assert.equal(badBody.status, 400)
      const badDate = await h.request('POST', base, {
        token: alice.token,
        body: { application_credential: { name: 'bad-date', expires_at: 'bad.123Z' } },
      })
      assert.equal(badDate.status, 400)
      // Not even an admin may create one for someone else; members may not read others’.
      for (const token of [h.adminToken, bob.token]) {
        const res = await h.request('POST', base, {
          token,
          body: { application_credential: { name: 'x' } },
        })
        assert.equal(res.status, 403)
      }
      const theirs = await h.request(
        'GET',
        `/v3/users/${bob.id}/application_credentials/${onlyReader.body.application_credential.id}`,
        {
          token: bob.token,
        },
      )
      assert.equal(theirs.status, 403)
      assert.equal((await h.request('GET', base, { token: bob.token })).status, 403)
      const missing = await h.request('GET', `${base}/nope`, { token: alice.token })
      assert.equal(missing.status, 404)
    })

    it('lets a restricted app-cred token manage neither app creds nor trusts; an unrestricted one may', async () => {
      const base = `/v3/users/${bob.id}/application_credentials`
      const restricted = await h.request('POST', base, {
        token: bob.token,
        body: { application_credential: { name: 'r' } },
      })
      const open = await h.request('POST', base, {
        token: bob.token,
        body: { application_credential: { name: 'u', unrestricted: true } },
      })
      assert.equal(open.body.application_credential.unrestricted, true)
      const rTok = String(
        (
          await appCredAuth({
            id: restricted.body.application_credential.id,
            secret: restricted.body.application_credential.secret,
          })
        ).headers['x-subject-token'],
      )
      const uTok = String(
        (
          await appCredAuth({
            id: open.body.application_credential.id,
            secret: open.body.application_credential.secret,
          })
        ).headers['x-subject-token'],
      )
      assert.equal(
        (
          await h.request('POST', base, {
            token: rTok,
            body: { application_credential: { name: 'r2' } },
          })
        ).status,
        403,
      )
      assert.equal(
        (
          await h.request('POST', base, {
            token: uTok,
            body: { application_credential: { name: 'u2' } },
          })
        ).status,
        201,
      )
      const trust = { trustor_user_id: bob.id, trustee_user_id: carol.id, impersonation: false }
      assert.equal(
        (await h.request('POST', '/v3/OS-TRUST/trusts', { token: rTok, body: { trust } })).status,
        403,
      )
      assert.equal(
        (
          await h.request('POST', '/v3/credentials', {
            token: uTok,
            body: { credential: { blob: 'x', type: 'totp', user_id: bob.id } },
          })
        ).status,
        403,
      )
      // Deleting the credential voids its tokens.
      const del = await h.request(
        'DELETE',
        `${base}/${restricted.body.application_credential.id}`,
        { token: bob.token },
      )
      assert.equal(del.status, 204)
      assert.equal((await h.request('GET', '/v3/auth/projects', { token: rTok })).status, 401)
    })

    it('deduplicates access rules, refuses to delete one in use, and keeps it after the app cred goes', async () => {
      const rule = { path: '/v2.1/servers/*/ips', method: 'GET', service: 'compute' }
      const base = `/v3/users/${carol.id}/application_credentials`
      const first = await h.request('POST', base, {
        token: carol.token,
        body: { application_credential: { name: 'ar1', access_rules: [rule] } },
      })
      assert.equal(first.status, 201)
      const { id: ruleId, ...echo } = first.body.application_credential.access_rules[0]
      assert.deepEqual(echo, rule)
      const second = await h.request('POST', base, {
        token: carol.token,
        body: { application_credential: { name: 'ar2', access_rules: [rule] } },
      })
      assert.equal(second.body.application_credential.access_rules[0].id, ruleId)
      const rules = `/v3/users/${carol.id}/access_rules`
      const list = await h.request('GET', rules, { token: carol.token })
      assert.equal(list.status, 200)
      assert.equal(list.body.access_rules.length, 1)
      assert.equal(
        list.body.access_rules[0].links.self,
        `http://localhost:80/v3/access_rules/${ruleId}`,
      )
      assert.equal(
        (await h.request('GET', `${rules}?service=compute`, { token: carol.token })).body
          .access_rules.length,
        1,
      )
      assert.equal(
        (await h.request('GET', `${rules}?service=image`, { token: carol.token })).body.access_rules
          .length,
        0,
      )
      assert.equal(
        (await h.request('GET', `${rules}/${ruleId}`, { token: carol.token })).status,
        200,
      )
      assert.equal((await h.request('GET', rules, { token: h.adminToken })).status, 403)
      const inUse = await h.request('DELETE', `${rules}/${ruleId}`, { token: carol.token })
      assert.equal(inUse.status, 403)
      assert.equal(inUse.body.error.message, 'May not delete access rule in use')
      for (const ac of [first, second])
        assert.equal(
          (
            await h.request('DELETE', `${base}/${ac.body.application_credential.id}`, {
              token: carol.token,
            })
          ).status,
          204,
        )
      assert.equal(
        (await h.request('GET', rules, { token: carol.token })).body.access_rules.length,
        1,
      )
      assert.equal(
        (await h.request('DELETE', `${rules}/${ruleId}`, { token: carol.token })).status,
        204,
      )
      assert.equal(
        (await h.request('GET', rules, { token: carol.token })).body.access_rules.length,
        0,
      )
      const missing = await h.request('GET', `${rules}/${ruleId}`, { token: carol.token })
      assert.equal(missing.status, 404)
      assert.equal(missing.body.error.message, `Could not find Access Rule: ${ruleId}.`)
    })
  })

  describe('trusts', () => {
    let trustor: Member
    let trustee: Member

    before(async () => {
      trustor = await member('trustor', projectId, ['member'])
      await h.db
        .insertInto('role')
        .values({
          id: 'delegated0role',
          name: 'DelegatedRole',
          domain_id: '<<null>>',
          description: null,
          options: '{}',
          extra: '{}',
        })
        .execute()
      await grant(trustor.id, projectId, 'DelegatedRole')
      trustee = await member('trustee', projectId, ['reader'])
    })

    async function createTrust(extra: Record<string, unknown> = {}) {
      return h.request('POST', '/v3/OS-TRUST/trusts', {
        token: trustor.token,
        body: {
          trust: {
            trustor_user_id: trustor.id,
            trustee_user_id: trustee.id,
            project_id: projectId,
            roles: [{ name: 'DelegatedRole' }],
            impersonation: true,
            ...extra,
          },
        },
      })
    }

    async function trustAuth(user: Member, trustId: string) {
      return h.request('POST', '/v3/auth/tokens', {
        body: {
          auth: {
            identity: {
              methods: ['password'],
              password: { user: { id: user.id, password: user.password } },
            },
            scope: { 'OS-TRUST:trust': { id: trustId } },
          },
        },
      })
    }

    it('creates a trust the trustor owns, with full role documents and Keystone’s links', async () => {
      const expires = new Date(Date.now() + 86_400_000)
      const res = await createTrust({ expires_at: expires.toISOString() })
      assert.equal(res.status, 201)
      const t = res.body.trust
      assert.equal(t.expires_at, `${expires.toISOString().slice(0, 19)}.000000Z`)
      assert.equal(t.impersonation, true)
      assert.equal(t.remaining_uses, null)
      assert.equal(t.redelegation_count, 0)
      assert.equal(t.redelegated_trust_id, null)
      assert.equal(t.deleted_at, null)
      assert.equal(t.links.self, `http://localhost:80/v3/OS-TRUST/trusts/${t.id}`)
      assert.deepEqual(t.roles_links, {
        self: `http://localhost:80/v3/${t.id}/roles`,
        next: null,
        previous: null,
      })
      assert.equal(t.roles.length, 1)
      assert.equal(t.roles[0].name, 'DelegatedRole')
      assert.equal(t.roles[0].links.self, 'http://localhost:80/v3/roles/delegated0role')

      const get = await h.request('GET', `/v3/OS-TRUST/trusts/${t.id}`, { token: trustee.token })
      assert.deepEqual(get.body.trust, t)
      assert.equal(
        (await h.request('GET', `/v3/OS-TRUST/trusts/${t.id}`, { token: carol.token })).status,
        403,
      )
      const roles = await h.request('GET', `/v3/OS-TRUST/trusts/${t.id}/roles`, {
        token: trustor.token,
      })
      assert.equal(roles.body.roles.length, 1)
      const role = `/v3/OS-TRUST/trusts/${t.id}/roles/delegated0role`
      assert.equal((await h.request('GET', role, { token: trustor.token })).status, 200)
      const head = await h.request('HEAD', role, { token: trustor.token })
      assert.equal(head.status, 200)
      assert.equal(head.text, '')
      const memberRole = await roleId('member')
      assert.equal(
        (
          await h.request('GET', `/v3/OS-TRUST/trusts/${t.id}/roles/${memberRole}`, {
            token: trustor.token,
          })
        ).status,
        404,
      )
      assert.equal(
        (
          await h.request('HEAD', `/v3/OS-TRUST/trusts/${t.id}/roles/${memberRole}`, {
            token: trustor.token,
          })
        ).status,
        404,
      )

      const mine = await h.request('GET', `/v3/OS-TRUST/trusts/?trustor_user_id=${trustor.id}`, {
        token: trustor.token,
      })
      assert.equal(mine.status, 200)
      assert.equal(mine.body.trusts.length, 1)
      assert.equal(mine.body.trusts[0].roles, undefined)
      assert.equal(
        (await h.request('GET', '/v3/OS-TRUST/trusts', { token: trustor.token })).status,
        403,
      )
      const all = await h.request('GET', '/v3/OS-TRUST/trusts', { token: h.adminToken })
      assert.ok(all.body.trusts.some((x: { id: string }) => x.id === t.id))
      assert.equal(
        (await h.request('DELETE', `/v3/OS-TRUST/trusts/${t.id}`, { token: trustee.token })).status,
        403,
      )
      assert.equal(
        (await h.request('DELETE', `/v3/OS-TRUST/trusts/${t.id}`, { token: trustor.token })).status,
        204,
      )
      assert.equal(
        (await h.request('GET', `/v3/OS-TRUST/trusts/${t.id}`, { token: trustor.token })).status,
        404,
      )
    })

    it('refuses other trustors (403), undelegatable roles (404), bad dates (400), unknown trusts (404)', async () => {
      const forged = await h.request('POST', '/v3/OS-TRUST/trusts', {
        token: carol.token,
        body: {
          trust: { trustor_user_id: trustor.id, trustee_user_id: carol.id, impersonation: false },
        },
      })
      assert.equal(forged.status, 403)
      const adminRole = await createTrust({ roles: [{ name: 'admin' }] })
      assert.equal(adminRole.status, 404)
      assert.equal((await createTrust({ expires_at: 'bad.123Z' })).status, 400)
      assert.equal((await createTrust({ expires_at: '2000-01-01T00:00:00Z' })).status, 400)
      assert.equal((await createTrust({ roles: [] })).status, 403)
      assert.equal((await createTrust({ trustee_user_id: 'nobody' })).status, 404)
      assert.equal((await createTrust({ impersonation: 'True' })).status, 400)
      assert.equal(
        (await h.request('GET', '/v3/OS-TRUST/trusts/nope', { token: trustor.token })).status,
        404,
      )
    })

    it('issues trust-scoped tokens to the trustee only, until the trust expires, is used up or deleted', async () => {
      const t = (await createTrust({ remaining_uses: 2 })).body.trust
      const res = await trustAuth(trustee, t.id)
      assert.equal(res.status, 201)
      const tok = res.body.token
      assert.deepEqual(tok['OS-TRUST:trust'], {
        id: t.id,
        trustor_user: { id: trustor.id },
        trustee_user: { id: trustee.id },
        impersonation: true,
      })
      assert.equal(tok.user.id, trustor.id)
      assert.equal(tok.project.id, projectId)
      assert.equal(tok.is_domain, undefined)
      assert.deepEqual(
        tok.roles.map((r: { name: string }) => r.name),
        ['DelegatedRole'],
      )
      assert.ok(
        'description' in tok.roles[0] && 'options' in tok.roles[0] && 'domain_id' in tok.roles[0],
      )
      const trustToken = String(res.headers['x-subject-token'])
      // Delegated tokens may not reach credentials.
      const creds = await h.request('GET', `/v3/users/${trustor.id}/credentials/OS-EC2`, {
        token: trustToken,
      })
      assert.equal(creds.status, 403)
      const appCred = await h.request('POST', `/v3/users/${trustor.id}/application_credentials`, {
        token: trustToken,
        body: { application_credential: { name: 'via-trust' } },
      })
      assert.equal(appCred.status, 403)

      assert.equal((await trustAuth(carol, t.id)).status, 403)
      assert.equal((await trustAuth(trustee, t.id)).status, 201)
      assert.equal((await trustAuth(trustee, t.id)).status, 401) // both uses consumed

      const t2 = (await createTrust({ impersonation: false })).body.trust
      const tok2 = String((await trustAuth(trustee, t2.id)).headers['x-subject-token'])
      const validate = () =>
        h.request('GET', '/v3/auth/tokens', {
          token: h.adminToken,
          headers: { 'x-subject-token': tok2 },
        })
      assert.equal((await validate()).status, 200)
      assert.equal((await validate()).body.token.user.id, trustee.id)
      await h.db
        .updateTable('trust')
        .set({ expires_at: '2000-01-01T00:00:00.000000Z' })
        .where('id', '=', t2.id)
        .execute()
      assert.equal((await trustAuth(trustee, t2.id)).status, 401)
      assert.equal((await validate()).status, 404)

      const t3 = (await createTrust({ impersonation: false, remaining_uses: 5 })).body.trust
      const tok3 = String((await trustAuth(trustee, t3.id)).headers['x-subject-token'])
      assert.equal((await h.request('GET', '/v3/auth/projects', { token: tok3 })).status, 200)
      assert.equal(
        (await h.request('DELETE', `/v3/OS-TRUST/trusts/${t3.id}`, { token: h.adminToken })).status,
        204,
      )
      assert.equal((await h.request('GET', '/v3/auth/projects', { token: tok3 })).status, 401)
      const events = await h.request('GET', '/v3/OS-REVOKE/events', { token: h.adminToken })
      assert.equal(events.status, 200)
      const ev = events.body.events.find(
        (e: Record<string, unknown>) => e['OS-TRUST:trust_id'] === t3.id,
      )
      assert.match(ev.issued_before, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$/)
      assert.equal(
        (await h.request('GET', '/v3/OS-REVOKE/events', { token: trustee.token })).status,
        403,
      )
      assert.equal(
        (await h.request('GET', '/v3/OS-REVOKE/events?since=garbage', { token: h.adminToken }))
          .status,
        400,
      )
    })

    it('supports redelegation within the parent trust’s limits', async () => {
      const parent = (await createTrust({ allow_redelegation: true, redelegation_count: 2 })).body
        .trust
      assert.equal(parent.redelegation_count, 2)
      const tok = String((await trustAuth(trustee, parent.id)).headers['x-subject-token'])
      // Impersonating: the token acts as the trustor, who may redelegate to someone else.
      const child = await h.request('POST', '/v3/OS-TRUST/trusts', {
        token: tok,
        body: {
          trust: {
            trustor_user_id: trustor.id,
            trustee_user_id: carol.id,
            project_id: projectId,
            roles: [{ name: 'DelegatedRole' }],
            impersonation: true,
            allow_redelegation: true,
          },
        },
      })
      assert.equal(child.status, 201)
      assert.equal(child.body.trust.redelegated_trust_id, parent.id)
      assert.equal(child.body.trust.redelegation_count, 1)
      assert.equal(
        (await h.request('DELETE', `/v3/OS-TRUST/trusts/${parent.id}`, { token: trustor.token }))
          .status,
        204,
      )
      assert.equal(
        (
          await h.request('GET', `/v3/OS-TRUST/trusts/${child.body.trust.id}`, {
            token: h.adminToken,
          })
        ).status,
        404,
      )
    })
  })

  describe('OS-OAUTH1 consumers', () => {
    it('creates (secret once), shows, updates, lists and deletes consumers; admin only', async () => {
      const res = await h.request('POST', '/v3/OS-OAUTH1/consumers', {
        token: h.adminToken,
        body: { consumer: { description: 'c1' } },
      })
      assert.equal(res.status, 201)
      const c = res.body.consumer
      assert.match(c.secret, /^[0-9a-f]{32}$/)
      const get = await h.request('GET', `/v3/OS-OAUTH1/consumers/${c.id}`, { token: h.adminToken })
      assert.deepEqual(get.body.consumer, { id: c.id, description: 'c1', links: c.links })
      assert.equal(c.links.self, `http://localhost:80/v3/OS-OAUTH1/consumers/${c.id}`)
      const patched = await h.request('PATCH', `/v3/OS-OAUTH1/consumers/${c.id}`, {
        token: h.adminToken,
        body: { consumer: { description: 'c2' } },
      })
      assert.equal(patched.body.consumer.description, 'c2')
      const secret = await h.request('PATCH', `/v3/OS-OAUTH1/consumers/${c.id}`, {
        token: h.adminToken,
        body: { consumer: { secret: 'x' } },
      })
      assert.equal(secret.status, 400)
      const noDesc = await h.request('POST', '/v3/OS-OAUTH1/consumers', {
        token: h.adminToken,
        body: {},
      })
      assert.equal(noDesc.status, 201)
      assert.equal(noDesc.body.consumer.description, null)
      const list = await h.request('GET', '/v3/OS-OAUTH1/consumers', { token: h.adminToken })
      assert.equal(list.body.consumers.length, 2)
      assert.equal(
        (await h.request('GET', '/v3/OS-OAUTH1/consumers', { token: alice.token })).status,
        403,
      )
      assert.equal(
        (await h.request('DELETE', `/v3/OS-OAUTH1/consumers/${c.id}`, { token: h.adminToken }))
          .status,
        204,
      )
      const gone = await h.request('GET', `/v3/OS-OAUTH1/consumers/${c.id}`, {
        token: h.adminToken,
      })
      assert.equal(gone.status, 404)
      assert.equal(gone.body.error.message, 'Consumer not found')
    })
  })
})
