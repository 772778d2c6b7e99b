import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { isValidEndpointUrl } from './endpoint-url.js'

// Expected verdicts checked against Python 3.11's `url % {whitelisted: ''}`.
const CASES: [string, boolean][] = [
  ['http://h:5000/v3', true],
  ['http://h/v2/%(tenant_id)s', true],
  ['http://h/v2/$(project_id)s', true],
  ['http://h/v2/%(foo)s', false],
  ['http://h/%20x', false],
  ['http://h/%%', true],
  ['http://h/%s', true],
  ['http://h/%s%s', false],
  ['http://h/%d', false],
  ['http://h/%(project_id)d', false],
  ['http://h/%(project_id)5s', true],
  ['http://h/%(project_id)*s', false],
  ['http://h/%(project_id)s%s', false],
  ['http://h/%s%(project_id)s', true],
  ['http://h/%(project_id', false],
  ['http://h/100%', false],
  ['http://h/%5%', false],
  ['http://h/%(user_id)r', true],
]

describe('isValidEndpointUrl', () => {
  for (const [url, valid] of CASES) {
    it(`${valid ? 'accepts' : 'refuses'} ${url}`, () =>
      assert.equal(isValidEndpointUrl(url), valid))
  }
})
