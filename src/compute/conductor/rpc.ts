/** @module What the API and the agents may ask the conductor (Nova's conductor: orchestration and all database writes for hosts). */
import { call, cast, defineRpc } from '../../lib/rpc/define-rpc.js'
import type { InstanceUpdate } from '../core/instance-spec.js'
import type { Vif } from '../network-client.js'

/** A move the API accepted: the migration row exists and the server is in its first task_state. */
export interface MoveRequest {
  instanceId: string
  migrationId: number
  requestId: string
  /** A host the caller named (cold/live migration, evacuation). */
  host?: string
  /** Skip the scheduler's filters for `host` (forced live migration/evacuation). */
  force?: boolean
}

export const conductorRpc = defineRpc('compute-conductor', {
  /** Schedules and starts building servers the API recorded. */
  buildInstances: cast<{ instanceIds: string[]; requestId: string }>(),
  /** An agent changes an instance; refused (false) when it is not in one of the expected task states. */
  instanceUpdate: call<
    { instanceId: string; values: InstanceUpdate; expectedTaskStates?: (string | null)[] },
    boolean
  >(),
  /**
   * An agent could not build: release the claim and try another host, or fail the server
   * (at once when `reschedule` is false: Nova's BuildAbortException).
   */
  buildFailed: cast<{
    instanceId: string
    host: string
    message: string
    requestId: string
    reschedule?: boolean
  }>(),
  /** The server's network info cache. */
  networkInfo: call<{ instanceId: string }, Vif[]>(),
  /** Replaces the server's network info cache (after its ports changed). */
  saveNetworkInfo: call<{ instanceId: string; vifs: Vif[] }, undefined>(),
  /** An agent removed a guest: mark the server deleted and free what it held. */
  instanceDestroyed: call<{ instanceId: string }, undefined>(),
  /** An agent removed a shelved guest: free what the server held on its host. */
  instanceOffloaded: call<{ instanceId: string }, undefined>(),
  /** Sends a versioned notification about the server as it is now (instance.<action>.start...). */
  notify: cast<{ instanceId: string; eventType: string }>(),
  /** Records the start or end of a step of an instance action (os-instance-actions events). */
  actionEvent: call<
    {
      instanceId: string
      requestId: string
      event: string
      phase: 'start' | 'finish'
      result?: 'Success' | 'Error'
      message?: string
      host: string
    },
    undefined
  >(),
  /** Records a fault on the server (shown while it is in ERROR). */
  addFault: call<
    { instanceId: string; code: number; message: string; details: string; host: string | null },
    undefined
  >(),
  /** Heartbeat and resource report of a compute agent. */
  reportHost: call<
    {
      host: string
      binary: string
      resources: {
        hypervisorHostname: string
        hypervisorType: string
        hypervisorVersion: number
        vcpus: number
        memoryMb: number
        localGb: number
        cpuInfo: string
        hostIp: string
      }
      runningVms: number
    },
    undefined
  >(),
  /** Resize or cold migration: schedule, move the guest, leave the server in VERIFY_RESIZE. */
  migrateServer: cast<MoveRequest>(),
  /** Drops the source side of a finished resize. */
  confirmResize: cast<MoveRequest>(),
  /** Moves a finished resize back to its source host and flavor. */
  revertResize: cast<MoveRequest>(),
  liveMigrate: cast<MoveRequest>(),
  /** Rebuilds the server on another host while its own host is down. */
  evacuate: cast<MoveRequest & { adminPass: string | null }>(),
  /** The servers the database places on `host` (for the agent's power-state sync). */
  instancesOnHost: call<
    { host: string },
    { id: string; vm_state: string; task_state: string | null; power_state: number }[]
  >(),
  /** Servers evacuated away from `host` while it was down (its restarted agent removes them). */
  evacuatedFrom: call<{ host: string }, string[]>(),
  /** The restarted agent of `host` removed its evacuated guests: free their old claims. */
  evacuationsCleaned: call<{ host: string }, undefined>(),
  /** Places a shelved-offloaded server on a host again. */
  unshelveInstance: cast<{
    instanceId: string
    requestId: string
    host?: string
    caller: { projectId: string; userId: string; isAdmin: boolean; requestId: string }
  }>(),
})
