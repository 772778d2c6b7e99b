/**
 * Subnet pools as Neutron serves them: CRUD with its attributes and refusals, who sees and
 * changes a pool, subnets allocated from a pool (by prefix length or by CIDR), the default pools,
 * prefix operations, the per-project prefix quota, and allocation under concurrency.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { made } from '../support/l3-topology.js'
import { type NetworkHarness, startNetworkHarness } from '../support/network-harness.js'

type Json = Record<string, any>

describe('network: subnet pools', () => {
  let h: NetworkHarness
  let member: { projectId: string; token: string }
  let other: { projectId: string; token: string }
  const error = (res: { body: Json }) => [
    res.body.NeutronError.type as string,
    res.body.NeutronError.message as string,
  ]
  const as = (token: string | undefined) => (token === undefined ? {} : { token })
  const post = (path: string, body: unknown, token?: string) =>
    h.request('POST', path, { body, ...as(token) })
  const pool = (body: Json, token?: string) =>
    post('/v2.0/subnetpools', { subnetpool: body }, token)
  const subnet = (body: Json, token?: string) =>
    post('/v2.0/subnets', { subnet: { ip_version: 4, ...body } }, token)
  const network = async (token?: string) =>
    String((await made(h, '/v2.0/networks', { network: { name: 'n' } }, token)).id)
  const count = async (table: 'subnetpool' | 'subnetpool_prefix' | 'subnet') =>
    Number(
      (
        await h.service.deps.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  before(async () => {
    h = await startNetworkHarness({
      network: { quota_subnet: '-1', quota_network: '-1', quota_port: '-1' },
    })
    member = await h.member('pool-member')
    other = await h.member('pool-other')
  })
  after(async () => h.close())

  it('creates, shows, lists, updates and deletes a pool with Neutron attributes', async () => {
    const res = await pool(
      { name: 'p1', prefixes: ['10.11.0.0/16', '10.10.0.0/16', '10.10.5.0/24'] },
      member.token,
    )
    assert.equal(res.status, 201, res.text)
    const p = res.body.subnetpool
    // Prefixes are compacted; prefix lengths are strings on reads, as Neutron's dict makes them.
    assert.deepEqual(p.prefixes, ['10.10.0.0/15'])
    assert.equal(p.ip_version, 4)
    assert.equal(p.min_prefixlen, '8')
    assert.equal(p.max_prefixlen, '32')
    assert.equal(p.default_prefixlen, '8')
    assert.equal(p.default_quota, null)
    assert.equal(p.shared, false)
    assert.equal(p.is_default, false)
    assert.equal(p.address_scope_id, null)
    assert.equal(p.description, '')
    assert.deepEqual(p.tags, [])
    assert.equal(p.revision_number, 0)
    assert.equal(p.project_id, member.projectId)
    assert.equal(p.tenant_id, member.projectId)
    assert.match(p.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const shown = await h.request('GET', `/v2.0/subnetpools/${p.id}`, { token: member.token })
    assert.deepEqual(shown.body.subnetpool, p)
    const listed = await h.request('GET', '/v2.0/subnetpools?name=p1', { token: member.token })
    assert.deepEqual(
      listed.body.subnetpools.map((x: Json) => x.id),
      [p.id],
    )
    const byLen = await h.request('GET', '/v2.0/subnetpools?min_prefixlen=8&fields=id', {
      token: member.token,
    })
    assert.deepEqual(byLen.body.subnetpools, [{ id: p.id }])

    const put = (body: Json) =>
      h.request('PUT', `/v2.0/subnetpools/${p.id}`, {
        body: { subnetpool: body },
        token: member.token,
      })
    let up = await put({
      name: 'p1b',
      prefixes: ['10.10.0.0/15', '10.20.0.0/16'],
      default_prefixlen: 24,
      min_prefixlen: 16,
      description: 'd',
    })
    assert.equal(up.status, 200, up.text)
    assert.equal(up.body.subnetpool.name, 'p1b')
    assert.deepEqual(up.body.subnetpool.prefixes, ['10.10.0.0/15', '10.20.0.0/16'])
    // Neutron's update answer carries the prefix lengths as integers.
    assert.equal(up.body.subnetpool.default_prefixlen, 24)
    assert.equal(up.body.subnetpool.min_prefixlen, 16)
    assert.equal(up.body.subnetpool.revision_number, 1)
    up = await put({ prefixes: ['10.20.0.0/16'] })
    assert.deepEqual(error(up), [
      'IllegalSubnetPoolPrefixUpdate',
      'Illegal update to prefixes: Existing prefixes must be a subset of the new prefixes.',
    ])
    up = await put({ default_prefixlen: 12 })
    assert.deepEqual(error(up), [
      'IllegalSubnetPoolPrefixBounds',
      'Illegal prefix bounds: default_prefixlen=12, min_prefixlen=16.',
    ])
    up = await put({ ip_version: 6 })
    assert.equal(up.status, 400)

    // Tags through the tags API, as for the other standard-attribute resources.
    const tags = await h.request('PUT', `/v2.0/subnetpools/${p.id}/tags`, {
      body: { tags: ['red', 'blue'] },
      token: member.token,
    })
    assert.deepEqual(tags.body.tags, ['blue', 'red'])
    const tagged = await h.request('GET', '/v2.0/subnetpools?tags=red', { token: member.token })
    assert.deepEqual(
      tagged.body.subnetpools.map((x: Json) => x.id),
      [p.id],
    )

    assert.equal(
      (await h.request('DELETE', `/v2.0/subnetpools/${p.id}`, { token: member.token })).status,
      204,
    )
    const gone = await h.request('GET', `/v2.0/subnetpools/${p.id}`, { token: member.token })
    assert.equal(gone.status, 404)
    assert.deepEqual(error(gone), ['SubnetPoolNotFound', `Subnet pool ${p.id} could not be found.`])
    const tagRows = await h.service.deps.db
      .selectFrom('tag')
      .selectAll()
      .where('resource_id', '=', p.id)
      .execute()
    assert.deepEqual(tagRows, [])
  })

  it('refuses bad input with Neutron messages and makes nothing', async () => {
    const before = [await count('subnetpool'), await count('subnetpool_prefix')]
    const cases: [Json, number, string, string][] = [
      [
        { prefixes: ['10.0.0.0/8'] },
        400,
        'HTTPBadRequest',
        "Failed to parse request. Required attribute 'name' not specified",
      ],
      [
        { name: '  ', prefixes: ['10.0.0.0/8'] },
        400,
        'HTTPBadRequest',
        "Invalid input for name. Reason: '  ' Blank strings are not permitted.",
      ],
      [
        { name: 'x', prefixes: [] },
        400,
        'EmptySubnetPoolPrefixList',
        'Empty subnet pool prefix list.',
      ],
      [
        { name: 'x', prefixes: ['10.0.0.0/8', 'fd00::/48'] },
        400,
        'PrefixVersionMismatch',
        'Cannot mix IPv4 and IPv6 prefixes in a subnet pool.',
      ],
      [
        { name: 'x', prefixes: ['nope'] },
        400,
        'HTTPBadRequest',
        "Invalid input for prefixes. Reason: 'nope' is not a valid IP subnet.",
      ],
      [
        { name: 'x', prefixes: ['10.0.0.1'] },
        400,
        'HTTPBadRequest',
        "Invalid input for prefixes. Reason: '10.0.0.1' isn't a recognized IP subnet cidr, '10.0.0.1/32' is recommended.",
      ],
      [
        { name: 'x', prefixes: ['10.0.0.0/8', '10.0.0.0/8'] },
        400,
        'HTTPBadRequest',
        "Invalid input for prefixes. Reason: Duplicate items in the list: '10.0.0.0/8'.",
      ],
      [
        { name: 'x', prefixes: ['10.0.0.0/8'], min_prefixlen: 28, max_prefixlen: 24 },
        400,
        'IllegalSubnetPoolPrefixBounds',
        'Illegal prefix bounds: min_prefixlen=28, max_prefixlen=24.',
      ],
      [
        { name: 'x', prefixes: ['10.0.0.0/8'], max_prefixlen: 33 },
        400,
        'IllegalSubnetPoolPrefixBounds',
        'Illegal prefix bounds: max_prefixlen=33, ip_version_max=32.',
      ],
      [
        { name: 'x', prefixes: ['10.0.0.0/8'], default_prefixlen: -1 },
        400,
        'HTTPBadRequest',
        "Invalid input for default_prefixlen. Reason: '-1' should be non-negative.",
      ],
      [
        { name: 'x', prefixes: ['10.0.0.0/8'], default_prefixlen: 'abc' },
        400,
        'InvalidInput',
        "Invalid input for operation: 'abc' is not an integer.",
      ],
      [
        { name: 'x', prefixes: ['10.0.0.0/8'], shared: true },
        403,
        'PolicyNotAuthorized',
        '(rule:create_subnetpool:shared) is disallowed by policy',
      ],
      [
        { name: 'x', prefixes: ['10.0.0.0/8'], is_default: true },
        403,
        'PolicyNotAuthorized',
        '(rule:create_subnetpool:is_default) is disallowed by policy',
      ],
      [
        {
          name: 'x',
          prefixes: ['10.0.0.0/8'],
          address_scope_id: '6c2f7f8a-5f3e-4c54-9d0a-0c5c5d8a1b11',
        },
        404,
        'AddressScopeNotFound',
        'Address scope 6c2f7f8a-5f3e-4c54-9d0a-0c5c5d8a1b11 could not be found.',
      ],
      [
        { name: 'x', prefixes: ['10.0.0.0/8'], ip_version: 4 },
        400,
        'HTTPBadRequest',
        "Attribute 'ip_version' not allowed in POST",
      ],
    ]
    for (const [body, status, type, message] of cases) {
      const res = await pool(body, member.token)
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.text}`)
      assert.deepEqual(error(res), [type, message])
    }
    // Values equal to the defaults are not "set", as Neutron's policy sees them.
    const plain = await pool(
      { name: 'plain', prefixes: ['10.0.0.0/8'], shared: false, is_default: false },
      member.token,
    )
    assert.equal(plain.status, 201, plain.text)
    await h.request('DELETE', `/v2.0/subnetpools/${plain.body.subnetpool.id}`)
    assert.deepEqual([await count('subnetpool'), await count('subnetpool_prefix')], before)
  })

  it('shows pools to their project and to all when shared; only owners change them', async () => {
    const own = (await pool({ name: 'mine', prefixes: ['10.30.0.0/16'] }, member.token)).body
      .subnetpool
    const shared = (await pool({ name: 'shared', prefixes: ['10.31.0.0/16'], shared: true })).body
      .subnetpool
    const seen = await h.request('GET', '/v2.0/subnetpools', { token: other.token })
    const ids = seen.body.subnetpools.map((x: Json) => x.id)
    assert.ok(ids.includes(shared.id))
    assert.ok(!ids.includes(own.id))
    assert.equal(
      (await h.request('GET', `/v2.0/subnetpools/${own.id}`, { token: other.token })).status,
      404,
    )
    const upd = await h.request('PUT', `/v2.0/subnetpools/${shared.id}`, {
      body: { subnetpool: { name: 'mine now' } },
      token: other.token,
    })
    assert.deepEqual(error(upd), [
      'PolicyNotAuthorized',
      '(rule:update_subnetpool) is disallowed by policy',
    ])
    const del = await h.request('DELETE', `/v2.0/subnetpools/${shared.id}`, { token: other.token })
    assert.equal(del.status, 403)
    const isDefault = await h.request('PUT', `/v2.0/subnetpools/${own.id}`, {
      body: { subnetpool: { is_default: false } },
      token: member.token,
    })
    assert.deepEqual(error(isDefault), [
      'PolicyNotAuthorized',
      '(rule:update_subnetpool:is_default) is disallowed by policy',
    ])
    // Another project may allocate from a shared pool, not from a private one.
    const net = await network(other.token)
    const fromShared = await subnet(
      { network_id: net, subnetpool_id: shared.id, prefixlen: 24 },
      other.token,
    )
    assert.equal(fromShared.status, 201, fromShared.text)
    assert.equal(fromShared.body.subnet.cidr, '10.31.0.0/24')
    const fromPrivate = await subnet(
      { network_id: await network(other.token), subnetpool_id: own.id },
      other.token,
    )
    assert.deepEqual(error(fromPrivate), [
      'SubnetPoolNotFound',
      `Subnet pool ${own.id} could not be found.`,
    ])
  })

  it('allocates subnets by prefix length and by CIDR, never overlapping', async () => {
    const p = (
      await pool(
        { name: 'alloc', prefixes: ['10.40.0.0/22'], default_prefixlen: 24, max_prefixlen: 28 },
        member.token,
      )
    ).body.subnetpool
    const net = await network(member.token)
    let res = await subnet({ network_id: net, subnetpool_id: p.id }, member.token)
    assert.equal(res.status, 201, res.text)
    const first = res.body.subnet
    assert.equal(first.cidr, '10.40.0.0/24')
    assert.equal(first.subnetpool_id, p.id)
    assert.equal(first.gateway_ip, '10.40.0.1')
    assert.deepEqual(first.allocation_pools, [{ start: '10.40.0.2', end: '10.40.0.254' }])
    assert.equal('use_default_subnetpool' in first, false)

    // The smallest free block that fits: a /26 goes next to the /24, not into a fresh /23.
    res = await subnet({ network_id: net, subnetpool_id: p.id, prefixlen: 26 }, member.token)
    assert.equal(res.body.subnet.cidr, '10.40.1.0/26')
    res = await subnet({ network_id: net, subnetpool_id: p.id, prefixlen: 26 }, member.token)
    assert.equal(res.body.subnet.cidr, '10.40.1.64/26')

    // A CIDR inside the pool and free is given as asked, with the usual gateway and pools.
    res = await subnet(
      { network_id: net, subnetpool_id: p.id, cidr: '10.40.3.0/25', gateway_ip: '10.40.3.100' },
      member.token,
    )
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.subnet.gateway_ip, '10.40.3.100')
    assert.deepEqual(res.body.subnet.allocation_pools, [
      { start: '10.40.3.1', end: '10.40.3.99' },
      { start: '10.40.3.101', end: '10.40.3.126' },
    ])
    const subnetsBefore = await count('subnet')
    const refused: [Json, number, string, string][] = [
      [
        { cidr: '10.40.0.128/25' },
        500,
        'SubnetAllocationError',
        'Failed to allocate subnet: Cannot allocate requested subnet from the available set of prefixes.',
      ],
      [
        { cidr: '10.50.0.0/24' },
        500,
        'SubnetAllocationError',
        'Failed to allocate subnet: Cannot allocate requested subnet from the available set of prefixes.',
      ],
      [
        { prefixlen: 29 },
        400,
        'MaxPrefixSubnetAllocationError',
        'Unable to allocate subnet with prefix length 29, maximum allowed prefix is 28.',
      ],
      [
        { prefixlen: 7 },
        400,
        'MinPrefixSubnetAllocationError',
        'Unable to allocate subnet with prefix length 7, minimum allowed prefix is 8.',
      ],
      [
        { prefixlen: 23 },
        500,
        'SubnetAllocationError',
        'Failed to allocate subnet: Insufficient prefix space to allocate subnet size /23.',
      ],
      [
        { ip_version: 6 },
        400,
        'BadRequest',
        'Bad subnets request: Cannot allocate IPv6 subnet from IPv4 subnet pool.',
      ],
      [
        { allocation_pools: [{ start: '10.40.2.10', end: '10.40.2.20' }] },
        400,
        'BadRequest',
        'Bad subnets request: allocation_pools allowed only for specific subnet requests..',
      ],
      [
        { cidr: '10.40.2.0/24', prefixlen: 24 },
        400,
        'HTTPBadRequest',
        'Bad subnets request: cidr and prefixlen must not be supplied together.',
      ],
      [
        { use_default_subnetpool: true },
        400,
        'BadRequest',
        'Bad subnets request: subnetpool_id and use_default_subnetpool cannot both be specified.',
      ],
      [
        { prefixlen: -2 },
        400,
        'HTTPBadRequest',
        "Invalid input for prefixlen. Reason: '-2' should be non-negative.",
      ],
    ]
    for (const [body, status, type, message] of refused) {
      const r = await subnet({ network_id: net, subnetpool_id: p.id, ...body }, member.token)
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`)
      assert.deepEqual(error(r), [type, message])
    }
    assert.equal(await count('subnet'), subnetsBefore)

    // One network's subnets of an IP version come from one pool, or from none.
    const mixed = await network(member.token)
    await made(
      h,
      '/v2.0/subnets',
      { subnet: { network_id: mixed, ip_version: 4, cidr: '192.168.9.0/24' } },
      member.token,
    )
    const affinity = await subnet({ network_id: mixed, subnetpool_id: p.id }, member.token)
    assert.deepEqual(error(affinity), [
      'NetworkSubnetPoolAffinityError',
      'Subnets hosted on the same network must be allocated from the same subnet pool.',
    ])

    // A pool with subnets is not deleted; once they are gone it is.
    const del = await h.request('DELETE', `/v2.0/subnetpools/${p.id}`, { token: member.token })
    assert.equal(del.status, 400)
    assert.deepEqual(error(del), [
      'SubnetPoolDeleteError',
      'Unable to delete subnet pool: Subnet pool has existing allocations.',
    ])
    const ours = await h.request('GET', `/v2.0/subnets?subnetpool_id=${p.id}`, {
      token: member.token,
    })
    assert.equal(ours.body.subnets.length, 4)
    for (const s of ours.body.subnets as Json[])
      assert.equal(
        (await h.request('DELETE', `/v2.0/subnets/${s.id}`, { token: member.token })).status,
        204,
      )
    // Freed space is allocated again.
    res = await subnet({ network_id: net, subnetpool_id: p.id }, member.token)
    assert.equal(res.body.subnet.cidr, '10.40.0.0/24')
    await h.request('DELETE', `/v2.0/subnets/${res.body.subnet.id}`, { token: member.token })
    assert.equal(
      (await h.request('DELETE', `/v2.0/subnetpools/${p.id}`, { token: member.token })).status,
      204,
    )
  })

  it('allocates IPv6 prefixes with a first-host gateway', async () => {
    const p = (await pool({ name: 'v6', prefixes: ['fd00:1::/48'] }, member.token)).body.subnetpool
    assert.equal(p.ip_version, 6)
    assert.equal(p.min_prefixlen, '64')
    assert.equal(p.max_prefixlen, '128')
    assert.equal(p.default_prefixlen, '64')
    const res = await subnet(
      { network_id: await network(member.token), subnetpool_id: p.id, ip_version: 6 },
      member.token,
    )
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.subnet.cidr, 'fd00:1::/64')
    assert.equal(res.body.subnet.gateway_ip, 'fd00:1::1')
    assert.deepEqual(res.body.subnet.allocation_pools, [
      { start: 'fd00:1::2', end: 'fd00:1::ffff:ffff:ffff:ffff' },
    ])
  })

  it('keeps one default pool per IP version and allocates from it on request', async () => {
    const v4 = await pool({
      name: 'default-v4',
      prefixes: ['10.60.0.0/16'],
      default_prefixlen: 26,
      is_default: true,
      shared: true,
    })
    assert.equal(v4.status, 201, v4.text)
    assert.equal(v4.body.subnetpool.is_default, true)
    const second = await pool({ name: 'd2', prefixes: ['10.61.0.0/16'], is_default: true })
    assert.deepEqual(error(second), [
      'InvalidInput',
      'Invalid input for operation: A default subnetpool for this IP family has already been set. Only one default may exist per IP family.',
    ])
    const plain = (await pool({ name: 'd3', prefixes: ['10.62.0.0/16'] })).body.subnetpool
    const promote = await h.request('PUT', `/v2.0/subnetpools/${plain.id}`, {
      body: { subnetpool: { is_default: true } },
    })
    assert.equal(promote.status, 400)
    const net = await network(member.token)
    const res = await subnet({ network_id: net, use_default_subnetpool: true }, member.token)
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.subnet.cidr, '10.60.0.0/26')
    assert.equal(res.body.subnet.subnetpool_id, v4.body.subnetpool.id)
    const noV6 = await subnet(
      { network_id: net, use_default_subnetpool: true, ip_version: 6 },
      member.token,
    )
    assert.deepEqual(error(noV6), [
      'BadRequest',
      'Bad subnets request: No default subnetpool found for IPv6.',
    ])
    await h.request('DELETE', `/v2.0/subnets/${res.body.subnet.id}`, { token: member.token })
    // Demoted, another pool may be the default.
    const demote = await h.request('PUT', `/v2.0/subnetpools/${v4.body.subnetpool.id}`, {
      body: { subnetpool: { is_default: false } },
    })
    assert.equal(demote.body.subnetpool.is_default, false)
    const again = await h.request('PUT', `/v2.0/subnetpools/${plain.id}`, {
      body: { subnetpool: { is_default: true } },
    })
    assert.equal(again.status, 200, again.text)
    for (const id of [v4.body.subnetpool.id, plain.id])
      assert.equal((await h.request('DELETE', `/v2.0/subnetpools/${id}`)).status, 204)
  })

  it('adds and removes prefixes (subnetpool-prefix-ops)', async () => {
    const p = (
      await pool({ name: 'ops', prefixes: ['10.70.0.0/24'], default_prefixlen: 25 }, member.token)
    ).body.subnetpool
    const act = (name: string, body: unknown, token = member.token) =>
      h.request('PUT', `/v2.0/subnetpools/${p.id}/${name}`, { body, token })
    let res = await act('add_prefixes', { prefixes: ['10.70.1.0/24', '10.80.0.0/24'] })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body, { prefixes: ['10.70.0.0/23', '10.80.0.0/24'] })
    const net = await network(member.token)
    // The smallest block that fits comes first: the /24, not the /23.
    const any = await subnet({ network_id: net, subnetpool_id: p.id }, member.token)
    assert.equal(any.body.subnet.cidr, '10.80.0.0/25')
    const s = await subnet(
      { network_id: net, subnetpool_id: p.id, cidr: '10.70.0.0/25' },
      member.token,
    )
    assert.equal(s.status, 201, s.text)
    res = await act('remove_prefixes', { prefixes: ['10.70.0.0/24'] })
    assert.deepEqual(error(res), [
      'IllegalSubnetPoolPrefixUpdate',
      'Illegal update to prefixes: One or more the prefixes to be removed is in use by a subnet..',
    ])
    res = await act('remove_prefixes', { prefixes: ['10.70.1.0/25', '10.99.0.0/16'] })
    assert.deepEqual(res.body, { prefixes: ['10.70.0.0/24', '10.70.1.128/25', '10.80.0.0/24'] })
    res = await act('add_prefixes', { prefixes: [] })
    assert.deepEqual(error(res), ['HTTPBadRequest', 'Request body contains invalid data'])
    res = await act('add_prefixes', { prefixes: ['10.70.0.0/24'] }, other.token)
    assert.equal(res.status, 404)
    const shown = await h.request('GET', `/v2.0/subnetpools/${p.id}`, { token: member.token })
    assert.deepEqual(shown.body.subnetpool.prefixes, [
      '10.70.0.0/24',
      '10.70.1.128/25',
      '10.80.0.0/24',
    ])
  })

  it('bounds a project by the pool default_quota (in /32 units for IPv4)', async () => {
    const p = (
      await pool(
        { name: 'quota', prefixes: ['10.90.0.0/16'], default_prefixlen: 24, default_quota: 512 },
        member.token,
      )
    ).body.subnetpool
    assert.equal(p.default_quota, 512)
    const net = await network(member.token)
    for (let i = 0; i < 2; i++)
      assert.equal(
        (await subnet({ network_id: net, subnetpool_id: p.id }, member.token)).status,
        201,
      )
    const over = await subnet({ network_id: net, subnetpool_id: p.id }, member.token)
    assert.equal(over.status, 409)
    assert.deepEqual(error(over), [
      'SubnetPoolQuotaExceeded',
      'Per-tenant subnet pool prefix quota exceeded.',
    ])
  })

  it('counts pools against the subnetpool quota', async () => {
    const q = await h.member('pool-quota')
    const set = await h.request('PUT', `/v2.0/quotas/${q.projectId}`, {
      body: { quota: { subnetpool: 1 } },
    })
    assert.equal(set.status, 200, set.text)
    assert.equal((await pool({ name: 'one', prefixes: ['10.1.0.0/16'] }, q.token)).status, 201)
    const over = await pool({ name: 'two', prefixes: ['10.2.0.0/16'] }, q.token)
    assert.equal(over.status, 409)
    assert.deepEqual(error(over), ['OverQuota', "Quota exceeded for resources: ['subnetpool']."])
    const details = await h.request('GET', `/v2.0/quotas/${q.projectId}/details.json`)
    assert.deepEqual(details.body.quota.subnetpool, { limit: 1, used: 1, reserved: 0 })
  })

  it('gives concurrent allocations distinct CIDRs and refuses the rest whole', async () => {
    const p = (
      await pool({
        name: 'race',
        prefixes: ['10.100.0.0/24'],
        default_prefixlen: 28,
        min_prefixlen: 24,
        shared: true,
      })
    ).body.subnetpool
    // Five projects, a network each per subnet: neither a project's quota lock nor a
    // network's lock orders these requests, only the pool's lock does.
    const askers: { token: string; net: string }[] = []
    for (let i = 0; i < 5; i++) {
      const m = await h.member(`race-${i}`)
      for (let j = 0; j < 4; j++) askers.push({ token: m.token, net: await network(m.token) })
    }
    const results = await Promise.all(
      askers.map(({ token, net }, i) =>
        subnet({ network_id: net, subnetpool_id: p.id, name: `r${i}` }, token),
      ),
    )
    const made = results.filter((r) => r.status === 201)
    const refused = results.filter((r) => r.status !== 201)
    assert.equal(made.length, 16)
    const cidrs = made.map((r) => r.body.subnet.cidr as string)
    assert.equal(new Set(cidrs).size, 16)
    assert.deepEqual(
      [...cidrs].sort(
        (a, b) => Number(a.split('.')[3]?.split('/')[0]) - Number(b.split('.')[3]?.split('/')[0]),
      ),
      Array.from({ length: 16 }, (_, i) => `10.100.0.${i * 16}/28`),
    )
    for (const r of refused) {
      assert.equal(r.status, 500, r.text)
      assert.deepEqual(error(r), [
        'SubnetAllocationError',
        'Failed to allocate subnet: Insufficient prefix space to allocate subnet size /28.',
      ])
    }
    const fromPool = await h.request('GET', `/v2.0/subnets?subnetpool_id=${p.id}`)
    assert.equal(fromPool.body.subnets.length, 16)
    const pools = await h.service.deps.db
      .selectFrom('subnet_allocation_pool')
      .select('subnet_id')
      .where(
        'subnet_id',
        'in',
        made.map((r) => r.body.subnet.id as string),
      )
      .execute()
    assert.equal(pools.length, 16)
    const stray = await h.service.deps.db
      .selectFrom('subnet_allocation_pool')
      .select('subnet_id')
      .where('subnet_id', 'not in', h.service.deps.db.selectFrom('subnet').select('id'))
      .execute()
    assert.deepEqual(stray, [])
  })
})
