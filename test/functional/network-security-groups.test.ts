import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type NetworkHarness, startNetworkHarness } from '../support/network-harness.js'

interface Rule {
  id: string
  direction: string
  ethertype: string
  remote_group_id: string | null
  protocol: string | null
}

describe('network: security groups and rules', () => {
  let h: NetworkHarness
  let m: { projectId: string; token: string }
  let other: { projectId: string; token: string }
  before(async () => {
    h = await startNetworkHarness()
    m = await h.member('sg-member')
    other = await h.member('sg-other')
  })
  after(async () => h.close())

  const as = (who: { token: string }) => ({
    get: (path: string) => h.request('GET', path, { token: who.token }),
    post: (path: string, body: unknown) => h.request('POST', path, { token: who.token, body }),
    put: (path: string, body: unknown) => h.request('PUT', path, { token: who.token, body }),
    del: (path: string) => h.request('DELETE', path, { token: who.token }),
  })
  const newGroup = async (who: { token: string }, name: string) => {
    const res = await as(who).post('/v2.0/security-groups', { security_group: { name } })
    assert.equal(res.status, 201, res.text)
    return res.body.security_group as { id: string; security_group_rules: Rule[] }
  }
  const newRule = (who: { token: string }, rule: Record<string, unknown>) =>
    as(who).post('/v2.0/security-group-rules', { security_group_rule: rule })

  it('makes the project default group on first list, with its four rules', async () => {
    const list = await as(m).get('/v2.0/security-groups')
    assert.equal(list.status, 200, list.text)
    assert.equal(list.body.security_groups.length, 1)
    const sg = list.body.security_groups[0]
    assert.equal(sg.name, 'default')
    assert.equal(sg.description, 'Default security group')
    assert.equal(sg.project_id, m.projectId)
    assert.equal(sg.tenant_id, m.projectId)
    assert.equal(sg.stateful, true)
    assert.deepEqual(sg.tags, [])
    const rules = sg.security_group_rules as Rule[]
    assert.equal(rules.length, 4)
    const summary = rules.map((r) => `${r.direction}/${r.ethertype}/${r.remote_group_id === sg.id}`)
    assert.deepEqual(summary.sort(), [
      'egress/IPv4/false',
      'egress/IPv6/false',
      'ingress/IPv4/true',
      'ingress/IPv6/true',
    ])
    const again = await as(m).get('/v2.0/security-groups')
    assert.equal(again.body.security_groups.length, 1)
  })

  it('creates a group with its egress rules and refuses the name default', async () => {
    const sg = await newGroup(m, 'web')
    assert.deepEqual(sg.security_group_rules.map((r) => `${r.direction}/${r.ethertype}`).sort(), [
      'egress/IPv4',
      'egress/IPv6',
    ])
    for (const name of ['default', 'Default']) {
      const res = await as(m).post('/v2.0/security-groups', { security_group: { name } })
      assert.equal(res.status, 409)
      assert.equal(res.body.NeutronError.type, 'SecurityGroupDefaultAlreadyExists')
    }
    const renamed = await as(m).put(`/v2.0/security-groups/${sg.id}`, {
      security_group: { name: 'default' },
    })
    assert.equal(renamed.status, 409)
    const upd = await as(m).put(`/v2.0/security-groups/${sg.id}`, {
      security_group: { name: 'web2', description: 'd', stateful: false },
    })
    assert.equal(upd.status, 200, upd.text)
    assert.equal(upd.body.security_group.name, 'web2')
    assert.equal(upd.body.security_group.stateful, false)
    assert.equal(upd.body.security_group.revision_number, 2)
  })

  it('keeps the default group: no renaming, no removal by its project; admins may remove it', async () => {
    const def = (await as(m).get('/v2.0/security-groups?name=default')).body.security_groups[0]
    const rename = await as(m).put(`/v2.0/security-groups/${def.id}`, {
      security_group: { name: 'mine' },
    })
    assert.equal(rename.status, 409)
    assert.equal(rename.body.NeutronError.type, 'SecurityGroupCannotUpdateDefault')
    assert.equal(rename.body.NeutronError.message, 'Updating default security group not allowed.')
    const describe = await as(m).put(`/v2.0/security-groups/${def.id}`, {
      security_group: { description: 'still default' },
    })
    assert.equal(describe.status, 200)
    const del = await as(m).del(`/v2.0/security-groups/${def.id}`)
    assert.equal(del.status, 409)
    assert.equal(del.body.NeutronError.type, 'SecurityGroupCannotRemoveDefault')
    const third = await h.member('sg-third')
    const theirs = (await as(third).get('/v2.0/security-groups')).body.security_groups[0]
    assert.equal((await h.request('DELETE', `/v2.0/security-groups/${theirs.id}`)).status, 204)
    const remade = (await as(third).get('/v2.0/security-groups')).body.security_groups
    assert.equal(remade.length, 1)
    assert.notEqual(remade[0].id, theirs.id)
  })

  it('hides other projects groups and refuses rules in them', async () => {
    const mine = await newGroup(m, 'private')
    const seen = await as(other).get(`/v2.0/security-groups/${mine.id}`)
    assert.equal(seen.status, 404)
    assert.equal(seen.body.NeutronError.type, 'SecurityGroupNotFound')
    assert.equal(seen.body.NeutronError.message, `Security group ${mine.id} does not exist`)
    const list = await as(other).get('/v2.0/security-groups')
    assert.ok(list.body.security_groups.every((g: { id: string }) => g.id !== mine.id))
    const rule = await newRule(other, { security_group_id: mine.id, direction: 'ingress' })
    assert.equal(rule.status, 404)
    assert.equal(rule.body.NeutronError.type, 'SecurityGroupNotFound')
    const remote = await newRule(other, {
      security_group_id: (await newGroup(other, 'o')).id,
      direction: 'ingress',
      remote_group_id: mine.id,
    })
    assert.equal(remote.status, 404)
    assert.equal((await as(other).del(`/v2.0/security-groups/${mine.id}`)).status, 404)
  })

  it('creates rules as Neutron stores them', async () => {
    const sg = await newGroup(m, 'rules')
    const tcp = await newRule(m, {
      security_group_id: sg.id,
      direction: 'ingress',
      protocol: 'TCP',
      port_range_min: '22',
      port_range_max: 22,
      remote_ip_prefix: '10.1.2.3/24',
    })
    assert.equal(tcp.status, 201, tcp.text)
    const r = tcp.body.security_group_rule
    assert.equal(r.protocol, 'tcp')
    assert.equal(r.port_range_min, 22)
    assert.equal(r.ethertype, 'IPv4')
    assert.equal(r.remote_ip_prefix, '10.1.2.3/24')
    assert.equal(r.normalized_cidr, '10.1.2.0/24')
    assert.equal(r.remote_address_group_id, null)
    assert.equal(r.tenant_id, m.projectId)
    assert.equal(r.revision_number, 0)
    assert.equal(r.tags, undefined)
    const shown = await as(m).get(`/v2.0/security-group-rules/${r.id}`)
    assert.deepEqual(shown.body.security_group_rule, r)
    const num = await newRule(m, { security_group_id: sg.id, direction: 'ingress', protocol: 17 })
    assert.equal(num.body.security_group_rule.protocol, '17')
    const v6 = await newRule(m, {
      security_group_id: sg.id,
      direction: 'ingress',
      ethertype: 'ipv6',
      protocol: 'icmp',
      port_range_min: 128,
      remote_ip_prefix: '2001:DB8::1',
    })
    assert.equal(v6.status, 201, v6.text)
    assert.equal(v6.body.security_group_rule.ethertype, 'IPv6')
    assert.equal(v6.body.security_group_rule.protocol, 'ipv6-icmp')
    assert.equal(v6.body.security_group_rule.remote_ip_prefix, '2001:db8::1/128')
    const all = await newRule(m, {
      security_group_id: sg.id,
      direction: 'egress',
      protocol: 'udp',
      port_range_min: 1,
      port_range_max: 65535,
    })
    assert.equal(all.body.security_group_rule.port_range_min, null)
    const group = (await as(m).get(`/v2.0/security-groups/${sg.id}`)).body.security_group
    assert.equal(group.security_group_rules.length, 6)
    assert.equal(group.revision_number, 5)
  })

  it('refuses bad rules with Neutron types and messages', async () => {
    const sg = await newGroup(m, 'bad-rules')
    const base = { security_group_id: sg.id, direction: 'ingress' }
    const cases: [Record<string, unknown>, number, string, string][] = [
      [
        { protocol: 'tcp', port_range_min: 80, port_range_max: 79 },
        400,
        'SecurityGroupInvalidPortRange',
        'For TCP/UDP protocols, port_range_min must be <= port_range_max',
      ],
      [
        { protocol: 'tcp', port_range_min: -16, port_range_max: 80 },
        400,
        'SecurityGroupInvalidPortValue',
        'Invalid value for port -16',
      ],
      [
        { protocol: 'tcp', port_range_min: 80, port_range_max: 65536 },
        400,
        'SecurityGroupInvalidPortValue',
        'Invalid value for port 65536',
      ],
      [
        { protocol: 'icmp', port_range_min: 300, port_range_max: 1 },
        400,
        'SecurityGroupInvalidIcmpValue',
        'Invalid value for ICMP type (port_range_min) 300. It must be 0 to 255.',
      ],
      [
        { protocol: 'icmp', port_range_max: 6 },
        400,
        'SecurityGroupMissingIcmpType',
        'ICMP code (port-range-max) 6 is provided but ICMP type (port-range-min) is missing.',
      ],
      [
        { port_range_min: 5, port_range_max: 6 },
        400,
        'SecurityGroupProtocolRequiredWithPorts',
        'Must also specify protocol if port range is given.',
      ],
      [
        { protocol: 'gre', port_range_min: 5, port_range_max: 6 },
        400,
        'SecurityGroupInvalidProtocolForPort',
        'Ports cannot be specified for protocol 47. Ports are only supported for DCCP, SCTP, TCP, UDP, UDPLITE.',
      ],
      [{ protocol: 'bad_protocol_name' }, 400, 'SecurityGroupRuleInvalidProtocol', ''],
      [{ protocol: 256 }, 400, 'SecurityGroupRuleInvalidProtocol', ''],
      [{ ethertype: 'bad' }, 400, 'SecurityGroupRuleInvalidEtherType', ''],
      [{ remote_ip_prefix: '192.168.1.1/33' }, 400, 'InvalidCIDR', ''],
      [
        { ethertype: 'IPv6', remote_ip_prefix: '10.0.0.0/8' },
        400,
        'SecurityGroupRuleParameterConflict',
        'Conflicting value ethertype IPv6 for CIDR 10.0.0.0/8',
      ],
      [
        { remote_ip_prefix: '10.0.0.0/8', remote_group_id: sg.id },
        400,
        'SecurityGroupMultipleRemoteEntites',
        'Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.',
      ],
      [{ protocol: 'ipv6-icmp' }, 400, 'SecurityGroupEthertypeConflictWithProtocol', ''],
      [{ remote_group_id: 'bad_group_id' }, 404, 'SecurityGroupNotFound', ''],
      [{ direction: 'sideways' }, 400, 'HTTPBadRequest', ''],
      [{ remote_address_group_id: sg.id }, 404, 'AddressGroupNotFound', ''],
    ]
    for (const [extra, status, type, message] of cases) {
      const res = await newRule(m, { ...base, ...extra })
      assert.equal(res.status, status, `${JSON.stringify(extra)}: ${res.text}`)
      assert.equal(res.body.NeutronError.type, type, JSON.stringify(extra))
      if (message) assert.equal(res.body.NeutronError.message, message)
    }
    const group = (await as(m).get(`/v2.0/security-groups/${sg.id}`)).body.security_group
    assert.equal(group.security_group_rules.length, 2)
  })

  it('refuses duplicates, alone or in bulk, and creates bulk rules all or nothing', async () => {
    const sg = await newGroup(m, 'dups')
    const rule = { security_group_id: sg.id, direction: 'ingress', protocol: 'tcp' }
    const first = await newRule(m, { ...rule, port_range_min: 66, port_range_max: 67 })
    assert.equal(first.status, 201)
    const dup = await newRule(m, { ...rule, protocol: '6', port_range_min: 66, port_range_max: 67 })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.NeutronError.type, 'SecurityGroupRuleExists')
    assert.equal(
      dup.body.NeutronError.message,
      `Security group rule already exists. Rule id is ${first.body.security_group_rule.id}.`,
    )
    // The default egress rules are the ones "to anywhere" whatever the prefix says.
    const anywhere = await newRule(m, {
      security_group_id: sg.id,
      direction: 'egress',
      remote_ip_prefix: '0.0.0.0/0',
    })
    assert.equal(anywhere.status, 409)
    const bulkDup = await as(m).post('/v2.0/security-group-rules', {
      security_group_rules: [
        { ...rule, port_range_min: 80, port_range_max: 80 },
        { ...rule, port_range_min: 80, port_range_max: 80 },
      ],
    })
    assert.equal(bulkDup.status, 409)
    assert.equal(bulkDup.body.NeutronError.type, 'DuplicateSecurityGroupRuleInPost')
    const twoGroups = await as(m).post('/v2.0/security-group-rules', {
      security_group_rules: [rule, { ...rule, security_group_id: (await newGroup(m, 'x')).id }],
    })
    assert.equal(twoGroups.status, 400)
    assert.equal(twoGroups.body.NeutronError.type, 'SecurityGroupNotSingleGroupRules')
    const bulk = await as(m).post('/v2.0/security-group-rules', {
      security_group_rules: [
        { ...rule, port_range_min: 80, port_range_max: 80 },
        { security_group_rule: { ...rule, port_range_min: 443, port_range_max: 443 } },
      ],
    })
    assert.equal(bulk.status, 201, bulk.text)
    assert.equal(bulk.body.security_group_rules.length, 2)
    const group = (await as(m).get(`/v2.0/security-groups/${sg.id}`)).body.security_group
    assert.equal(group.security_group_rules.length, 5)
  })

  it('shows rules to the group owner, lets only the rule owner delete them', async () => {
    const sg = await newGroup(m, 'shared-rules')
    const adminRule = await h.request('POST', '/v2.0/security-group-rules', {
      body: { security_group_rule: { security_group_id: sg.id, direction: 'ingress' } },
    })
    assert.equal(adminRule.status, 201, adminRule.text)
    const id = adminRule.body.security_group_rule.id
    assert.notEqual(adminRule.body.security_group_rule.project_id, m.projectId)
    assert.equal((await as(m).get(`/v2.0/security-group-rules/${id}`)).status, 200)
    assert.equal((await as(other).get(`/v2.0/security-group-rules/${id}`)).status, 404)
    const list = await as(m).get(`/v2.0/security-group-rules?security_group_id=${sg.id}`)
    assert.equal(list.body.security_group_rules.length, 3)
    const refused = await as(m).del(`/v2.0/security-group-rules/${id}`)
    assert.equal(refused.status, 403)
    assert.equal(refused.body.NeutronError.type, 'PolicyNotAuthorized')
    const own = list.body.security_group_rules.find((r: Rule) => r.id !== id) as Rule
    assert.equal((await as(m).del(`/v2.0/security-group-rules/${own.id}`)).status, 204)
    assert.equal((await as(m).get(`/v2.0/security-group-rules/${own.id}`)).status, 404)
    const put = await as(m).put(`/v2.0/security-group-rules/${id}`, {
      security_group_rule: { description: 'x' },
    })
    assert.equal(put.status, 405)
  })

  it('deletes a group with its rules and the rules naming it as remote; not while ports use it', async () => {
    const a = await newGroup(m, 'a')
    const b = await newGroup(m, 'b')
    const viaB = await newRule(m, {
      security_group_id: a.id,
      direction: 'ingress',
      remote_group_id: b.id,
    })
    assert.equal(viaB.status, 201, viaB.text)
    const db = h.service.deps.db
    await db
      .insertInto('port_security_group')
      .values({ port_id: 'p1', security_group_id: b.id })
      .execute()
    const inUse = await as(m).del(`/v2.0/security-groups/${b.id}`)
    assert.equal(inUse.status, 409)
    assert.equal(inUse.body.NeutronError.type, 'SecurityGroupInUse')
    assert.equal(inUse.body.NeutronError.message, `Security Group ${b.id} in use.`)
    await db.deleteFrom('port_security_group').where('port_id', '=', 'p1').execute()
    assert.equal((await as(m).del(`/v2.0/security-groups/${b.id}`)).status, 204)
    assert.equal(
      (await as(m).get(`/v2.0/security-group-rules/${viaB.body.security_group_rule.id}`)).status,
      404,
    )
    const left = await db
      .selectFrom('security_group_rule')
      .select('id')
      .where('security_group_id', '=', b.id)
      .execute()
    assert.deepEqual(left, [])
  })

  it('counts groups and their rules against the quotas, and tags groups', async () => {
    const q = await h.member('sg-quota')
    await as(q).get('/v2.0/security-groups')
    await h.request('PUT', `/v2.0/quotas/${q.projectId}`, {
      body: { quota: { security_group: 2, security_group_rule: 6 } },
    })
    const one = await newGroup(q, 'one')
    const over = await as(q).post('/v2.0/security-groups', { security_group: { name: 'two' } })
    assert.equal(over.status, 409)
    assert.equal(over.body.NeutronError.type, 'OverQuota')
    assert.equal(
      over.body.NeutronError.message,
      "Quota exceeded for resources: ['security_group'].",
    )
    const rule = await newRule(q, { security_group_id: one.id, direction: 'ingress' })
    assert.equal(rule.status, 409)
    assert.equal(
      rule.body.NeutronError.message,
      "Quota exceeded for resources: ['security_group_rule'].",
    )
    const tag = await h.request('PUT', `/v2.0/security-groups/${one.id}/tags/blue`, {
      token: q.token,
    })
    assert.equal(tag.status, 201)
    const tagged = await as(q).get('/v2.0/security-groups?tags=blue')
    assert.deepEqual(
      tagged.body.security_groups.map((g: { id: string }) => g.id),
      [one.id],
    )
  })
})
