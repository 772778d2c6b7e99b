import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { NetworkClient } from '../network-client.js'
import { VifEvents, VifPlugTimeout } from './vif-events.js'

/** A network service whose ports stay as `statuses` says (only portStatuses is called). */
function network(statuses: Record<string, string>): NetworkClient {
  // SAFETY: the waiter only reads port statuses.
  return { portStatuses: () => Promise.resolve(statuses) } as unknown as NetworkClient
}

describe('waiting for ports to be plugged', () => {
  it('takes ports the network service shows ACTIVE as plugged', async () => {
    const events = new VifEvents()
    await events.waitForPlugged(network({ a: 'ACTIVE' }), 's1', ['a'], { timeoutS: 1 })
  })

  it('wakes on network-vif-plugged events', async () => {
    const events = new VifEvents()
    const waiting = events.waitForPlugged(network({ a: 'DOWN', b: 'DOWN' }), 's1', ['a', 'b'], {
      timeoutS: 5,
      pollMs: 1000,
    })
    await new Promise((r) => setTimeout(r, 10))
    events.deliver('s1', 'network-vif-plugged', 'a', 'completed')
    events.deliver('s2', 'network-vif-plugged', 'b', 'completed')
    events.deliver('s1', 'network-changed', 'b', 'completed')
    events.deliver('s1', 'network-vif-plugged', 'b', 'completed')
    await waiting
  })

  it('times out, or fails at once on a failed event', async () => {
    const events = new VifEvents()
    await assert.rejects(
      events.waitForPlugged(network({ a: 'DOWN' }), 's1', ['a'], { timeoutS: 0.05, pollMs: 10 }),
      VifPlugTimeout,
    )
    const failing = events.waitForPlugged(network({ a: 'DOWN' }), 's1', ['a'], {
      timeoutS: 5,
      pollMs: 1000,
    })
    await new Promise((r) => setTimeout(r, 10))
    events.deliver('s1', 'network-vif-plugged', 'a', 'failed')
    await assert.rejects(failing, VifPlugTimeout)
  })

  it('does not wait when vif_plugging_timeout is 0', async () => {
    const events = new VifEvents()
    await events.waitForPlugged(network({ a: 'DOWN' }), 's1', ['a'], { timeoutS: 0 })
  })
})
