/**
 * @module The compute agent's side of networking (Nova's compute manager calling its network
 * API): ports for a build, plugging them and waiting until they are up, giving them back when a
 * build fails or a server goes, interfaces attached and detached on a running server, and the
 * network info cache kept current through the conductor.
 */
import type { RpcClient } from '../../lib/rpc/define-rpc.js'
import type { conductorRpc } from '../conductor/rpc.js'
import type { InstanceBuild } from '../core/instance-spec.js'
import { preservedPortIds } from '../core/servers/network-info.js'
import {
  type NetworkCaller,
  type NetworkClient,
  networkFailure,
  type RequestedNetwork,
  type Vif,
} from '../network-client.js'
import type { InterfaceAttachment, VirtDriver } from '../virt/driver.js'
import { type VifEvents, VifPlugTimeout } from './vif-events.js'

/** Nova's BuildAbortException: the build fails without trying another host. */
export class BuildAbort extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options)
    this.name = 'BuildAbort'
  }
}

/**
 * One network info refresh at a time per server (Nova's refresh_cache lock): a refresh reads
 * the network service and writes the cache, and two interleaved ones could leave a stale one.
 */
export class RefreshLocks {
  readonly #tails = new Map<string, Promise<unknown>>()

  run<T>(instanceId: string, work: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(instanceId) ?? Promise.resolve()
    const next = before.then(work, work)
    const tail = next.catch(() => undefined)
    this.#tails.set(instanceId, tail)
    void tail.then(() => {
      if (this.#tails.get(instanceId) === tail) this.#tails.delete(instanceId)
    })
    return next
  }
}

export interface NetworkSteps {
  network: NetworkClient
  locks: RefreshLocks
  driver: VirtDriver
  host: string
  conductor: RpcClient<typeof conductorRpc.methods>
  events: VifEvents
  /** [compute] vif_plugging_timeout (seconds) and vif_plugging_is_fatal. */
  plugTimeoutS: number
  plugIsFatal: boolean
}

const NETWORK_ABORT = 'Failed to allocate the network(s), not rescheduling.'

/** The service acting for itself (Nova's admin client): unbinding and deleting ports. */
export function serviceCaller(requestId: string): NetworkCaller {
  return { projectId: '', userId: '', isAdmin: true, requestId }
}

export function interfaceOf(vif: Vif): InterfaceAttachment {
  return { portId: vif.id, macAddress: vif.address, devName: vif.devname, vifDetails: vif.details }
}

/** Ports for a build, bound to this host; any refusal aborts the build (no reschedule). */
export async function allocateForBuild(s: NetworkSteps, b: InstanceBuild): Promise<Vif[]> {
  const n = b.network
  if (n.requested === 'none') return []
  try {
    const vifs = await s.network.allocateForInstance(n.caller, {
      instanceId: b.instanceId,
      projectId: b.projectId,
      host: s.host,
      availabilityZone: b.availabilityZone,
      requested: n.requested ?? undefined,
      securityGroups: n.securityGroups,
      canAttachExternal: n.canAttachExternal,
    })
    if (vifs.length > 0) await s.conductor.saveNetworkInfo({ instanceId: b.instanceId, vifs })
    return vifs
  } catch (err) {
    throw new BuildAbort(NETWORK_ABORT, { cause: err })
  }
}

/** The ports a build was given by the user: given back, never deleted, when it fails. */
export function requestedPortIds(b: InstanceBuild): string[] {
  const requested = b.network.requested
  return Array.isArray(requested)
    ? requested.map((r) => r.portId).filter((id): id is string => id !== undefined)
    : []
}

/**
 * The guest's ports are plugged (Nova's plug_vifs): the network service brings them up, and
 * the build waits for each to be ACTIVE (network-vif-plugged) up to vif_plugging_timeout. A
 * timeout fails the build when vif_plugging_is_fatal, else the build goes on.
 */
export async function plugVifs(s: NetworkSteps, instanceId: string, vifs: Vif[]): Promise<void> {
  const waiting = vifs.filter((v) => !v.active).map((v) => v.id)
  if (vifs.length === 0) return
  await s.network.vifsPlugged(
    s.host,
    vifs.map((v) => v.id),
  )
  try {
    await s.events.waitForPlugged(s.network, instanceId, waiting, { timeoutS: s.plugTimeoutS })
  } catch (err) {
    if (!(err instanceof VifPlugTimeout) || s.plugIsFatal) throw new BuildAbort(NETWORK_ABORT)
  }
}

/** Re-reads the server's ports from the network service into its info cache. */
export async function refreshNetworkInfo(
  s: Pick<NetworkSteps, 'network' | 'conductor' | 'locks'>,
  caller: NetworkCaller,
  instanceId: string,
  change?: (cached: Vif[]) => Vif[],
): Promise<Vif[]> {
  return s.locks.run(instanceId, async () => {
    const cached = await s.conductor.networkInfo({ instanceId })
    const vifs = await s.network.getInstanceNwInfo(
      caller,
      instanceId,
      change ? change(cached) : cached,
    )
    await s.conductor.saveNetworkInfo({ instanceId, vifs })
    return vifs
  })
}

/**
 * Gives the server's ports back (Nova's deallocate_for_instance): the ones made for it are
 * deleted, the ones the user brought are unbound, and the info cache is emptied.
 */
export async function deallocateNetwork(
  s: Pick<NetworkSteps, 'network' | 'conductor'>,
  instanceId: string,
  requestId: string,
  preserved?: string[],
): Promise<void> {
  const keep = preserved ?? preservedPortIds(await s.conductor.networkInfo({ instanceId }))
  await s.network.deallocateForInstance(serviceCaller(requestId), instanceId, keep)
  await s.conductor.saveNetworkInfo({ instanceId, vifs: [] })
}

/**
 * A deleted server's ports go; when they cannot, the server stays in ERROR so a delete can be
 * retried (Nova's _try_deallocate_network). Answers the failure, if any.
 */
export async function deallocateOnDelete(
  s: Pick<NetworkSteps, 'network' | 'conductor'>,
  instanceId: string,
  requestId: string,
): Promise<string | undefined> {
  try {
    await deallocateNetwork(s, instanceId, requestId)
    return undefined
  } catch (err) {
    await s.conductor.instanceUpdate({
      instanceId,
      values: { vm_state: 'error', task_state: null },
    })
    return err instanceof Error ? err.message : String(err)
  }
}

export interface AttachRequest {
  instanceId: string
  projectId: string
  availabilityZone: string
  caller: NetworkCaller
  request: RequestedNetwork
  canAttachExternal: boolean
}

/**
 * Nova's attach_interface on the host: one port (made on the network, or the user's own)
 * bound here, plugged into the guest, and added to the info cache. A failure to plug it gives
 * the port back.
 */
export async function attachInterface(s: NetworkSteps, req: AttachRequest): Promise<Vif> {
  const vifs = await s.network.allocateForInstance(req.caller, {
    instanceId: req.instanceId,
    projectId: req.projectId,
    host: s.host,
    availabilityZone: req.availabilityZone,
    requested: [req.request],
    securityGroups: [],
    canAttachExternal: req.canAttachExternal,
  })
  const [vif] = vifs
  const failed = () =>
    // Nova's InterfaceAttachFailed: a 500 with its message.
    networkFailure(
      'NovaException',
      'Unavailable',
      `Failed to attach network adapter device to ${req.instanceId}`,
      500,
    )
  if (vifs.length !== 1 || !vif) throw failed()
  try {
    await s.driver.attachInterface(req.instanceId, interfaceOf(vif))
  } catch {
    await s.network.deallocatePort(req.caller, vif.id, vif.preserveOnDelete)
    throw failed()
  }
  await s.network.vifsPlugged(s.host, [vif.id])
  const all = await refreshNetworkInfo(s, req.caller, req.instanceId, (cached) => [
    ...cached.filter((v) => v.id !== vif.id),
    vif,
  ])
  return all.find((v) => v.id === vif.id) ?? vif
}

/** Nova's detach_interface on the host: out of the guest, given back, out of the cache. */
export async function detachInterface(
  s: NetworkSteps,
  instanceId: string,
  portId: string,
  caller: NetworkCaller,
): Promise<void> {
  const cached = await s.conductor.networkInfo({ instanceId })
  const condemned = cached.find((v) => v.id === portId)
  if (!condemned) throw networkFailure('PortNotFound', 'NotFound', `Port ${portId} is not attached`)
  await s.driver.detachInterface(instanceId, portId)
  await s.network.deallocatePort(caller, portId, condemned.preserveOnDelete)
  await refreshNetworkInfo(s, caller, instanceId, (now) => now.filter((v) => v.id !== portId))
}
