/**
 * The real `openstack` CLI against `ostack serve`: every identity command the issue lists, with
 * the fields Keystone's answers have.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { type CloudProcess, startCloud } from '../support/cloud-process.js'
import { openstack, openstackRaw } from '../support/openstack-cli.js'

const keys = (o: object) => Object.keys(o).sort()
// Unique names, so the suite can also run against a long-lived cloud (e.g. real Keystone).
const run = Math.random().toString(36).slice(2, 7)

describe('e2e: openstack CLI against identity', () => {
  let cloud: CloudProcess
  let env: Record<string, string>
  const os = (...args: string[]) => openstack(args, env)
  before(async () => {
    cloud = await startCloud()
    env = cloud.clientEnv
  })
  after(async () => {
    assert.equal(await cloud.stop(), 0, 'ostack serve exits 0 on SIGTERM')
  })

  it('token issue and catalog list', async () => {
    const token = await os('token', 'issue', '-f', 'json')
    assert.deepEqual(keys(token), ['expires', 'id', 'project_id', 'user_id'])
    const catalog = await os('catalog', 'list', '-f', 'json')
    const identity = catalog.find((s: { Type: string }) => s.Type === 'identity')
    assert.equal(identity.Name, 'keystone')
    assert.match(JSON.stringify(identity.Endpoints), /public/)
  })

  it('project create/list/show/set/delete', async () => {
    const p = await os(
      'project',
      'create',
      `e2e-project-${run}`,
      '--description',
      'made by e2e',
      '-f',
      'json',
    )
    assert.deepEqual(keys(p), [
      'description',
      'domain_id',
      'enabled',
      'id',
      'is_domain',
      'name',
      'options',
      'parent_id',
      'tags',
    ])
    assert.equal(p.description, 'made by e2e')
    const list = await os('project', 'list', '-f', 'json')
    assert.ok(list.some((x: { Name: string }) => x.Name === `e2e-project-${run}`))
    await os('project', 'set', `e2e-project-${run}`, '--description', 'changed', '--disable')
    const shown = await os('project', 'show', `e2e-project-${run}`, '-f', 'json')
    assert.equal(shown.description, 'changed')
    assert.equal(shown.enabled, false)
    await os('project', 'delete', `e2e-project-${run}`)
    const gone = await openstackRaw(['project', 'show', `e2e-project-${run}`], env)
    assert.notEqual(gone.code, 0)
    assert.match(gone.stderr, /No project with a name or ID of 'e2e-project-\w+' exists/)
  })

  it('user create/set/password set/delete', async () => {
    await os('project', 'create', `e2e-user-project-${run}`)
    const u = await os(
      'user',
      'create',
      `e2e-user-${run}`,
      '--password',
      'first',
      '--email',
      'e2e@example.com',
      '--project',
      `e2e-user-project-${run}`,
      '-f',
      'json',
    )
    assert.deepEqual(keys(u), [
      'default_project_id',
      'domain_id',
      'email',
      'enabled',
      'id',
      'name',
      'options',
      'password_expires_at',
    ])
    await os('user', 'set', `e2e-user-${run}`, '--email', 'new@example.com')
    assert.equal(
      (await os('user', 'show', `e2e-user-${run}`, '-f', 'json')).email,
      'new@example.com',
    )
    await os(
      'role',
      'add',
      '--user',
      `e2e-user-${run}`,
      '--project',
      `e2e-user-project-${run}`,
      'member',
    )
    const userEnv = {
      OS_AUTH_URL: cloud.authUrl,
      OS_USERNAME: `e2e-user-${run}`,
      OS_PASSWORD: 'first',
      OS_PROJECT_NAME: `e2e-user-project-${run}`,
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_IDENTITY_API_VERSION: '3',
      OS_CLOUD: '',
      OS_CLIENT_CONFIG_FILE: '/dev/null',
    }
    await openstack(
      ['user', 'password', 'set', '--original-password', 'first', '--password', 'second'],
      userEnv,
    )
    const old = await openstackRaw(['token', 'issue', '-f', 'json'], userEnv)
    assert.notEqual(old.code, 0, 'the old password no longer works')
    const fresh = await openstack(['token', 'issue', '-f', 'json'], {
      ...userEnv,
      OS_PASSWORD: 'second',
    })
    assert.equal(fresh.user_id, u.id)
    await os('user', 'delete', `e2e-user-${run}`)
    assert.notEqual((await openstackRaw(['user', 'show', `e2e-user-${run}`], env)).code, 0)
  })

  it('group create, group add user, role create/add/remove, assignment list --names', async () => {
    const g = await os('group', 'create', `e2e-group-${run}`, '-f', 'json')
    assert.deepEqual(keys(g), ['description', 'domain_id', 'id', 'name'])
    await os('user', 'create', `e2e-member-${run}`, '--password', 'pw')
    await os('group', 'add', 'user', `e2e-group-${run}`, `e2e-member-${run}`)
    assert.ok(
      (await os('user', 'list', '--group', `e2e-group-${run}`, '-f', 'json')).some(
        (x: { Name: string }) => x.Name === `e2e-member-${run}`,
      ),
    )
    const role = await os('role', 'create', `e2e-role-${run}`, '-f', 'json')
    assert.deepEqual(keys(role), ['description', 'domain_id', 'id', 'name', 'options'])
    await os('role', 'add', '--group', `e2e-group-${run}`, '--project', 'admin', `e2e-role-${run}`)
    await os('role', 'add', '--user', `e2e-member-${run}`, '--project', 'admin', 'member')
    const names = await os(
      'role',
      'assignment',
      'list',
      '--project',
      'admin',
      '--names',
      '-f',
      'json',
    )
    assert.ok(
      names.some(
        (a: Record<string, string>) =>
          a.Role === `e2e-role-${run}` &&
          a.Group === `e2e-group-${run}@Default` &&
          a.Project === 'admin@Default',
      ),
    )
    assert.ok(
      names.some(
        (a: Record<string, string>) =>
          a.Role === 'member' && a.User === `e2e-member-${run}@Default`,
      ),
    )
    await os(
      'role',
      'remove',
      '--group',
      `e2e-group-${run}`,
      '--project',
      'admin',
      `e2e-role-${run}`,
    )
    const after = await os(
      'role',
      'assignment',
      'list',
      '--project',
      'admin',
      '--names',
      '-f',
      'json',
    )
    assert.ok(!after.some((a: Record<string, string>) => a.Role === `e2e-role-${run}`))
  })

  it('region create, service create/list, endpoint create/list', async () => {
    const region = await os(
      'region',
      'create',
      `RegionTwo-${run}`,
      '--description',
      'second',
      '-f',
      'json',
    )
    assert.deepEqual(keys(region), ['description', 'enabled', 'parent_region', 'region'])
    const svc = await os(
      'service',
      'create',
      '--name',
      `e2e-svc-${run}`,
      '--description',
      'e2e',
      `e2e-type-${run}`,
      '-f',
      'json',
    )
    assert.deepEqual(keys(svc), ['description', 'enabled', 'id', 'name', 'type'])
    assert.ok(
      (await os('service', 'list', '-f', 'json')).some(
        (s: { Name: string }) => s.Name === `e2e-svc-${run}`,
      ),
    )
    const ep = await os(
      'endpoint',
      'create',
      '--region',
      `RegionTwo-${run}`,
      `e2e-type-${run}`,
      'public',
      'http://e2e.example:1234/v1',
      '-f',
      'json',
    )
    assert.deepEqual(keys(ep), [
      'enabled',
      'id',
      'interface',
      'region',
      'region_id',
      'service_id',
      'service_name',
      'service_type',
      'url',
    ])
    const eps = await os('endpoint', 'list', '--service', `e2e-type-${run}`, '-f', 'json')
    assert.equal(eps.length, 1)
    assert.equal(eps[0].URL, 'http://e2e.example:1234/v1')
  })

  it('application credential create, then authenticate with it', async () => {
    const ac = await os('application', 'credential', 'create', `e2e-ac-${run}`, '-f', 'json')
    assert.ok(ac.secret)
    const acEnv = {
      OS_AUTH_URL: cloud.authUrl,
      OS_AUTH_TYPE: 'v3applicationcredential',
      OS_APPLICATION_CREDENTIAL_ID: ac.id,
      OS_APPLICATION_CREDENTIAL_SECRET: ac.secret,
      OS_IDENTITY_API_VERSION: '3',
      OS_CLOUD: '',
      OS_CLIENT_CONFIG_FILE: '/dev/null',
    }
    const token = await openstack(['token', 'issue', '-f', 'json'], acEnv)
    assert.equal(token.project_id, ac.project_id)
    const bad = await openstackRaw(['token', 'issue'], {
      ...acEnv,
      OS_APPLICATION_CREDENTIAL_SECRET: 'wrong',
    })
    assert.notEqual(bad.code, 0)
  })

  it('domain create and set --disable', async () => {
    const d = await os('domain', 'create', `e2e-domain-${run}`, '--description', 'dd', '-f', 'json')
    assert.deepEqual(keys(d), ['description', 'enabled', 'id', 'name', 'options', 'tags'])
    await os('domain', 'set', '--disable', `e2e-domain-${run}`)
    assert.equal((await os('domain', 'show', `e2e-domain-${run}`, '-f', 'json')).enabled, false)
    await os('domain', 'delete', `e2e-domain-${run}`)
  })

  it('a member cannot manage users', async () => {
    await os('project', 'create', `e2e-limited-${run}`)
    await os(
      'user',
      'create',
      `e2e-limited-user-${run}`,
      '--password',
      'pw',
      '--project',
      `e2e-limited-${run}`,
    )
    await os(
      'role',
      'add',
      '--user',
      `e2e-limited-user-${run}`,
      '--project',
      `e2e-limited-${run}`,
      'member',
    )
    const memberEnv = {
      OS_AUTH_URL: cloud.authUrl,
      OS_USERNAME: `e2e-limited-user-${run}`,
      OS_PASSWORD: 'pw',
      OS_PROJECT_NAME: `e2e-limited-${run}`,
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_IDENTITY_API_VERSION: '3',
      OS_CLOUD: '',
      OS_CLIENT_CONFIG_FILE: '/dev/null',
    }
    const r = await openstackRaw(['user', 'create', 'sneaky', '--password', 'x'], memberEnv)
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /HTTP 403/)
  })
})
