import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'

describe('compute versions and microversions', () => {
  let h: ComputeHarness
  before(async () => {
    h = await startComputeHarness()
  })
  after(async () => h.close())

  it('lists v2.0 then v2.1 at / without authentication or microversion headers', async () => {
    const res = await h.request('GET', '/', { token: '' })
    assert.equal(res.status, 200)
    assert.deepEqual(
      res.body.versions.map((v: { id: string }) => v.id),
      ['v2.0', 'v2.1'],
    )
    assert.equal(res.body.versions[1].version, '2.79')
    assert.equal(res.headers['x-openstack-nova-api-version'], undefined)
  })

  it('describes v2.1 and echoes the negotiated microversion', async () => {
    const res = await h.request('GET', '/v2.1/', { token: '', microversion: '2.53' })
    assert.equal(res.status, 200)
    assert.equal(res.body.version.id, 'v2.1')
    assert.equal(res.body.version.min_version, '2.1')
    assert.equal(res.headers['x-openstack-nova-api-version'], '2.53')
    assert.equal(res.headers['openstack-api-version'], 'compute 2.53')
    const legacy = await h.request('GET', '/v2/', { token: '' })
    assert.equal(legacy.body.version.id, 'v2.0')
  })

  it('answers latest with the maximum, 406 outside the range and 400 for nonsense', async () => {
    const latest = await h.request('GET', '/v2.1', {
      headers: { 'openstack-api-version': 'compute latest' },
    })
    assert.equal(latest.headers['x-openstack-nova-api-version'], '2.79')
    const high = await h.request('GET', '/v2.1', { microversion: '2.200' })
    assert.equal(high.status, 406)
    assert.equal(
      high.body.computeFault.message,
      'Version 2.200 is not supported by the API. Minimum is 2.1 and maximum is 2.79.',
    )
    const bad = await h.request('GET', '/v2.1', { microversion: '2.x' })
    assert.equal(bad.status, 400)
    assert.ok(bad.body.badRequest.message.includes('is of invalid format'))
  })
})
