import assert from 'node:assert/strict'
import { createHash, X509Certificate } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { findKeyPair } from '../../src/compute/core/keypairs.js'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'

type Json = Record<string, any>

// An ed25519 key and its MD5 fingerprint as `ssh-keygen -l -E md5` prints it.
const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test@host'
const ED25519_FP = '65:96:2d:fc:e8:d5:a9:11:64:0c:0f:ea:00:6e:5b:bd'

function md5Fingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.split(' ')[1] ?? '', 'base64')
  return (createHash('md5').update(blob).digest('hex').match(/../g) ?? []).join(':')
}

describe('compute keypairs', () => {
  let h: ComputeHarness
  let alice: { userId: string; projectId: string; token: string }
  let bob: { userId: string; projectId: string; token: string }
  before(async () => {
    h = await startComputeHarness()
    alice = await h.member('alice')
    bob = await h.member('bob')
  })
  after(async () => h.close())

  const kp = (
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; mv?: string } = {},
  ) =>
    h.request(method, `/v2.1/os-keypairs${path}`, {
      ...(opts.token ? { token: opts.token } : {}),
      ...(opts.body ? { body: opts.body } : {}),
      ...(opts.mv ? { microversion: opts.mv } : {}),
    })

  it('generates an RSA key at 2.1 (200) and shows it in list and show', async () => {
    const res = await kp('POST', '', { token: alice.token, body: { keypair: { name: 'gen' } } })
    assert.equal(res.status, 200)
    const k = res.body.keypair
    assert.deepEqual(Object.keys(k).sort(), [
      'fingerprint',
      'name',
      'private_key',
      'public_key',
      'user_id',
    ])
    assert.match(k.public_key, /^ssh-rsa AAAAB3NzaC1yc2E\S+ Generated-by-Nova$/)
    assert.match(k.private_key, /^-----BEGIN RSA PRIVATE KEY-----\n/)
    assert.equal(k.fingerprint, md5Fingerprint(k.public_key))
    assert.equal(k.user_id, alice.userId)

    const list = await kp('GET', '', { token: alice.token })
    assert.deepEqual(list.body, {
      keypairs: [
        { keypair: { name: 'gen', public_key: k.public_key, fingerprint: k.fingerprint } },
      ],
    })
    const show = await kp('GET', '/gen', { token: alice.token })
    const s = show.body.keypair
    assert.deepEqual(Object.keys(s).sort(), [
      'created_at',
      'deleted',
      'deleted_at',
      'fingerprint',
      'id',
      'name',
      'public_key',
      'updated_at',
      'user_id',
    ])
    assert.equal(typeof s.id, 'number')
    assert.equal(s.deleted, false)
    assert.equal(s.deleted_at, null)
    assert.equal(s.updated_at, null)
    assert.match(s.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/)
    const row = await findKeyPair(h.service.deps, alice.userId, 'gen')
    assert.equal(row?.public_key, k.public_key)

    // Other users neither list nor see it.
    assert.deepEqual((await kp('GET', '', { token: bob.token })).body, { keypairs: [] })
    const other = await kp('GET', '/gen', { token: bob.token })
    assert.equal(other.status, 404)
    assert.equal(other.body.itemNotFound.message, `Keypair gen not found for user ${bob.userId}`)

    const del = await kp('DELETE', '/gen', { token: alice.token })
    assert.equal(del.status, 202)
    assert.equal(del.text, '')
    assert.equal((await kp('DELETE', '/gen', { token: alice.token })).status, 404)
  })

  it('imports ssh keys (no private key) and refuses bad ones, duplicates and bad names', async () => {
    const res = await kp('POST', '', {
      token: bob.token,
      body: { keypair: { name: 'imported', public_key: ED25519 } },
    })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body.keypair, {
      name: 'imported',
      public_key: ED25519,
      fingerprint: ED25519_FP,
      user_id: bob.userId,
    })
    for (const key of ['ssh-rsa JUNK', ' ', `ssh-rsa ${'A'.repeat(2048)}`, 'ssh-rsa']) {
      const bad = await kp('POST', '', {
        token: bob.token,
        body: { keypair: { name: 'bad', public_key: key } },
      })
      assert.equal(bad.status, 400, key)
      assert.equal(
        bad.body.badRequest.message,
        'Keypair data is invalid: failed to generate fingerprint',
      )
    }
    const dup = await kp('POST', '', {
      token: bob.token,
      body: { keypair: { name: 'imported', public_key: ED25519 } },
    })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.conflictingRequest.message, "Key pair 'imported' already exists.")
    const names: [string, string][] = [
      ['', "Invalid input for field/attribute name. Value: . '' is too short"],
      [
        'a'.repeat(256),
        `Invalid input for field/attribute name. Value: ${'a'.repeat(256)}. '${'a'.repeat(256)}' is too long`,
      ],
      [
        'key_/.\\@:',
        "An invalid 'name' value was provided. The name must be: Only expected characters: [_- 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ]",
      ],
      [
        ' lead',
        "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.",
      ],
    ]
    for (const [name, message] of names) {
      const bad = await kp('POST', '', {
        token: bob.token,
        body: { keypair: { name, public_key: ED25519 } },
      })
      assert.equal(bad.status, 400, name)
      assert.equal(bad.body.badRequest.message, message)
    }
    const typed = await kp('POST', '', {
      token: bob.token,
      body: { keypair: { name: 'typed', type: 'ssh' } },
    })
    assert.equal(typed.status, 400, 'type is not known at 2.1')
    assert.equal((await kp('GET', '', { token: bob.token })).body.keypairs.length, 1)
  })

  it('adds type at 2.2: 201 create, 204 delete, x509 generation and import', async () => {
    const ssh = await kp('POST', '', {
      token: alice.token,
      mv: '2.2',
      body: { keypair: { name: 'ssh22' } },
    })
    assert.equal(ssh.status, 201)
    assert.equal(ssh.body.keypair.type, 'ssh')

    const x = await kp('POST', '', {
      token: alice.token,
      mv: '2.2',
      body: { keypair: { name: 'x509', type: 'x509' } },
    })
    assert.equal(x.status, 201)
    const cert = new X509Certificate(x.body.keypair.public_key)
    assert.equal(cert.subject, `CN=${alice.userId}`)
    const sha1 = createHash('sha1').update(cert.raw).digest('hex').match(/../g)?.join(':')
    assert.equal(x.body.keypair.fingerprint, sha1)
    assert.equal(x.body.keypair.type, 'x509')
    assert.ok(Buffer.from(x.body.keypair.private_key, 'base64').length > 1000)

    const imported = await kp('POST', '', {
      token: bob.token,
      mv: '2.2',
      body: {
        keypair: { name: 'x509-imported', type: 'x509', public_key: x.body.keypair.public_key },
      },
    })
    assert.equal(imported.status, 201)
    assert.equal(imported.body.keypair.fingerprint, sha1)
    assert.equal(imported.body.keypair.private_key, undefined)
    const badCert = await kp('POST', '', {
      token: bob.token,
      mv: '2.2',
      body: { keypair: { name: 'x2', type: 'x509', public_key: 'not a cert' } },
    })
    assert.equal(badCert.status, 400)
    const badType = await kp('POST', '', {
      token: bob.token,
      mv: '2.2',
      body: { keypair: { name: 'x3', type: 'rsa' } },
    })
    assert.equal(badType.status, 400)
    assert.equal(
      badType.body.badRequest.message,
      "Invalid input for field/attribute type. Value: rsa. 'rsa' is not one of ['ssh', 'x509']",
    )

    const list = await kp('GET', '', { token: alice.token, mv: '2.2' })
    assert.deepEqual(
      list.body.keypairs.map((k: Json) => [k.keypair.name, k.keypair.type]),
      [
        ['ssh22', 'ssh'],
        ['x509', 'x509'],
      ],
    )
    const show = await kp('GET', '/x509', { token: alice.token, mv: '2.2' })
    assert.equal(show.body.keypair.type, 'x509')
    const old = await kp('GET', '/x509', { token: alice.token })
    assert.equal(old.body.keypair.type, undefined)
    const del = await kp('DELETE', '/x509', { token: alice.token, mv: '2.2' })
    assert.equal(del.status, 204)
    assert.equal((await kp('DELETE', '/ssh22', { token: alice.token, mv: '2.2' })).status, 204)
  })

  it('lets admins act for other users from 2.10 and members only for themselves', async () => {
    const made = await kp('POST', '', {
      mv: '2.10',
      body: { keypair: { name: 'for-alice', user_id: alice.userId, public_key: ED25519 } },
    })
    assert.equal(made.status, 201)
    assert.equal(made.body.keypair.user_id, alice.userId)
    await kp('POST', '', {
      mv: '2.10',
      body: { keypair: { name: 'admins-own', public_key: ED25519 } },
    })
    const list = await kp('GET', `?user_id=${alice.userId}`, { mv: '2.10' })
    assert.deepEqual(
      list.body.keypairs.map((k: Json) => k.keypair.name),
      ['for-alice'],
    )
    const show = await kp('GET', `/for-alice?user_id=${alice.userId}`, { mv: '2.10' })
    assert.equal(show.body.keypair.user_id, alice.userId)
    // Before 2.10 user_id is ignored.
    assert.equal((await kp('GET', `/for-alice?user_id=${alice.userId}`, { mv: '2.9' })).status, 404)

    const forbidden = await kp('GET', `?user_id=${bob.userId}`, { token: alice.token, mv: '2.10' })
    assert.equal(forbidden.status, 403)
    assert.equal(
      forbidden.body.forbidden.message,
      "Policy doesn't allow os_compute_api:os-keypairs:index to be performed.",
    )
    const createForOther = await kp('POST', '', {
      token: alice.token,
      mv: '2.10',
      body: { keypair: { name: 'nope', user_id: bob.userId, public_key: ED25519 } },
    })
    assert.equal(createForOther.status, 403)
    assert.equal(
      (await kp('DELETE', `/imported?user_id=${bob.userId}`, { token: alice.token, mv: '2.10' }))
        .status,
      403,
    )
    const del = await kp('DELETE', `/for-alice?user_id=${alice.userId}`, { mv: '2.10' })
    assert.equal(del.status, 204)
    assert.equal((await kp('DELETE', '/admins-own', { mv: '2.10' })).status, 204)
  })

  it('pages from 2.35 and refuses unknown query parameters from 2.75', async () => {
    const carol = await h.member('carol')
    for (const name of ['k1', 'k2', 'k3'])
      await kp('POST', '', {
        token: carol.token,
        mv: '2.35',
        body: { keypair: { name, public_key: ED25519 } },
      })
    const page = await kp('GET', '?limit=2', { token: carol.token, mv: '2.35' })
    assert.deepEqual(
      page.body.keypairs.map((k: Json) => k.keypair.name),
      ['k1', 'k2'],
    )
    assert.match(page.body.keypairs_links[0].href, /\/v2\.1\/os-keypairs\?limit=2&marker=k2$/)
    const next = await kp('GET', '?limit=2&marker=k2', { token: carol.token, mv: '2.35' })
    assert.deepEqual(
      next.body.keypairs.map((k: Json) => k.keypair.name),
      ['k3'],
    )
    assert.equal(next.body.keypairs_links, undefined)
    const unpaged = await kp('GET', '?limit=1', { token: carol.token, mv: '2.34' })
    assert.equal(unpaged.body.keypairs.length, 3)
    const badMarker = await kp('GET', '?marker=zz', { token: carol.token, mv: '2.35' })
    assert.equal(badMarker.status, 400)
    assert.equal(badMarker.body.badRequest.message, 'Marker zz could not be found.')
    assert.equal((await kp('GET', '?foo=1', { token: carol.token, mv: '2.74' })).status, 200)
    const strict = await kp('GET', '?foo=1', { token: carol.token, mv: '2.75' })
    assert.equal(strict.status, 400)
    assert.equal((await kp('GET', '/k1?foo=1', { token: carol.token, mv: '2.75' })).status, 400)
  })

  it('counts key pairs against the key_pairs quota', async () => {
    const dave = await h.member('dave')
    const set = await h.request('PUT', `/v2.1/os-quota-sets/${dave.projectId}`, {
      body: { quota_set: { key_pairs: 1 } },
    })
    assert.equal(set.status, 200)
    const first = await kp('POST', '', {
      token: dave.token,
      body: { keypair: { name: 'one', public_key: ED25519 } },
    })
    assert.equal(first.status, 200)
    const second = await kp('POST', '', {
      token: dave.token,
      body: { keypair: { name: 'two', public_key: ED25519 } },
    })
    assert.equal(second.status, 403)
    assert.equal(second.body.forbidden.message, 'Quota exceeded, too many key pairs.')
    assert.equal((await kp('GET', '', { token: dave.token })).body.keypairs.length, 1)
  })
})
