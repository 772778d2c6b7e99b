/**
 * @module The behaviour every Bus implementation must show; each implementation's test runs it.
 */
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { AppError } from '../errors/app-error.js'
import type { Bus } from './bus.js'

export function describeBus(name: string, makeBus: () => Promise<Bus>): void {
  describe(`${name}: bus conformance`, () => {
    const buses: Bus[] = []
    const open = async (): Promise<Bus> => {
      const bus = await makeBus()
      buses.push(bus)
      return bus
    }
    after(async () => {
      for (const bus of buses) await bus.close()
    })

    it('call returns the handler result as JSON and carries the context', async () => {
      const bus = await open()
      await bus.serve('t-call', {
        add: (p, ctx) => {
          const { a, b } = p as { a: number; b: number }
          return { sum: a + b, requestId: ctx.requestId, when: new Date(0) }
        },
      })
      const reply = await bus.call(
        't-call',
        'add',
        { a: 2, b: 3 },
        { context: { requestId: 'req-1' } },
      )
      assert.deepEqual(reply, { sum: 5, requestId: 'req-1', when: '1970-01-01T00:00:00.000Z' })
    })

    it('call rebuilds AppErrors and reports unknown methods', async () => {
      const bus = await open()
      await bus.serve('t-err', {
        fail: () => {
          throw new AppError({ code: 'X_NOT_FOUND', kind: 'NotFound', message: 'No such thing.' })
        },
      })
      await assert.rejects(bus.call('t-err', 'fail', {}), (err: unknown) => {
        assert.ok(err instanceof AppError)
        assert.equal(err.code, 'X_NOT_FOUND')
        assert.equal(err.status, 404)
        return true
      })
      await assert.rejects(bus.call('t-err', 'nope', {}), /no method nope/)
    })

    it('call times out when nobody answers', async () => {
      const bus = await open()
      await assert.rejects(bus.call('t-nobody', 'x', {}, { timeoutMs: 50 }), /Timed out/)
    })

    it('cast is delivered later, never during the send', async () => {
      const bus = await open()
      const seen: unknown[] = []
      await bus.serve('t-cast', { note: (p) => void seen.push(p) })
      await bus.cast('t-cast', 'note', { n: 1 })
      assert.deepEqual(seen, [])
      await bus.idle()
      assert.deepEqual(seen, [{ n: 1 }])
    })

    it('casts are shared between servers of a topic; fanout reaches every server', async () => {
      const bus = await open()
      const a: unknown[] = []
      const b: unknown[] = []
      await bus.serve('t-share', { m: (p) => void a.push(p) })
      await bus.serve('t-share', { m: (p) => void b.push(p) })
      for (let i = 0; i < 4; i++) await bus.cast('t-share', 'm', i)
      await bus.idle()
      assert.equal(a.length + b.length, 4)
      assert.ok(a.length > 0 && b.length > 0)
      await bus.fanout('t-share', 'm', 'all')
      await bus.idle()
      assert.ok(a.includes('all') && b.includes('all'))
    })

    it('a message sent before its server starts is delivered when it does', async () => {
      const bus = await open()
      const reply = bus.call('t-late', 'ping', {}, { timeoutMs: 2000 })
      await bus.serve('t-late', { ping: () => 'pong' })
      assert.equal(await reply, 'pong')
    })
  })
}
