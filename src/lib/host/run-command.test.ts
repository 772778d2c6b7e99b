import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { silentLogger } from '../log/logger.js'
import { HostCommandError, HostCommandRunner, RecordingCommandRunner } from './run-command.js'

describe('host command runner', () => {
  const runner = new HostCommandRunner(silentLogger())

  it('runs a command with stdin and returns its output', async () => {
    const r = await runner.run(['cat'], { input: 'hello' })
    assert.equal(r.code, 0)
    assert.equal(r.stdout, 'hello')
  })

  it('throws HostCommandError on a non-zero exit unless check is false', async () => {
    await assert.rejects(runner.run(['sh', '-c', 'echo oops >&2; exit 3']), (e: unknown) => {
      assert.ok(e instanceof HostCommandError)
      assert.equal(e.result.code, 3)
      assert.match(e.message, /exited with 3: oops/)
      return true
    })
    assert.equal((await runner.run(['false'], { check: false })).code, 1)
    assert.equal((await runner.run(['no-such-command-here'], { check: false })).code, 127)
  })

  it('prefixes commands for a network namespace, and records instead of running in tests', async () => {
    const recorder = new RecordingCommandRunner((argv) =>
      argv.includes('show') ? { stdout: 'br100' } : undefined,
    )
    const r = await recorder.run(['ip', 'link', 'show'], { netns: 'qdhcp-1' })
    assert.deepEqual(r.argv, ['ip', 'netns', 'exec', 'qdhcp-1', 'ip', 'link', 'show'])
    assert.equal(r.stdout, 'br100')
    assert.equal(recorder.calls.length, 1)
  })
})
