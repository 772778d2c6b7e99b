/** @module What the control plane may ask a compute agent (topic compute-agent.<host>). */
import { call, cast, defineRpc } from '../../lib/rpc/define-rpc.js'
import type { InstanceBuild } from '../core/instance-spec.js'
import type { NetworkCaller, RequestedNetwork, Vif } from '../network-client.js'
import type { GuestDiagnostics, GuestSpec, HostPowerAction } from '../virt/driver.js'

/** One hypervisor step the conductor drives during a move (resize, migration, evacuation, unshelve). */
export type GuestOp =
  | { op: 'spawn'; spec: GuestSpec }
  | { op: 'resize'; spec: GuestSpec }
  | { op: 'destroy' }
  | { op: 'powerOn' }
  | { op: 'powerOff' }
  | { op: 'pause' }

export const computeAgentRpc = defineRpc('compute-agent', {
  buildAndRunInstance: cast<{ build: InstanceBuild; requestId: string }>(),
  terminateInstance: cast<{ instanceId: string; requestId: string }>(),
  /** Power and lifecycle actions on an existing guest; the agent reports through the conductor. */
  instanceAction: cast<{
    instanceId: string
    action: string
    requestId: string
    args?: Record<string, unknown>
  }>(),
  /** Plugs one more port into a running guest (os-interface attach); answers its VIF. */
  attachInterface: call<
    {
      instanceId: string
      requestId: string
      projectId: string
      availabilityZone: string
      caller: NetworkCaller
      request: RequestedNetwork
      canAttachExternal: boolean
    },
    Vif
  >(),
  /** Unplugs a port from the guest and gives it back (os-interface detach). */
  detachInterface: cast<{
    instanceId: string
    requestId: string
    portId: string
    caller: NetworkCaller
  }>(),
  /** An event from another service about a server here (network-vif-plugged, network-changed...). */
  externalInstanceEvent: cast<{
    instanceId: string
    name: string
    tag?: string
    status: string
  }>(),
  /** A step of a move; answers the guest's power state afterwards. */
  guestOp: call<{ instanceId: string } & GuestOp, number>(),
  getConsoleOutput: call<{ instanceId: string; length?: number }, string>(),
  getVncConsole: call<{ instanceId: string }, { host: string; port: number }>(),
  getDiagnostics: call<{ instanceId: string }, GuestDiagnostics>(),
  /** os-hosts requests on the host itself; 501 when the driver cannot do them. */
  hostPowerAction: call<{ action: HostPowerAction }, string>(),
  hostMaintenanceMode: call<{ enabled: boolean }, string>(),
})
