import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { type IdentityHarness, startIdentityHarness } from '../support/identity-harness.js'
import { addMember, createGroup } from '../../src/identity/core/groups.js'
import { createDomain, createProject } from '../../src/identity/core/projects.js'
import { createUser } from '../../src/identity/core/users.js'

const PASSWORD = 'pass-word-1'

describe('identity: roles, grants and role assignments', () => {
  let h: IdentityHarness
  let base: string
  let memberToken: string
  let memberProject: string
  let memberRoleId: string
  let n = 0
  const unique = (prefix: string) => `${prefix}-${++n}`

  const admin = (method: string, path: string, body?: unknown) =>
    h.request(method, path, { token: h.adminToken, ...(body === undefined ? {} : { body }) })

  async function role(
    name = unique('role'),
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; name: string }> {
    const res = await admin('POST', '/v3/roles', { role: { name, ...extra } })
    assert.equal(res.status, 201, res.text)
    return res.body.role
  }

  async function user(domain = 'default'): Promise<{ id: string; name: string }> {
    return createUser(h.deps, {
      name: unique('user'),
      domain_id: domain,
      password: PASSWORD,
      extra: {},
    })
  }

  async function project(
    parent?: string,
    domain = 'default',
  ): Promise<{ id: string; name: string }> {
    return createProject(
      h.deps,
      {
        name: unique('project'),
        parent_id: parent,
        domain_id: parent ? undefined : domain,
        extra: {},
      },
      'default',
    )
  }

  const assignments = async (query: string) => {
    const res = await admin('GET', `/v3/role_assignments?${query}`)
    assert.equal(res.status, 200, res.text)
    return res.body.role_assignments as Record<string, any>[]
  }

  before(async () => {
    h = await startIdentityHarness()
    base = 'http://localhost:80/v3'
    const member = await h.db
      .selectFrom('role')
      .select('id')
      .where('name', '=', 'member')
      .executeTakeFirstOrThrow()
    memberRoleId = member.id
    const u = await user()
    memberProject = (await project()).id
    assert.equal(
      (await admin('PUT', `/v3/projects/${memberProject}/users/${u.id}/roles/${memberRoleId}`))
        .status,
      204,
    )
    memberToken = await h.login(
      { name: u.name, password: PASSWORD },
      { project: { id: memberProject } },
    )
  })
  after(() => h.close())

  describe('roles', () => {
    it('creates, shows, lists, updates and deletes a role with Keystone’s dict', async () => {
      const created = await admin('POST', '/v3/roles', { role: { name: 'r-crud', 'x-extra': 1 } })
      assert.equal(created.status, 201)
      const r = created.body.role
      assert.deepEqual(Object.keys(r).sort(), [
        'description',
        'domain_id',
        'id',
        'links',
        'name',
        'options',
        'x_extra',
      ])
      assert.match(r.id, /^[0-9a-f]{32}$/)
      assert.equal(r.domain_id, null)
      assert.equal(r.description, null)
      assert.deepEqual(r.options, {})
      assert.equal(r.links.self, `${base}/roles/${r.id}`)
      assert.deepEqual((await admin('GET', `/v3/roles/${r.id}`)).body.role, r)
      const list = await admin('GET', '/v3/roles')
      assert.deepEqual(list.body.links, { self: `${base}/roles`, previous: null, next: null })
      assert.deepEqual(
        list.body.roles.find((x: { id: string }) => x.id === r.id),
        r,
      )
      const byName = await admin('GET', '/v3/roles?name=r-crud')
      assert.deepEqual(
        byName.body.roles.map((x: { id: string }) => x.id),
        [r.id],
      )
      const patched = await admin('PATCH', `/v3/roles/${r.id}`, {
        role: { name: 'r-crud-2', description: 'd' },
      })
      assert.equal(patched.status, 200)
      assert.equal(patched.body.role.name, 'r-crud-2')
      assert.equal(patched.body.role.description, 'd')
      assert.equal(patched.body.role.x_extra, 1)
      assert.equal((await admin('DELETE', `/v3/roles/${r.id}`)).status, 204)
      const gone = await admin('GET', `/v3/roles/${r.id}`)
      assert.equal(gone.status, 404)
      assert.equal(gone.body.error.message, `Could not find role: ${r.id}.`)
    })

    it('refuses duplicates (409), bad bodies (400) and domain changes (400)', async () => {
      const r = await role('dup-role')
      const dup = await admin('POST', '/v3/roles', { role: { name: 'dup-role' } })
      assert.equal(dup.status, 409)
      assert.equal(
        dup.body.error.message,
        'Conflict occurred attempting to store role - Duplicate entry found with name dup-role.',
      )
      for (const body of [
        { role: { name: '' } },
        { role: { name: 'x', description: null } },
        { role: {} },
        { role: { name: 'x', options: { foo: true } } },
      ])
        assert.equal((await admin('POST', '/v3/roles', body)).status, 400, JSON.stringify(body))
      assert.equal((await admin('PATCH', `/v3/roles/${r.id}`, { role: {} })).status, 400)
      const move = await admin('PATCH', `/v3/roles/${r.id}`, { role: { domain_id: 'default' } })
      assert.equal(move.status, 400)
      assert.equal(move.body.error.message, 'Update of `domain_id` is not allowed.')
      const other = await role()
      assert.equal(
        (await admin('PATCH', `/v3/roles/${other.id}`, { role: { name: 'dup-role' } })).status,
        409,
      )
    })

    it('keeps domain-specific roles out of the global list', async () => {
      const d = await createDomain(h.deps, { name: unique('dom'), extra: {} })
      const dr = await admin('POST', '/v3/roles', {
        role: { name: 'shared-name', domain_id: d.id },
      })
      assert.equal(dr.status, 201)
      assert.equal(dr.body.role.domain_id, d.id)
      assert.equal(
        (await admin('POST', '/v3/roles', { role: { name: 'shared-name' } })).status,
        201,
      )
      const dup = await admin('POST', '/v3/roles', {
        role: { name: 'shared-name', domain_id: d.id },
      })
      assert.equal(
        dup.body.error.message,
        `Conflict occurred attempting to store role - Duplicate entry found with name shared-name at domain ID ${d.id}.`,
      )
      assert.deepEqual((await admin('GET', `/v3/roles?domain_id=${d.id}`)).body.roles, [
        dr.body.role,
      ])
      const global = (await admin('GET', '/v3/roles')).body.roles as { id: string }[]
      assert.ok(!global.some((x) => x.id === dr.body.role.id))
      assert.equal((await admin('DELETE', `/v3/roles/${dr.body.role.id}`)).status, 204)
      assert.deepEqual((await admin('GET', `/v3/roles?domain_id=${d.id}`)).body.roles, [])
    })

    it('protects immutable roles until the option is cleared', async () => {
      const r = await role(unique('imm'), { options: { immutable: true } })
      assert.deepEqual((await admin('GET', `/v3/roles/${r.id}`)).body.role.options, {
        immutable: true,
      })
      const upd = await admin('PATCH', `/v3/roles/${r.id}`, { role: { name: 'other' } })
      assert.equal(upd.status, 403)
      assert.match(upd.body.error.message, /^Unable to update immutable role resource/)
      assert.equal((await admin('DELETE', `/v3/roles/${r.id}`)).status, 403)
      const clear = await admin('PATCH', `/v3/roles/${r.id}`, {
        role: { options: { immutable: null } },
      })
      assert.equal(clear.status, 200)
      assert.deepEqual(clear.body.role.options, {})
      assert.equal((await admin('DELETE', `/v3/roles/${r.id}`)).status, 204)
    })

    it('lets a member do nothing with roles (403), hiding whether they exist', async () => {
      const r = await role()
      const asMember = (method: string, path: string, body?: unknown) =>
        h.request(method, path, { token: memberToken, body })
      assert.equal((await asMember('GET', '/v3/roles')).status, 403)
      assert.equal((await asMember('POST', '/v3/roles', { role: { name: 'nope' } })).status, 403)
      assert.equal((await asMember('POST', '/v3/roles', { role: { name: '' } })).status, 403)
      assert.equal((await asMember('GET', `/v3/roles/${r.id}`)).status, 403)
      assert.equal(
        (await asMember('GET', '/v3/roles/0123456789abcdef0123456789abcdef')).status,
        403,
      )
      assert.equal(
        (await asMember('PATCH', `/v3/roles/${r.id}`, { role: { name: 'x' } })).status,
        403,
      )
      assert.equal((await asMember('DELETE', `/v3/roles/${r.id}`)).status, 403)
      const denied = await asMember('DELETE', `/v3/roles/${r.id}`)
      assert.equal(
        denied.body.error.message,
        'You are not authorized to perform the requested action: identity:delete_role.',
      )
      assert.equal((await h.request('GET', '/v3/roles')).status, 401)
    })
  })

  describe('implied roles', () => {
    it('creates (201), checks (204), shows, lists and deletes a rule', async () => {
      const [a, b, c] = [await role(), await role(), await role()]
      const put = await admin('PUT', `/v3/roles/${a.id}/implies/${b.id}`)
      assert.equal(put.status, 201)
      assert.deepEqual(put.body, {
        role_inference: {
          prior_role: { id: a.id, links: { self: `${base}/roles/${a.id}` }, name: a.name },
          implies: { id: b.id, links: { self: `${base}/roles/${b.id}` }, name: b.name },
        },
        links: { self: `${base}/roles/${a.id}/implies/${b.id}` },
      })
      assert.equal((await admin('PUT', `/v3/roles/${a.id}/implies/${b.id}`)).status, 409)
      const head = await admin('HEAD', `/v3/roles/${a.id}/implies/${b.id}`)
      assert.equal(head.status, 204)
      assert.equal(head.text, '')
      assert.deepEqual((await admin('GET', `/v3/roles/${a.id}/implies/${b.id}`)).body, put.body)
      assert.equal((await admin('PUT', `/v3/roles/${a.id}/implies/${c.id}`)).status, 201)
      assert.equal((await admin('PUT', `/v3/roles/${c.id}/implies/${b.id}`)).status, 201)
      const listed = await admin('GET', `/v3/roles/${a.id}/implies`)
      assert.equal(listed.status, 200)
      assert.deepEqual(listed.body.links, { self: `${base}/roles/${a.id}/implies` })
      assert.deepEqual(
        listed.body.role_inference.implies.map((r: { id: string }) => r.id).sort(),
        [b.id, c.id].sort(),
      )
      const inferences = await admin('GET', '/v3/role_inferences')
      assert.equal(inferences.body.links, undefined)
      const mine = inferences.body.role_inferences.find(
        (i: { prior_role: { id: string } }) => i.prior_role.id === a.id,
      )
      assert.equal(mine.implies.length, 2)
      assert.ok(
        inferences.body.role_inferences.some(
          (i: { prior_role: { name: string } }) => i.prior_role.name === 'admin',
        ),
      )
      assert.equal((await admin('DELETE', `/v3/roles/${a.id}/implies/${b.id}`)).status, 204)
      const gone = await admin('GET', `/v3/roles/${a.id}/implies/${b.id}`)
      assert.equal(gone.status, 404)
      assert.equal(gone.body.error.message, `${a.id} does not imply ${b.id}.`)
      assert.equal((await admin('DELETE', `/v3/roles/${a.id}/implies/${b.id}`)).status, 404)
      assert.equal((await admin('HEAD', `/v3/roles/${a.id}/implies/${b.id}`)).status, 404)
    })

    it('refuses implying admin or a domain role from a global one (403), unknown roles (404)', async () => {
      const d = await createDomain(h.deps, { name: unique('dom'), extra: {} })
      const other = await createDomain(h.deps, { name: unique('dom'), extra: {} })
      const g = await role()
      const d1 = await role(unique('dr'), { domain_id: d.id })
      const d2 = await role(unique('dr'), { domain_id: other.id })
      const adminRole = await h.db
        .selectFrom('role')
        .select('id')
        .where('name', '=', 'admin')
        .executeTakeFirstOrThrow()
      const toAdmin = await admin('PUT', `/v3/roles/${g.id}/implies/${adminRole.id}`)
      assert.equal(toAdmin.status, 403)
      assert.equal(toAdmin.body.error.message, `${adminRole.id} cannot be an implied roles.`)
      assert.equal((await admin('PUT', `/v3/roles/${g.id}/implies/${d1.id}`)).status, 403)
      assert.equal((await admin('PUT', `/v3/roles/${d1.id}/implies/${d2.id}`)).status, 201)
      assert.equal((await admin('PUT', `/v3/roles/${d2.id}/implies/${g.id}`)).status, 201)
      const missing = '0123456789abcdef0123456789abcdef'
      assert.equal((await admin('PUT', `/v3/roles/${missing}/implies/${g.id}`)).status, 404)
      // Both roles are looked up before policy: a member learns 404 for unknown ids, 403 otherwise.
      assert.equal(
        (await h.request('GET', `/v3/roles/${missing}/implies`, { token: memberToken })).status,
        404,
      )
      assert.equal(
        (await h.request('GET', `/v3/roles/${g.id}/implies`, { token: memberToken })).status,
        403,
      )
      assert.equal(
        (await h.request('PUT', `/v3/roles/${g.id}/implies/${d1.id}`, { token: memberToken }))
          .status,
        403,
      )
      assert.equal(
        (await h.request('GET', '/v3/role_inferences', { token: memberToken })).status,
        403,
      )
    })
  })

  describe('grants', () => {
    it('grants, lists, checks and revokes a user role on a project', async () => {
      const [u, p, r] = [await user(), await project(), await role()]
      const path = `/v3/projects/${p.id}/users/${u.id}/roles`
      const put = await admin('PUT', `${path}/${r.id}`)
      assert.equal(put.status, 204)
      assert.equal(put.text, '')
      assert.equal((await admin('PUT', `${path}/${r.id}`)).status, 204)
      const list = await admin('GET', path)
      assert.equal(list.status, 200)
      assert.deepEqual(
        list.body.roles.map((x: { id: string }) => x.id),
        [r.id],
      )
      assert.deepEqual(list.body.roles[0], (await admin('GET', `/v3/roles/${r.id}`)).body.role)
      assert.deepEqual(list.body.links, {
        self: `${base}/projects/${p.id}/users/${u.id}/roles`,
        previous: null,
        next: null,
      })
      const head = await admin('HEAD', `${path}/${r.id}`)
      assert.equal(head.status, 204)
      assert.equal(head.text, '')
      assert.equal((await admin('GET', `${path}/${r.id}`)).status, 204)
      assert.equal((await admin('DELETE', `${path}/${r.id}`)).status, 204)
      const again = await admin('DELETE', `${path}/${r.id}`)
      assert.equal(again.status, 404)
      assert.equal(
        again.body.error.message,
        `Could not find role assignment with role: ${r.id}, user or group: ${u.id}, project, domain, or system: ${p.id}.`,
      )
      assert.equal((await admin('HEAD', `${path}/${r.id}`)).status, 404)
      assert.deepEqual((await admin('GET', path)).body.roles, [])
    })

    it('answers 404 for unknown role, user, group, project or domain, even to a member', async () => {
      const [u, p, r] = [await user(), await project(), await role()]
      const x = '0123456789abcdef0123456789abcdef'
      for (const path of [
        `/v3/projects/${p.id}/users/${u.id}/roles/${x}`,
        `/v3/projects/${p.id}/users/${x}/roles/${r.id}`,
        `/v3/projects/${x}/users/${u.id}/roles/${r.id}`,
        `/v3/projects/${p.id}/groups/${x}/roles/${r.id}`,
        `/v3/domains/${x}/users/${u.id}/roles/${r.id}`,
        `/v3/system/users/${x}/roles/${r.id}`,
        `/v3/system/users/${u.id}/roles/${x}`,
      ]) {
        assert.equal((await admin('PUT', path)).status, 404, path)
        assert.equal((await h.request('PUT', path, { token: memberToken })).status, 404, path)
      }
      const miss = await admin('PUT', `/v3/projects/${p.id}/users/${u.id}/roles/${x}`)
      assert.equal(miss.body.error.message, `Could not find role: ${x}.`)
      // OS-INHERIT paths let policy decide first; an admin then learns 404.
      const inherit = `/v3/OS-INHERIT/domains/${x}/users/${u.id}/roles/${r.id}/inherited_to_projects`
      assert.equal((await h.request('PUT', inherit, { token: memberToken })).status, 403)
      assert.equal((await admin('PUT', inherit)).status, 404)
      assert.equal(
        (
          await admin(
            'PUT',
            `/v3/OS-INHERIT/domains/default/users/${u.id}/roles/${x}/inherited_to_projects`,
          )
        ).status,
        404,
      )
    })

    it('refuses a member (403) on grants of existing entities', async () => {
      const [u, p, r] = [await user(), await project(), await role()]
      for (const [method, path] of [
        ['PUT', `/v3/projects/${p.id}/users/${u.id}/roles/${r.id}`],
        ['GET', `/v3/projects/${p.id}/users/${u.id}/roles`],
        ['HEAD', `/v3/projects/${p.id}/users/${u.id}/roles/${r.id}`],
        ['DELETE', `/v3/projects/${p.id}/users/${u.id}/roles/${r.id}`],
        ['PUT', `/v3/system/users/${u.id}/roles/${r.id}`],
        ['PUT', `/v3/domains/default/users/${u.id}/roles/${r.id}`],
      ] as const)
        assert.equal(
          (await h.request(method, path, { token: memberToken })).status,
          403,
          `${method} ${path}`,
        )
    })

    it('grants to groups and on domains and the system', async () => {
      const [g, r] = [
        await createGroup(h.deps, { name: unique('grp'), domain_id: 'default', extra: {} }),
        await role(),
      ]
      const u = await user()
      for (const path of [
        `/v3/domains/default/groups/${g.id}/roles`,
        `/v3/domains/default/users/${u.id}/roles`,
        `/v3/system/groups/${g.id}/roles`,
        `/v3/system/users/${u.id}/roles`,
      ]) {
        assert.equal((await admin('PUT', `${path}/${r.id}`)).status, 204, path)
        assert.deepEqual(
          (await admin('GET', path)).body.roles.map((x: { id: string }) => x.id),
          [r.id],
          path,
        )
        assert.equal((await admin('HEAD', `${path}/${r.id}`)).status, 204, path)
        assert.equal((await admin('DELETE', `${path}/${r.id}`)).status, 204, path)
        assert.equal((await admin('GET', `${path}/${r.id}`)).status, 404, path)
      }
    })

    it('keeps domain-specific roles in their domain and off the system', async () => {
      const d = await createDomain(h.deps, { name: unique('dom'), extra: {} })
      const dr = await role(unique('dr'), { domain_id: d.id })
      const [u, p] = [await user(), await project()]
      const foreign = await admin('PUT', `/v3/projects/${p.id}/users/${u.id}/roles/${dr.id}`)
      assert.equal(foreign.status, 403)
      assert.equal(
        foreign.body.error.message,
        `Project ${p.id} must be in the same domain as the role ${dr.id} being assigned.`,
      )
      const own = await project(undefined, d.id)
      assert.equal(
        (await admin('PUT', `/v3/projects/${own.id}/users/${u.id}/roles/${dr.id}`)).status,
        204,
      )
      assert.equal((await admin('PUT', `/v3/system/users/${u.id}/roles/${dr.id}`)).status, 400)
      // A domain role is never effective by itself (Tempest test_assignments_for_domain_roles).
      assert.deepEqual(
        await assignments(`scope.project.id=${own.id}&user.id=${u.id}&effective`),
        [],
      )
    })

    it('gives a token the role granted to its user’s group, and nothing more', async () => {
      const g = await createGroup(h.deps, { name: unique('grp'), domain_id: 'default', extra: {} })
      const [u, p, r] = [await user(), await project(), await role()]
      assert.equal(
        (await admin('PUT', `/v3/projects/${p.id}/groups/${g.id}/roles/${r.id}`)).status,
        204,
      )
      await addMember(h.deps, g.id, u.id)
      const res = await h.request('POST', '/v3/auth/tokens', {
        body: {
          auth: {
            identity: {
              methods: ['password'],
              password: { user: { id: u.id, password: PASSWORD } },
            },
            scope: { project: { name: p.name, domain: { name: 'Default' } } },
          },
        },
      })
      assert.equal(res.status, 201, res.text)
      assert.deepEqual(res.body.token.roles, [{ id: r.id, name: r.name }])
    })
  })

  describe('inheritance', () => {
    it('gives a child project token the role inherited from the domain', async () => {
      const d = await createDomain(h.deps, { name: unique('dom'), extra: {} })
      const u = await user(d.id)
      const root = await project(undefined, d.id)
      const child = await project(root.id)
      const r = await role()
      const path = `/v3/OS-INHERIT/domains/${d.id}/users/${u.id}/roles`
      assert.equal((await admin('PUT', `${path}/${r.id}/inherited_to_projects`)).status, 204)
      const list = await admin('GET', `${path}/inherited_to_projects`)
      assert.deepEqual(
        list.body.roles.map((x: { id: string }) => x.id),
        [r.id],
      )
      assert.deepEqual(
        (await admin('GET', `/v3/domains/${d.id}/users/${u.id}/roles`)).body.roles,
        [],
      )
      assert.equal((await admin('HEAD', `${path}/${r.id}/inherited_to_projects`)).status, 204)
      const token = await h.login(
        { name: u.name, password: PASSWORD, domain: d.id },
        { project: { id: child.id } },
      )
      const validated = await h.request('GET', '/v3/auth/tokens', {
        token: h.adminToken,
        headers: { 'x-subject-token': token },
      })
      assert.deepEqual(validated.body.token.roles, [{ id: r.id, name: r.name }])
      for (const p of [root, child]) {
        const entries = await assignments(`scope.project.id=${p.id}&user.id=${u.id}&effective`)
        assert.deepEqual(entries, [
          {
            links: {
              assignment: `${base}/OS-INHERIT/domains/${d.id}/users/${u.id}/roles/${r.id}/inherited_to_projects`,
            },
            scope: { project: { id: p.id }, 'OS-INHERIT:inherited_to': 'projects' },
            user: { id: u.id },
            role: { id: r.id },
          },
        ])
      }
      const direct = await assignments(`user.id=${u.id}`)
      assert.deepEqual(
        direct.map((e) => e.scope),
        [{ domain: { id: d.id }, 'OS-INHERIT:inherited_to': 'projects' }],
      )
      assert.equal((await admin('DELETE', `${path}/${r.id}/inherited_to_projects`)).status, 204)
      assert.deepEqual(
        await assignments(`scope.project.id=${child.id}&user.id=${u.id}&effective`),
        [],
      )
      const after = await h.request('GET', '/v3/auth/tokens', {
        token: h.adminToken,
        headers: { 'x-subject-token': token },
      })
      assert.equal(after.status, 404)
    })

    it('applies a project-level inherited grant to the projects below only', async () => {
      const g = await createGroup(h.deps, { name: unique('grp'), domain_id: 'default', extra: {} })
      const u = await user()
      await addMember(h.deps, g.id, u.id)
      const parent = await project()
      const leaf = await project(parent.id)
      const r = await role()
      const path = `/v3/OS-INHERIT/projects/${parent.id}/groups/${g.id}/roles/${r.id}/inherited_to_projects`
      assert.equal((await admin('PUT', path)).status, 204)
      assert.equal((await admin('HEAD', path)).status, 204)
      assert.deepEqual(
        await assignments(`scope.project.id=${parent.id}&user.id=${u.id}&effective`),
        [],
      )
      const onLeaf = await assignments(`scope.project.id=${leaf.id}&user.id=${u.id}&effective`)
      assert.deepEqual(onLeaf, [
        {
          links: {
            membership: `${base}/groups/${g.id}/users/${u.id}`,
            assignment: `${base}/OS-INHERIT/projects/${parent.id}/groups/${g.id}/roles/${r.id}/inherited_to_projects`,
          },
          scope: { project: { id: leaf.id }, 'OS-INHERIT:inherited_to': 'projects' },
          user: { id: u.id },
          role: { id: r.id },
        },
      ])
      assert.equal((await admin('DELETE', path)).status, 204)
      assert.equal((await admin('DELETE', path)).status, 404)
      assert.deepEqual(
        await assignments(`scope.project.id=${leaf.id}&user.id=${u.id}&effective`),
        [],
      )
    })
  })

  describe('role assignments', () => {
    it('expands implied roles in effective mode, with Keystone’s links', async () => {
      const [u, p, r0, r1] = [await user(), await project(), await role(), await role()]
      assert.equal(
        (await admin('PUT', `/v3/projects/${p.id}/users/${u.id}/roles/${r0.id}`)).status,
        204,
      )
      assert.equal((await admin('PUT', `/v3/roles/${r0.id}/implies/${r1.id}`)).status, 201)
      const res = await admin(
        'GET',
        `/v3/role_assignments?scope.project.id=${p.id}&user.id=${u.id}&effective`,
      )
      assert.deepEqual(res.body, {
        role_assignments: [
          {
            links: { assignment: `${base}/projects/${p.id}/users/${u.id}/roles/${r0.id}` },
            scope: { project: { id: p.id } },
            user: { id: u.id },
            role: { id: r0.id },
          },
          {
            links: {
              assignment: `${base}/projects/${p.id}/users/${u.id}/roles/${r0.id}`,
              prior_role: `${base}/prior_role/${r1.id}/implies/${r0.id}`,
            },
            scope: { project: { id: p.id } },
            user: { id: u.id },
            role: { id: r1.id },
          },
        ],
        links: {
          self: `${base}/role_assignments?scope.project.id=${p.id}&user.id=${u.id}&effective`,
          previous: null,
          next: null,
        },
      })
      assert.equal((await assignments(`scope.project.id=${p.id}&user.id=${u.id}`)).length, 1)
      assert.equal(
        (await assignments(`scope.project.id=${p.id}&user.id=${u.id}&effective&role.id=${r1.id}`))
          .length,
        1,
      )
      assert.equal((await admin('DELETE', `/v3/roles/${r0.id}/implies/${r1.id}`)).status, 204)
      assert.equal(
        (await assignments(`scope.project.id=${p.id}&user.id=${u.id}&effective`)).length,
        1,
      )
    })

    it('adds names with include_names and expands groups to members', async () => {
      const d = await createDomain(h.deps, { name: unique('dom'), extra: {} })
      const g = await createGroup(h.deps, { name: unique('grp'), domain_id: d.id, extra: {} })
      const u = await user(d.id)
      await addMember(h.deps, g.id, u.id)
      const dr = await role(unique('dr'), { domain_id: d.id })
      const r = await role()
      assert.equal(
        (await admin('PUT', `/v3/domains/${d.id}/groups/${g.id}/roles/${r.id}`)).status,
        204,
      )
      assert.equal(
        (await admin('PUT', `/v3/domains/${d.id}/groups/${g.id}/roles/${dr.id}`)).status,
        204,
      )
      const named = await assignments(`group.id=${g.id}&include_names&role.id=${dr.id}`)
      assert.deepEqual(named, [
        {
          links: { assignment: `${base}/domains/${d.id}/groups/${g.id}/roles/${dr.id}` },
          scope: { domain: { id: d.id, name: d.name } },
          group: { id: g.id, name: g.name, domain: { id: d.id, name: d.name } },
          role: { id: dr.id, name: dr.name, domain: { id: d.id, name: d.name } },
        },
      ])
      const effective = await assignments(`user.id=${u.id}&effective&include_names=1`)
      assert.deepEqual(effective, [
        {
          links: {
            membership: `${base}/groups/${g.id}/users/${u.id}`,
            assignment: `${base}/domains/${d.id}/groups/${g.id}/roles/${r.id}`,
          },
          scope: { domain: { id: d.id, name: d.name } },
          user: { id: u.id, name: u.name, domain: { id: d.id, name: d.name } },
          role: { id: r.id, name: r.name },
        },
      ])
      assert.equal(
        (await assignments(`user.id=${u.id}&effective&include_names=0`))[0]?.user.name,
        undefined,
      )
    })

    it('lists system grants unless a project or domain is asked for, never in effective mode', async () => {
      const [u, p, r] = [await user(), await project(), await role()]
      assert.equal((await admin('PUT', `/v3/system/users/${u.id}/roles/${r.id}`)).status, 204)
      assert.equal(
        (await admin('PUT', `/v3/projects/${p.id}/users/${u.id}/roles/${r.id}`)).status,
        204,
      )
      const all = await assignments(`user.id=${u.id}`)
      assert.deepEqual(
        all.map((e) => e.scope).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
        [{ project: { id: p.id } }, { system: { all: true } }],
      )
      const system = await assignments(`user.id=${u.id}&scope.system=all`)
      assert.deepEqual(system, [
        {
          links: { assignment: `${base}/system/users/${u.id}/roles/${r.id}` },
          scope: { system: { all: true } },
          user: { id: u.id },
          role: { id: r.id },
        },
      ])
      assert.equal((await assignments(`user.id=${u.id}&effective`)).length, 1)
    })

    it('refuses meaningless filter combinations (400) and members (403)', async () => {
      for (const query of [
        'scope.project.id=a&scope.domain.id=b',
        'scope.system=all&scope.domain.id=b',
        'scope.system=all&scope.project.id=a',
        'user.id=a&group.id=b',
        'group.id=b&effective',
        'scope.domain.id=b&scope.OS-INHERIT:inherited_to=projects&effective',
      ]) {
        const res = await admin('GET', `/v3/role_assignments?${query}`)
        assert.equal(res.status, 400, query)
      }
      const noProject = await admin('GET', '/v3/role_assignments?include_subtree')
      assert.equal(
        noProject.body.error.message,
        'scope.project.id must be specified if include_subtree is also specified',
      )
      assert.equal(
        (await admin('GET', '/v3/role_assignments?include_subtree&scope.project.id=nope')).status,
        404,
      )
      assert.equal(
        (await h.request('GET', '/v3/role_assignments', { token: memberToken })).status,
        403,
      )
    })

    it('includes the subtree of a project with include_subtree', async () => {
      const [u, parent, r] = [await user(), await project(), await role()]
      const child = await project(parent.id)
      assert.equal(
        (await admin('PUT', `/v3/projects/${child.id}/users/${u.id}/roles/${r.id}`)).status,
        204,
      )
      assert.deepEqual(await assignments(`scope.project.id=${parent.id}`), [])
      const tree = await assignments(`scope.project.id=${parent.id}&include_subtree`)
      assert.deepEqual(
        tree.map((e) => e.scope.project.id),
        [child.id],
      )
    })
  })

  it('deletes a role’s grants and rules with it, and tokens relying on it stop working', async () => {
    const [u, p, r, implied] = [await user(), await project(), await role(), await role()]
    assert.equal(
      (await admin('PUT', `/v3/projects/${p.id}/users/${u.id}/roles/${r.id}`)).status,
      204,
    )
    assert.equal((await admin('PUT', `/v3/roles/${r.id}/implies/${implied.id}`)).status, 201)
    const token = await h.login({ name: u.name, password: PASSWORD }, { project: { id: p.id } })
    assert.equal((await admin('DELETE', `/v3/roles/${r.id}`)).status, 204)
    assert.deepEqual(await assignments(`user.id=${u.id}`), [])
    const rules = (await admin('GET', '/v3/role_inferences')).body.role_inferences as {
      prior_role: { id: string }
    }[]
    assert.ok(!rules.some((i) => i.prior_role.id === r.id))
    assert.equal(
      (
        await h.request('GET', '/v3/auth/tokens', {
          token: h.adminToken,
          headers: { 'x-subject-token': token },
        })
      ).status,
      404,
    )
  })
})
