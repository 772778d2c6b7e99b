import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Fernet, KeyRepository, RepositoryFernet, generateKey, parseKey } from './fernet.js'

describe('Fernet', () => {
  it('round-trips and keeps the timestamp', () => {
    const f = new Fernet([parseKey(generateKey())])
    const token = f.encrypt(Buffer.from('hello'), 1_700_000_000)
    assert.ok(!token.includes('='))
    const out = f.decrypt(token)
    assert.ok(out)
    assert.equal(out.plaintext.toString(), 'hello')
    assert.equal(out.timestampSec, 1_700_000_000)
  })

  it('refuses tampered tokens and tokens of another key', () => {
    const f = new Fernet([parseKey(generateKey())])
    const token = f.encrypt(Buffer.from('hello'), 1)
    const flipped = token.slice(0, 40) + (token[40] === 'A' ? 'B' : 'A') + token.slice(41)
    assert.equal(f.decrypt(flipped), undefined)
    assert.equal(new Fernet([parseKey(generateKey())]).decrypt(token), undefined)
    assert.equal(f.decrypt('not a token!'), undefined)
    assert.equal(f.decrypt(''), undefined)
  })

  it('decrypts a real Fernet token from the spec', () => {
    // https://github.com/fernet/spec/blob/master/generate.json
    const key = parseKey('cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=')
    const token =
      'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA=='
    const out = new Fernet([key]).decrypt(token)
    assert.ok(out)
    assert.equal(out.plaintext.toString(), 'hello')
    assert.equal(out.timestampSec, 499162800)
  })
})

describe('KeyRepository', () => {
  it('sets up, rotates like Keystone and keeps old tokens valid until their key goes', () => {
    const repo = new KeyRepository(join(mkdtempSync(join(tmpdir(), 'keys-')), 'fernet-keys'))
    repo.ensure()
    assert.deepEqual(readdirSync(repo.dir).sort(), ['0', '1'])
    const old = new Fernet(repo.load()).encrypt(Buffer.from('x'), 1)
    assert.equal(repo.rotate(3), 2)
    assert.deepEqual(readdirSync(repo.dir).sort(), ['0', '1', '2'])
    assert.equal(new Fernet(repo.load()).decrypt(old)?.plaintext.toString(), 'x')
    repo.rotate(3)
    assert.deepEqual(readdirSync(repo.dir).sort(), ['0', '2', '3'])
    assert.equal(new Fernet(repo.load()).decrypt(old), undefined)
  })
})

describe('RepositoryFernet', () => {
  it('follows a rotation without a restart', () => {
    const repo = new KeyRepository(join(mkdtempSync(join(tmpdir(), 'keys-')), 'fernet-keys'))
    repo.ensure()
    let now = 0
    const keys = new RepositoryFernet(repo, () => now)
    const before = keys.encrypt(Buffer.from('a'), 1)
    repo.rotate(3)
    repo.rotate(3)
    now += 1500
    const after = keys.encrypt(Buffer.from('b'), 1)
    // The new primary key encrypts; the one before the rotations no longer exists.
    assert.equal(keys.decrypt(after)?.plaintext.toString(), 'b')
    assert.equal(keys.decrypt(before), undefined)
  })
})
