import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'

type Json = Record<string, any>

const ALL = [
  'cores',
  'fixed_ips',
  'floating_ips',
  'injected_file_content_bytes',
  'injected_file_path_bytes',
  'injected_files',
  'instances',
  'key_pairs',
  'metadata_items',
  'ram',
  'security_group_rules',
  'security_groups',
  'server_group_members',
  'server_groups',
]
const NETWORK = ['fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups']
const PERSONALITY = ['injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files']
const without = (keys: string[], drop: string[]) => keys.filter((k) => !drop.includes(k))
const keysOf = (o: Json) => Object.keys(o).sort()

describe('compute limits and quotas', () => {
  let h: ComputeHarness
  let alice: { userId: string; projectId: string; token: string }
  before(async () => {
    h = await startComputeHarness()
    alice = await h.member('alice')
  })
  after(async () => h.close())

  const addServerGroup = (projectId: string, userId: string) =>
    h.service.deps.db
      .insertInto('server_group')
      .values({
        id: randomUUID(),
        name: 'g',
        project_id: projectId,
        user_id: userId,
        policy: 'affinity',
        rules: '{}',
        created_at: new Date().toISOString(),
      })
      .execute()

  describe('GET /limits', () => {
    it('shows the absolute limits and usage with the key set of each band', async () => {
      const base = [
        'maxServerGroupMembers',
        'maxServerGroups',
        'maxServerMeta',
        'maxTotalCores',
        'maxTotalInstances',
        'maxTotalKeypairs',
        'maxTotalRAMSize',
        'totalCoresUsed',
        'totalInstancesUsed',
        'totalRAMUsed',
        'totalServerGroupsUsed',
      ]
      const bands: [string, string[]][] = [
        [
          '2.1',
          [
            ...base,
            'maxImageMeta',
            'maxPersonality',
            'maxPersonalitySize',
            'maxSecurityGroupRules',
            'maxSecurityGroups',
            'maxTotalFloatingIps',
            'totalFloatingIpsUsed',
            'totalSecurityGroupsUsed',
          ],
        ],
        ['2.36', [...base, 'maxImageMeta', 'maxPersonality', 'maxPersonalitySize']],
        ['2.39', [...base, 'maxPersonality', 'maxPersonalitySize']],
        ['2.57', base],
      ]
      for (const [mv, keys] of bands) {
        const res = await h.request('GET', '/v2.1/limits', { token: alice.token, microversion: mv })
        assert.equal(res.status, 200)
        assert.deepEqual(res.body.limits.rate, [])
        assert.deepEqual(keysOf(res.body.limits.absolute), keys.sort(), mv)
      }
      const res = await h.request('GET', '/v2.1/limits', { token: alice.token })
      assert.deepEqual(res.body.limits.absolute, {
        maxTotalRAMSize: 51200,
        maxTotalInstances: 10,
        maxTotalCores: 20,
        maxTotalKeypairs: 100,
        maxTotalFloatingIps: -1,
        maxServerMeta: 128,
        maxImageMeta: 128,
        maxPersonality: 5,
        maxPersonalitySize: 10240,
        maxSecurityGroups: -1,
        maxSecurityGroupRules: -1,
        maxServerGroups: 10,
        maxServerGroupMembers: 10,
        totalRAMUsed: 0,
        totalCoresUsed: 0,
        totalInstancesUsed: 0,
        totalFloatingIpsUsed: 0,
        totalSecurityGroupsUsed: 0,
        totalServerGroupsUsed: 0,
      })
    })

    it('counts usage and shows other projects to admins only', async () => {
      const bob = await h.member('bob')
      await addServerGroup(bob.projectId, bob.userId)
      await h.request('PUT', `/v2.1/os-quota-sets/${bob.projectId}`, {
        body: { quota_set: { cores: 7 } },
      })
      const own = await h.request('GET', '/v2.1/limits', { token: bob.token })
      assert.equal(own.body.limits.absolute.totalServerGroupsUsed, 1)
      assert.equal(own.body.limits.absolute.maxTotalCores, 7)
      const admin = await h.request('GET', `/v2.1/limits?tenant_id=${bob.projectId}`)
      assert.equal(admin.status, 200)
      assert.equal(admin.body.limits.absolute.maxTotalCores, 7)
      const member = await h.request('GET', `/v2.1/limits?tenant_id=${bob.projectId}`, {
        token: alice.token,
      })
      assert.equal(member.status, 403)
      assert.equal(
        member.body.forbidden.message,
        "Policy doesn't allow os_compute_api:limits:other_project to be performed.",
      )
      assert.equal(
        (await h.request('GET', '/v2.1/limits?foo=1', { microversion: '2.74' })).status,
        200,
      )
      assert.equal(
        (await h.request('GET', '/v2.1/limits?foo=1', { microversion: '2.75' })).status,
        400,
      )
    })
  })

  describe('os-quota-sets', () => {
    it('shows defaults equal to a fresh project quota, with the keys of each band', async () => {
      const p = alice.projectId
      const bands: [string, string[]][] = [
        ['2.1', ALL],
        ['2.36', without(ALL, NETWORK)],
        ['2.57', without(ALL, [...NETWORK, ...PERSONALITY])],
      ]
      for (const [mv, keys] of bands) {
        const show = await h.request('GET', `/v2.1/os-quota-sets/${p}`, { microversion: mv })
        assert.equal(show.status, 200)
        assert.deepEqual(keysOf(show.body.quota_set), [...keys, 'id'].sort(), mv)
        const defaults = await h.request('GET', `/v2.1/os-quota-sets/${p}/defaults`, {
          token: alice.token,
          microversion: mv,
        })
        assert.deepEqual(defaults.body, show.body)
        const detail = await h.request('GET', `/v2.1/os-quota-sets/${p}/detail`, {
          microversion: mv,
        })
        assert.deepEqual(keysOf(detail.body.quota_set), [...keys, 'id'].sort())
      }
      const show = (await h.request('GET', `/v2.1/os-quota-sets/${p}`)).body.quota_set
      assert.equal(show.id, p)
      assert.equal(show.ram, 51200)
      assert.equal(show.fixed_ips, -1)
      const detail = (await h.request('GET', `/v2.1/os-quota-sets/${p}/detail`)).body.quota_set
      assert.deepEqual(detail.cores, { limit: 20, in_use: 0, reserved: 0 })
    })

    it('updates project and user quotas, and deletes them back to defaults', async () => {
      const carol = await h.member('carol')
      const p = carol.projectId
      const res = await h.request('PUT', `/v2.1/os-quota-sets/${p}`, {
        body: { quota_set: { ram: '5120', instances: 4 } },
      })
      assert.equal(res.status, 200)
      assert.equal(res.body.quota_set.id, undefined)
      assert.equal(res.body.quota_set.ram, 5120)
      assert.deepEqual(keysOf(res.body.quota_set), ALL)
      const detail = await h.request('GET', `/v2.1/os-quota-sets/${p}/detail`, {
        token: carol.token,
      })
      assert.equal(detail.body.quota_set.ram.limit, 5120)

      const user = await h.request('PUT', `/v2.1/os-quota-sets/${p}?user_id=${carol.userId}`, {
        body: { quota_set: { ram: 2048 } },
      })
      assert.equal(user.status, 200)
      assert.equal(user.body.quota_set.ram, 2048)
      assert.equal(user.body.quota_set.instances, 4)
      const userShow = await h.request('GET', `/v2.1/os-quota-sets/${p}?user_id=${carol.userId}`)
      assert.equal(userShow.body.quota_set.ram, 2048)
      assert.equal((await h.request('GET', `/v2.1/os-quota-sets/${p}`)).body.quota_set.ram, 5120)

      // A user may get at most what the project has not given to its users yet.
      const tooMuch = await h.request('PUT', `/v2.1/os-quota-sets/${p}?user_id=other`, {
        body: { quota_set: { ram: 4000 } },
      })
      assert.equal(tooMuch.status, 400)
      assert.equal(
        tooMuch.body.badRequest.message,
        'Quota limit 4000 for ram must be less than or equal to 3072.',
      )
      // And the project no less than what its users were given.
      const tooLittle = await h.request('PUT', `/v2.1/os-quota-sets/${p}`, {
        body: { quota_set: { ram: 1000 } },
      })
      assert.equal(
        tooLittle.body.badRequest.message,
        'Quota limit 1000 for ram must be greater than or equal to already used and reserved 2048.',
      )

      const delUser = await h.request('DELETE', `/v2.1/os-quota-sets/${p}?user_id=${carol.userId}`)
      assert.equal(delUser.status, 202)
      assert.equal(
        (await h.request('GET', `/v2.1/os-quota-sets/${p}?user_id=${carol.userId}`)).body.quota_set
          .ram,
        5120,
      )
      const del = await h.request('DELETE', `/v2.1/os-quota-sets/${p}`)
      assert.equal(del.status, 202)
      assert.equal(del.text, '')
      const after = await h.request('GET', `/v2.1/os-quota-sets/${p}`)
      const defaults = await h.request('GET', `/v2.1/os-quota-sets/${p}/defaults`)
      assert.deepEqual(after.body, defaults.body)
    })

    it('refuses limits below usage unless forced', async () => {
      const dave = await h.member('dave')
      const p = dave.projectId
      await addServerGroup(p, dave.userId)
      const detail = await h.request('GET', `/v2.1/os-quota-sets/${p}/detail`)
      assert.deepEqual(detail.body.quota_set.server_groups, { limit: 10, in_use: 1, reserved: 0 })
      const below = await h.request('PUT', `/v2.1/os-quota-sets/${p}`, {
        body: { quota_set: { server_groups: 0 } },
      })
      assert.equal(below.status, 400)
      assert.equal(
        below.body.badRequest.message,
        'Quota limit 0 for server_groups must be greater than or equal to already used and reserved 1.',
      )
      const unlimited = await h.request('PUT', `/v2.1/os-quota-sets/${p}`, {
        body: { quota_set: { server_groups: -1 } },
      })
      assert.equal(unlimited.body.quota_set.server_groups, -1)
      const forced = await h.request('PUT', `/v2.1/os-quota-sets/${p}`, {
        body: { quota_set: { server_groups: 0, force: 'True' } },
      })
      assert.equal(forced.status, 200)
      assert.equal(forced.body.quota_set.server_groups, 0)
    })

    it('validates bodies per microversion and changes nothing on error', async () => {
      const erin = await h.member('erin')
      const url = `/v2.1/os-quota-sets/${erin.projectId}`
      const cases: [Json, string | undefined, string][] = [
        [
          { quota_set: { ram: 'abc' } },
          undefined,
          "Invalid input for field/attribute ram. Value: abc. 'abc' does not match '^-?[0-9]+$'",
        ],
        [
          { quota_set: { ram: -2 } },
          undefined,
          'Invalid input for field/attribute ram. Value: -2. -2 is less than the minimum of -1',
        ],
        [
          { quota_set: { ram: 2147483648 } },
          undefined,
          'Invalid input for field/attribute ram. Value: 2147483648. 2147483648 is greater than the maximum of 2147483647',
        ],
        [{ quota_set: { networks: 1 } }, undefined, 'The networks quota has been removed'],
        [
          { quota_set: { fixed_ips: 1 } },
          '2.36',
          "Invalid input for field/attribute quota_set. Value: {'fixed_ips': 1}. Additional properties are not allowed ('fixed_ips' was unexpected)",
        ],
        [
          { quota_set: { injected_files: 1 } },
          '2.57',
          "Invalid input for field/attribute quota_set. Value: {'injected_files': 1}. Additional properties are not allowed ('injected_files' was unexpected)",
        ],
        [
          { quota_set: { force: 'maybe' } },
          undefined,
          "Invalid input for field/attribute force. Value: maybe. 'maybe' is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']",
        ],
        [{}, undefined, "'quota_set' is a required property"],
      ]
      for (const [body, mv, message] of cases) {
        const res = await h.request('PUT', url, { body, ...(mv ? { microversion: mv } : {}) })
        assert.equal(res.status, 400, JSON.stringify(body))
        assert.equal(res.body.badRequest.message, message)
      }
      const show = await h.request('GET', url)
      const defaults = await h.request('GET', `${url}/defaults`)
      assert.deepEqual(show.body, defaults.body)
      const v236 = await h.request('PUT', url, {
        microversion: '2.36',
        body: { quota_set: { cores: 30 } },
      })
      assert.deepEqual(keysOf(v236.body.quota_set), without(ALL, NETWORK))
      const strict = await h.request('GET', `${url}?foo=1`, { microversion: '2.75' })
      assert.equal(strict.status, 400)
    })

    it('applies policy and checks the project exists', async () => {
      const bob = await h.member('bob2')
      const own = await h.request('GET', `/v2.1/os-quota-sets/${alice.projectId}`, {
        token: alice.token,
      })
      assert.equal(own.status, 200)
      const other = await h.request('GET', `/v2.1/os-quota-sets/${bob.projectId}`, {
        token: alice.token,
      })
      assert.equal(other.status, 403)
      assert.equal(
        other.body.forbidden.message,
        "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.",
      )
      assert.equal(
        (
          await h.request('GET', `/v2.1/os-quota-sets/${bob.projectId}/detail`, {
            token: alice.token,
          })
        ).status,
        403,
      )
      const update = await h.request('PUT', `/v2.1/os-quota-sets/${alice.projectId}`, {
        token: alice.token,
        body: { quota_set: { ram: 1 } },
      })
      assert.equal(update.status, 403)
      assert.equal(
        (
          await h.request('DELETE', `/v2.1/os-quota-sets/${alice.projectId}`, {
            token: alice.token,
          })
        ).status,
        403,
      )
      const missing = await h.request('GET', '/v2.1/os-quota-sets/no-such-project')
      assert.equal(missing.status, 400)
      assert.equal(
        missing.body.badRequest.message,
        'Project ID no-such-project is not a valid project.',
      )
      const missingUpdate = await h.request('PUT', '/v2.1/os-quota-sets/no-such-project', {
        body: { quota_set: { ram: 1 } },
      })
      assert.equal(missingUpdate.status, 400)
    })
  })

  describe('os-quota-class-sets', () => {
    it('shows the key set of each band', async () => {
      const bands: [string, string[]][] = [
        ['2.1', without(ALL, ['server_groups', 'server_group_members'])],
        ['2.50', without(ALL, NETWORK)],
        ['2.57', without(ALL, [...NETWORK, ...PERSONALITY])],
      ]
      for (const [mv, keys] of bands) {
        const res = await h.request('GET', '/v2.1/os-quota-class-sets/default', {
          microversion: mv,
        })
        assert.equal(res.status, 200)
        assert.deepEqual(keysOf(res.body.quota_class_set), [...keys, 'id'].sort(), mv)
        assert.equal(res.body.quota_class_set.id, 'default')
      }
    })

    it('updates the default class, which feeds every project default', async () => {
      const before = (
        await h.request('GET', '/v2.1/os-quota-class-sets/default', { microversion: '2.57' })
      ).body.quota_class_set
      const { id: _id, ...values } = before
      const raised = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, (v as number) + 100]),
      )
      const res = await h.request('PUT', '/v2.1/os-quota-class-sets/default', {
        microversion: '2.57',
        body: { quota_class_set: raised },
      })
      assert.equal(res.status, 200)
      assert.deepEqual(res.body.quota_class_set, raised)
      const shown = await h.request('GET', '/v2.1/os-quota-class-sets/default', {
        microversion: '2.57',
      })
      assert.deepEqual(shown.body.quota_class_set, { id: 'default', ...raised })
      const defaults = await h.request('GET', `/v2.1/os-quota-sets/${alice.projectId}/defaults`)
      assert.equal(defaults.body.quota_set.ram, raised.ram)
      const limits = await h.request('GET', '/v2.1/limits', { token: alice.token })
      assert.equal(limits.body.limits.absolute.maxTotalRAMSize, raised.ram)
      // Put the defaults back for the other tests.
      await h.request('PUT', '/v2.1/os-quota-class-sets/default', {
        microversion: '2.57',
        body: { quota_class_set: values },
      })
    })

    it('is admin only and validates its input', async () => {
      assert.equal(
        (await h.request('GET', '/v2.1/os-quota-class-sets/default', { token: alice.token }))
          .status,
        403,
      )
      const put = await h.request('PUT', '/v2.1/os-quota-class-sets/default', {
        token: alice.token,
        body: { quota_class_set: { ram: 1 } },
      })
      assert.equal(put.status, 403)
      assert.equal(
        put.body.forbidden.message,
        "Policy doesn't allow os_compute_api:os-quota-class-sets:update to be performed.",
      )
      const groups = await h.request('PUT', '/v2.1/os-quota-class-sets/default', {
        body: { quota_class_set: { server_groups: 1 } },
      })
      assert.equal(groups.status, 200, 'server_groups is settable at 2.1 though not shown')
      assert.equal(groups.body.quota_class_set.server_groups, undefined)
      const network = await h.request('PUT', '/v2.1/os-quota-class-sets/default', {
        microversion: '2.50',
        body: { quota_class_set: { floating_ips: 1 } },
      })
      assert.equal(network.status, 400)
      await h.request('PUT', '/v2.1/os-quota-class-sets/default', {
        microversion: '2.50',
        body: { quota_class_set: { server_groups: 10 } },
      })
    })
  })
})
