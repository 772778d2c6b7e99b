import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { silentLogger } from '../log/logger.js'
import { call, cast, defineRpc, rpcClient, serveRpc } from './define-rpc.js'
import { InProcessBus } from './in-process-bus.js'

const agentRpc = defineRpc('agent', {
  add: call<{ a: number; b: number }, number>(),
  note: cast<{ text: string }>(),
})

describe('typed RPC contracts', () => {
  it('routes calls and casts to the named server, with context', async () => {
    const bus = new InProcessBus(silentLogger())
    const notes: string[] = []
    await serveRpc(
      bus,
      agentRpc,
      { add: ({ a, b }) => a + b, note: ({ text }) => void notes.push(text) },
      { server: 'node1' },
    )
    const node1 = rpcClient(bus, agentRpc, { server: 'node1', context: { requestId: 'req-x' } })
    assert.equal(await node1.add({ a: 1, b: 2 }), 3)
    await node1.note({ text: 'hi' })
    await bus.idle()
    assert.deepEqual(notes, ['hi'])
    const node2 = rpcClient(bus, agentRpc, { server: 'node2' })
    await assert.rejects(node2.add({ a: 1, b: 1 }, { timeoutMs: 50 }), /Timed out/)
    await bus.close()
  })
})
