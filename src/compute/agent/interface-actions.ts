/**
 * @module What the compute agent does for os-interface and for the network service's events:
 * an interface attached (a call: the API answers with the port) or detached (a cast), each
 * recorded as an instance action event with its notifications; network-changed and
 * network-vif-deleted refresh the server's info cache.
 */
import { computeErrors } from '../errors.js'
import type { Vif } from '../network-client.js'
import {
  type AttachRequest,
  attachInterface,
  detachInterface,
  type NetworkSteps,
  refreshNetworkInfo,
  serviceCaller,
} from './network-steps.js'

/** The agent's instance action events and notifications. */
export interface Recorder {
  event: (
    instanceId: string,
    requestId: string,
    event: string,
    phase: 'start' | 'finish',
    result?: 'Success' | 'Error',
    message?: string,
  ) => Promise<void>
  notify: (instanceId: string, eventType: string) => Promise<void>
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err))

export async function attachInterfaceAction(
  net: NetworkSteps | undefined,
  rec: Recorder,
  req: AttachRequest & { requestId: string },
): Promise<Vif> {
  if (!net) throw computeErrors.notImplemented('The requested functionality is not supported.')
  const event = 'compute_attach_interface'
  await rec.event(req.instanceId, req.requestId, event, 'start')
  await rec.notify(req.instanceId, 'instance.interface_attach.start')
  try {
    const vif = await attachInterface(net, req)
    await rec.notify(req.instanceId, 'instance.interface_attach.end')
    await rec.event(req.instanceId, req.requestId, event, 'finish', 'Success')
    return vif
  } catch (err) {
    await rec.notify(req.instanceId, 'instance.interface_attach.error')
    await rec.event(req.instanceId, req.requestId, event, 'finish', 'Error', messageOf(err))
    throw err
  }
}

/** A cast: a port that is not attached only ends the action event in error, as in Nova. */
export async function detachInterfaceAction(
  net: NetworkSteps | undefined,
  rec: Recorder,
  req: { instanceId: string; portId: string; requestId: string } & {
    caller: Parameters<typeof detachInterface>[3]
  },
): Promise<void> {
  if (!net) return
  const event = 'compute_detach_interface'
  await rec.event(req.instanceId, req.requestId, event, 'start')
  try {
    await rec.notify(req.instanceId, 'instance.interface_detach.start')
    await detachInterface(net, req.instanceId, req.portId, req.caller)
    await rec.notify(req.instanceId, 'instance.interface_detach.end')
    await rec.event(req.instanceId, req.requestId, event, 'finish', 'Success')
  } catch (err) {
    await rec.event(req.instanceId, req.requestId, event, 'finish', 'Error', messageOf(err))
  }
}

/**
 * Nova's external_instance_event for the events that change a server's ports: the info cache
 * is read again (a deleted port is unplugged from the guest first).
 */
export async function externalNetworkEvent(
  net: NetworkSteps | undefined,
  e: { instanceId: string; name: string; tag?: string },
): Promise<void> {
  if (!net || (e.name !== 'network-changed' && e.name !== 'network-vif-deleted')) return
  const deleted = e.name === 'network-vif-deleted' ? e.tag : undefined
  if (deleted !== undefined) await net.driver.detachInterface(e.instanceId, deleted)
  await refreshNetworkInfo(net, serviceCaller(''), e.instanceId, (cached) =>
    cached.filter((v) => v.id !== deleted),
  )
}
