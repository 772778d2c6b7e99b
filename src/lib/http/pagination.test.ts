import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { AppError } from '../errors/app-error.js'
import { nextPageHref, parsePageQuery } from './pagination.js'

describe('limit/marker pagination', () => {
  it('defaults and clamps the limit, keeps the marker', () => {
    assert.deepEqual(parsePageQuery({}, { maxLimit: 1000 }), { limit: 1000, marker: undefined })
    assert.deepEqual(parsePageQuery({ limit: '5', marker: 'abc' }, { maxLimit: 1000 }), {
      limit: 5,
      marker: 'abc',
    })
    assert.equal(parsePageQuery({ limit: '5000' }, { maxLimit: 1000 }).limit, 1000)
  })

  it('refuses negative and non-numeric limits with a 400', () => {
    for (const limit of ['-1', 'ten', '1.5'])
      assert.throws(
        () => parsePageQuery({ limit }, { maxLimit: 10 }),
        (e: unknown) => e instanceof AppError && e.status === 400,
      )
  })

  it('builds the next link from the query, replacing marker and limit', () => {
    assert.equal(
      nextPageHref(
        'http://h/v2.1/servers',
        { name: 'a', limit: '2', marker: 'old', tag: ['x', 'y'] },
        'last',
        2,
      ),
      'http://h/v2.1/servers?name=a&tag=x&tag=y&limit=2&marker=last',
    )
  })
})
