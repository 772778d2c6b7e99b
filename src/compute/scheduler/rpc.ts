/** @module What the conductor may ask the scheduler. */
import { call, defineRpc } from '../../lib/rpc/define-rpc.js'
import type { RequestSpec } from './host-state.js'

export interface Destination {
  host: string
  node: string
  nodeId: string
  availabilityZone: string
}

export const schedulerRpc = defineRpc('compute-scheduler', {
  /**
   * Picks a host for the request and claims its resources there (atomically); undefined with
   * the reason when no host fits.
   */
  selectDestination: call<
    { spec: RequestSpec },
    { destination?: Destination; noValidHost?: string }
  >(),
  /** Frees what a server holds on its node (deleted, failed build, moved away). */
  releaseClaim: call<{ instanceId: string }, undefined>(),
})
