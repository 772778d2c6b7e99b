import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PolicyEnforcer } from './enforcer.js'
import { parseRule, PolicyParseError } from './rule-parser.js'

const defaults = [
  { name: 'admin_required', check: 'role:admin or is_admin:1' },
  { name: 'owner', check: 'user_id:%(user_id)s' },
  { name: 'admin_or_owner', check: 'rule:admin_required or rule:owner' },
  { name: 'system_reader', check: 'role:reader and system_scope:all' },
  {
    name: 'get_user',
    check: '(rule:admin_required) or (rule:system_reader) or user_id:%(target.user.id)s',
  },
  { name: 'not_member', check: 'not role:member' },
  { name: 'domain', check: 'token.project.domain.id:%(target.domain.id)s' },
  { name: 'literal', check: "'member':%(role.name)s" },
  { name: 'everyone', check: '@' },
  { name: 'nobody', check: '!' },
  { name: 'empty', check: '' },
  { name: 'precedence', check: 'role:a or role:b and role:c' },
]

describe('policy rule language', () => {
  const policy = new PolicyEnforcer(defaults)
  const admin = { user_id: 'u1', roles: ['admin', 'member'], is_admin: false }
  const member = { user_id: 'u2', roles: ['Member'], is_admin: false }

  it('checks roles case-insensitively and follows rule: references', () => {
    assert.equal(policy.allows('admin_required', {}, admin), true)
    assert.equal(policy.allows('admin_required', {}, member), false)
    assert.equal(policy.allows('admin_or_owner', { user_id: 'u2' }, member), true)
    assert.equal(policy.allows('admin_or_owner', { user_id: 'u3' }, member), false)
  })

  it('substitutes dotted and nested target paths', () => {
    assert.equal(policy.allows('get_user', { 'target.user.id': 'u2' }, member), true)
    assert.equal(policy.allows('get_user', { target: { user: { id: 'u2' } } }, member), true)
    assert.equal(policy.allows('get_user', { target: { user: { id: 'u9' } } }, member), false)
    // a missing target key fails the check instead of matching "undefined"
    assert.equal(policy.allows('owner', {}, { user_id: 'None' }), false)
  })

  it('compares Python string forms and nested credentials', () => {
    assert.equal(policy.allows('admin_required', {}, { roles: [], is_admin: 1 }), true)
    assert.equal(
      policy.allows('system_reader', {}, { roles: ['reader'], system_scope: 'all' }),
      true,
    )
    assert.equal(policy.allows('system_reader', {}, { roles: ['reader'] }), false)
    const creds = { roles: [], token: { project: { domain: { id: 'd1' } } } }
    assert.equal(policy.allows('domain', { 'target.domain.id': 'd1' }, creds), true)
    assert.equal(policy.allows('literal', { role: { name: 'member' } }, {}), true)
    assert.equal(policy.allows('literal', { role: { name: 'admin' } }, {}), false)
  })

  it('handles @, !, empty, not and precedence', () => {
    assert.equal(policy.allows('everyone', {}, {}), true)
    assert.equal(policy.allows('empty', {}, {}), true)
    assert.equal(policy.allows('nobody', {}, admin), false)
    assert.equal(policy.allows('not_member', {}, member), false)
    assert.equal(policy.allows('not_member', {}, admin), false)
    assert.equal(policy.allows('not_member', {}, { roles: ['reader'] }), true)
    assert.equal(policy.allows('precedence', {}, { roles: ['a'] }), true)
    assert.equal(policy.allows('precedence', {}, { roles: ['b'] }), false)
    assert.equal(policy.allows('precedence', {}, { roles: ['b', 'c'] }), true)
    assert.equal(policy.allows('unknown_rule', {}, admin), false)
  })

  it('rejects malformed rules', () => {
    assert.throws(() => parseRule('role:admin and'), PolicyParseError)
    assert.throws(() => parseRule('(role:admin'), PolicyParseError)
    assert.throws(() => parseRule('admin'), PolicyParseError)
  })

  it('lets a policy.yaml override defaults by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'))
    const file = join(dir, 'policy.yaml')
    writeFileSync(file, '"admin_required": "role:superuser"\n')
    const overridden = new PolicyEnforcer(defaults, file)
    assert.equal(overridden.allows('admin_required', {}, admin), false)
    assert.equal(overridden.allows('admin_or_owner', {}, { roles: ['SuperUser'] }), true)
    assert.throws(() => overridden.enforce('admin_required', {}, admin), /not authorized/)
  })
})
