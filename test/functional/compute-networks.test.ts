import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'

const GONE = {
  computeFault: {
    code: 410,
    message: 'This resource is no longer available.  No forwarding address is given.',
  },
}

describe('compute network proxies (no networks)', () => {
  let h: ComputeHarness
  let memberToken: string
  before(async () => {
    h = await startComputeHarness()
    memberToken = (await h.member('net-member')).token
  })
  after(async () => h.close())

  it('lists no networks and finds none, for members and admins', async () => {
    for (const collection of ['os-networks', 'os-tenant-networks']) {
      for (const token of [memberToken, h.adminToken]) {
        const list = await h.request('GET', `/v2.1/${collection}`, { token })
        assert.equal(list.status, 200)
        assert.deepEqual(list.body, { networks: [] })
        const show = await h.request('GET', `/v2.1/${collection}/some-net`, { token })
        assert.equal(show.status, 404)
        assert.deepEqual(show.body, { itemNotFound: { code: 404, message: 'Network not found' } })
      }
      const at235 = await h.request('GET', `/v2.1/${collection}`, { microversion: '2.35' })
      assert.equal(at235.status, 200)
    }
  })

  it('is gone from microversion 2.36', async () => {
    for (const path of ['/v2.1/os-networks', '/v2.1/os-tenant-networks', '/v2.1/os-networks/x']) {
      const res = await h.request('GET', path, { microversion: '2.36' })
      assert.equal(res.status, 404, path)
      assert.equal(res.body.itemNotFound.message, 'The resource could not be found.')
    }
  })

  it('answers 410 to what left with nova-network, at every microversion', async () => {
    const calls: [string, string, unknown][] = [
      ['POST', '/v2.1/os-networks', { network: { label: 'x' } }],
      ['POST', '/v2.1/os-networks/add', { id: null }],
      ['DELETE', '/v2.1/os-networks/x', undefined],
      ['POST', '/v2.1/os-networks/x/action', { disassociate: null }],
      ['POST', '/v2.1/os-networks/x/action', { associate_host: 'h' }],
      ['POST', '/v2.1/os-networks/x/action', { disassociate_host: null }],
      ['POST', '/v2.1/os-networks/x/action', { disassociate_project: null }],
      ['POST', '/v2.1/os-tenant-networks', { network: { label: 'x' } }],
      ['DELETE', '/v2.1/os-tenant-networks/x', undefined],
    ]
    for (const [method, path, body] of calls) {
      for (const microversion of ['2.1', '2.79']) {
        const res = await h.request(method, path, { body, microversion, token: memberToken })
        assert.equal(res.status, 410, `${method} ${path} ${microversion}`)
        assert.deepEqual(res.body, GONE)
      }
    }
  })

  it('refuses malformed and unknown network actions', async () => {
    const action = (body: unknown) => h.request('POST', '/v2.1/os-networks/x/action', { body })
    assert.equal(
      (await action({ foo: null })).body.badRequest.message,
      'There is no such action: foo',
    )
    for (const body of [{}, { disassociate: null, foo: 1 }, [1]]) {
      const res = await action(body)
      assert.equal(res.status, 400)
      assert.equal(res.body.badRequest.message, 'Malformed request body')
    }
  })
})
