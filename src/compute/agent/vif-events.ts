/**
 * @module Waiting for ports to be plugged (Nova's wait_for_instance_event around a spawn): a
 * build registers the ports it expects, the network service's `network-vif-plugged` events
 * (forwarded by the API) release them, and a port the network service already shows ACTIVE
 * counts as plugged, which is how ports come up in a world without L2 agents.
 */
import type { NetworkClient } from '../network-client.js'

/** Nova's VirtualInterfaceCreateException: the ports did not come up in time. */
export class VifPlugTimeout extends Error {
  constructor() {
    super('Virtual Interface creation failed')
    this.name = 'VifPlugTimeout'
  }
}

interface Waiter {
  pending: Set<string>
  failed: boolean
  wake: () => void
}

export class VifEvents {
  readonly #waiters = new Map<string, Waiter>()

  /** An external event for a server on this host (network-vif-plugged with the port as tag). */
  deliver(instanceId: string, name: string, tag: string | undefined, status: string): void {
    const w = this.#waiters.get(instanceId)
    if (!w || name !== 'network-vif-plugged' || tag === undefined || !w.pending.has(tag)) return
    if (status === 'failed') w.failed = true
    w.pending.delete(tag)
    w.wake()
  }

  /**
   * Resolves when every port is plugged (an event came, or the network service shows it
   * ACTIVE); throws VifPlugTimeout after `timeoutS`, or at once when the network service
   * reports a port failed. Polls the ports' status every `pollMs`.
   */
  async waitForPlugged(
    network: NetworkClient,
    instanceId: string,
    portIds: readonly string[],
    options: { timeoutS: number; pollMs?: number },
  ): Promise<void> {
    if (portIds.length === 0 || options.timeoutS <= 0) return
    const pollMs = options.pollMs ?? 100
    let wake = () => {}
    const waiter: Waiter = { pending: new Set(portIds), failed: false, wake: () => wake() }
    this.#waiters.set(instanceId, waiter)
    const deadline = Date.now() + options.timeoutS * 1000
    try {
      for (;;) {
        const statuses = await network.portStatuses([...waiter.pending])
        for (const id of [...waiter.pending])
          if (statuses[id] === 'ACTIVE') waiter.pending.delete(id)
        if (waiter.failed) throw new VifPlugTimeout()
        if (waiter.pending.size === 0) return
        const left = deadline - Date.now()
        if (left <= 0) throw new VifPlugTimeout()
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(pollMs, left))
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
      }
    } finally {
      this.#waiters.delete(instanceId)
    }
  }
}
