/**
 * @module A compute agent (nova-compute): one per host, owning its hypervisor through a virt
 * driver. It builds, changes and removes guests when the control plane asks, reports its
 * capacity and heartbeat, and writes nothing itself: every state change goes through the
 * conductor, so hosts need no database credentials.
 */
import type { Clock } from '../../lib/clock/clock.js'
import { isAppError } from '../../lib/errors/app-error.js'
import type { Logger } from '../../lib/log/logger.js'
import type { Bus, RpcServer } from '../../lib/rpc/bus.js'
import { rpcClient, serveRpc } from '../../lib/rpc/define-rpc.js'
import { conductorRpc } from '../conductor/rpc.js'
import type { InstanceBuild, InstanceUpdate } from '../core/instance-spec.js'
import { computeErrors } from '../errors.js'
import type { ImageClient } from '../image-client.js'
import type { NetworkClient, Vif } from '../network-client.js'
import { POWER_STATES, type VirtDriver } from '../virt/driver.js'
import { type ActionContext, type AgentAction, Superseded } from './action-types.js'
import { AGENT_ACTIONS } from './actions.js'
import {
  attachInterfaceAction,
  detachInterfaceAction,
  externalNetworkEvent,
  type Recorder,
} from './interface-actions.js'
import {
  allocateForBuild,
  BuildAbort,
  deallocateNetwork,
  deallocateOnDelete,
  interfaceOf,
  type NetworkSteps,
  plugVifs,
  RefreshLocks,
  refreshNetworkInfo,
  requestedPortIds,
} from './network-steps.js'
import { computeAgentRpc, type GuestOp } from './rpc.js'
import { VifEvents } from './vif-events.js'

/** Nova's answer when the driver lacks a host operation (raise_feature_not_supported). */
function notSupported(): Error {
  return computeErrors.notImplemented('The requested functionality is not supported.')
}

export interface AgentDeps {
  bus: Bus
  clock: Clock
  log: Logger
  images: ImageClient
  /** The network service; absent when it is disabled (guests get no ports). */
  network?: NetworkClient | undefined
  /** [compute] vif_plugging_timeout (seconds; 0: do not wait) and vif_plugging_is_fatal. */
  vifPluggingTimeoutS?: number
  vifPluggingIsFatal?: boolean
  reportIntervalS: number
  /** [compute] shelved_offload_time (0: offload at once). */
  shelvedOffloadTime: number
  /** [compute] sync_power_state_interval (0: never). */
  syncPowerStateIntervalS: number
}

export class ComputeAgent {
  readonly host: string
  readonly driver: VirtDriver
  readonly #deps: AgentDeps
  readonly #conductor
  #server: RpcServer | undefined
  #timer: NodeJS.Timeout | undefined
  #syncTimer: NodeJS.Timeout | undefined
  /** Casts still running: stop() waits for them so no work outlives the service. */
  readonly #working = new Set<Promise<void>>()
  readonly #vifEvents = new VifEvents()
  readonly #refreshLocks = new RefreshLocks()
  /** How actions outside this class record their events and notifications. */
  readonly #recorder: Recorder = {
    event: (instanceId, requestId, event, phase, result, message) =>
      this.#event(instanceId, requestId, event, phase, result, message),
    notify: (instanceId, eventType) => this.#notify(instanceId, eventType),
  }

  constructor(deps: AgentDeps, host: string, driver: VirtDriver) {
    this.#deps = deps
    this.host = host
    this.driver = driver
    this.#conductor = rpcClient(deps.bus, conductorRpc)
  }

  async start(): Promise<void> {
    await this.report()
    await this.#destroyEvacuated()
    this.#server = await serveRpc(
      this.#deps.bus,
      computeAgentRpc,
      {
        buildAndRunInstance: ({ build, requestId }) =>
          this.#track(this.#build(build, requestId), build.instanceId),
        terminateInstance: ({ instanceId, requestId }) =>
          this.#track(this.#terminate(instanceId, requestId), instanceId),
        instanceAction: ({ instanceId, action, requestId, args }) =>
          this.#track(this.#action(instanceId, action, requestId, args ?? {}), instanceId),
        attachInterface: (req) => attachInterfaceAction(this.#net(), this.#recorder, req),
        detachInterface: (req) =>
          this.#track(detachInterfaceAction(this.#net(), this.#recorder, req), req.instanceId),
        externalInstanceEvent: (e) => {
          this.#vifEvents.deliver(e.instanceId, e.name, e.tag, e.status)
          return this.#track(externalNetworkEvent(this.#net(), e), e.instanceId)
        },
        getConsoleOutput: ({ instanceId, length }) =>
          this.driver.getConsoleOutput(instanceId, length),
        getVncConsole: ({ instanceId }) => this.driver.getVncConsole(instanceId),
        getDiagnostics: ({ instanceId }) => this.driver.getDiagnostics(instanceId),
        guestOp: (req) => this.#guestOp(req.instanceId, req),
        hostPowerAction: ({ action }) => {
          if (!this.driver.hostPowerAction) throw notSupported()
          return this.driver.hostPowerAction(action)
        },
        hostMaintenanceMode: ({ enabled }) => {
          if (!this.driver.setHostMaintenance) throw notSupported()
          return this.driver.setHostMaintenance(enabled)
        },
      },
      { server: this.host },
    )
    this.#timer = setInterval(() => {
      this.report().catch((err: unknown) =>
        this.#deps.log.warn({ err, host: this.host }, 'host report failed'),
      )
    }, this.#deps.reportIntervalS * 1000)
    this.#timer.unref()
    if (this.#deps.syncPowerStateIntervalS > 0) {
      this.#syncTimer = setInterval(() => {
        this.syncPowerStates().catch((err: unknown) =>
          this.#deps.log.warn({ err, host: this.host }, 'power state sync failed'),
        )
      }, this.#deps.syncPowerStateIntervalS * 1000)
      this.#syncTimer.unref()
    }
  }

  /**
   * Nova's _sync_power_states: the hypervisor is the truth for idle servers. A guest found off
   * (or gone) under an ACTIVE server makes it SHUTOFF; a guest running under a STOPPED server
   * is powered off again.
   */
  async syncPowerStates(): Promise<void> {
    const rows = await this.#conductor.instancesOnHost({ host: this.host })
    for (const row of rows) {
      if (row.task_state !== null) continue
      const power = await this.driver.getPowerState(row.id).catch(() => POWER_STATES.NOSTATE)
      const off =
        power === POWER_STATES.SHUTDOWN ||
        power === POWER_STATES.CRASHED ||
        power === POWER_STATES.NOSTATE
      if (row.vm_state === 'active' && off) {
        this.#deps.log.warn({ instanceId: row.id, power }, 'guest is off: server stopped')
        await this.#conductor.instanceUpdate({
          instanceId: row.id,
          values: { vm_state: 'stopped', power_state: power },
          expectedTaskStates: [null],
        })
      } else if (row.vm_state === 'stopped' && power === POWER_STATES.RUNNING) {
        await this.driver.powerOff(row.id)
        await this.#conductor.instanceUpdate({
          instanceId: row.id,
          values: { power_state: POWER_STATES.SHUTDOWN },
          expectedTaskStates: [null],
        })
      } else if (power !== row.power_state) {
        await this.#conductor.instanceUpdate({
          instanceId: row.id,
          values: { power_state: power },
          expectedTaskStates: [null],
        })
      }
    }
  }

  /** Runs a cast's work in the background (the caller does not wait for it). */
  #track(work: Promise<unknown>, instanceId: string): undefined {
    const task = work.then(
      () => undefined,
      (err: unknown) => this.#lost(err, instanceId),
    )
    this.#working.add(task)
    void task.finally(() => this.#working.delete(task))
    return undefined
  }

  /** A cast's work failed past its own error handling (e.g. the bus closed under it): log it. */
  #lost(err: unknown, instanceId: string): void {
    this.#deps.log.warn({ err, instanceId, host: this.host }, 'instance work abandoned')
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    if (this.#syncTimer) clearInterval(this.#syncTimer)
    await this.#server?.stop()
    while (this.#working.size > 0) await Promise.allSettled([...this.#working])
  }

  /** Heartbeat plus capacity (Nova's periodic update_available_resource). */
  async report(): Promise<void> {
    const resources = await this.driver.getHostResources()
    const runningVms = (await this.driver.listGuests()).length
    await this.#conductor.reportHost({
      host: this.host,
      binary: 'nova-compute',
      resources,
      runningVms,
    })
  }

  async #event(
    instanceId: string,
    requestId: string,
    event: string,
    phase: 'start' | 'finish',
    result?: 'Success' | 'Error',
    message?: string,
  ): Promise<void> {
    await this.#conductor.actionEvent({
      instanceId,
      requestId,
      event,
      phase,
      host: this.host,
      ...(result ? { result } : {}),
      ...(message === undefined ? {} : { message }),
    })
  }

  /** The agent's networking context, when this process has a network service. */
  #net(): NetworkSteps | undefined {
    const network = this.#deps.network
    if (!network) return undefined
    return {
      network,
      locks: this.#refreshLocks,
      driver: this.driver,
      host: this.host,
      conductor: this.#conductor,
      events: this.#vifEvents,
      plugTimeoutS: this.#deps.vifPluggingTimeoutS ?? 300,
      plugIsFatal: this.#deps.vifPluggingIsFatal ?? true,
    }
  }

  async #build(b: InstanceBuild, requestId: string): Promise<void> {
    const c = this.#conductor
    const net = this.#net()
    const event = 'compute__do_build_and_run_instance'
    await this.#event(b.instanceId, requestId, event, 'start')
    await this.#notify(b.instanceId, 'instance.create.start')
    // A build that lost its server (deleted meanwhile) gives back what it took.
    const abandon = async () => {
      await this.driver.destroy(b.instanceId).catch(() => undefined)
      if (net) await this.#releaseNetwork(net, b, requestId)
    }
    try {
      if (
        !(await c.instanceUpdate({
          instanceId: b.instanceId,
          values: { task_state: 'networking' },
          expectedTaskStates: ['scheduling'],
        }))
      )
        return
      let vifs: Vif[] = net ? await allocateForBuild(net, b) : []
      if (
        !(await c.instanceUpdate({
          instanceId: b.instanceId,
          values: { task_state: 'spawning' },
          expectedTaskStates: ['networking'],
        }))
      ) {
        await abandon()
        return
      }
      await this.driver.spawn({
        serverId: b.instanceId,
        name: b.name,
        vcpus: b.flavor.vcpus,
        memoryMb: b.flavor.memoryMb,
        rootGb: b.flavor.rootGb,
        ephemeralGb: b.flavor.ephemeralGb,
        swapMb: b.flavor.swapMb,
        imageId: b.imageId,
        imageProperties: b.imageProperties,
        userData: b.userData,
        powerOn: true,
      })
      if (net && vifs.length > 0) {
        for (const vif of vifs) await this.driver.attachInterface(b.instanceId, interfaceOf(vif))
        await plugVifs(net, b.instanceId, vifs)
        vifs = await refreshNetworkInfo(net, b.network.caller, b.instanceId)
      }
      const done = await c.instanceUpdate({
        instanceId: b.instanceId,
        values: {
          vm_state: 'active',
          task_state: null,
          power_state: POWER_STATES.RUNNING,
          launched_at: this.#deps.clock.now().toISOString(),
        },
        expectedTaskStates: ['spawning'],
      })
      if (!done) {
        // Deleted while building: the delete's terminate (or this) removes the guest.
        await abandon()
        return
      }
      await this.#event(b.instanceId, requestId, event, 'finish', 'Success')
      await this.#notify(b.instanceId, 'instance.create.end')
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      this.#deps.log.warn({ instanceId: b.instanceId, host: this.host, err }, 'spawn failed')
      await this.driver.destroy(b.instanceId).catch(() => undefined)
      if (net) await this.#releaseNetwork(net, b, requestId)
      await this.#event(b.instanceId, requestId, event, 'finish', 'Error', message)
      await c.buildFailed({
        instanceId: b.instanceId,
        host: this.host,
        message,
        requestId,
        reschedule: !(err instanceof BuildAbort),
      })
    }
  }

  /** A failed or lost build's ports go (the user's own are given back for the next host). */
  async #releaseNetwork(net: NetworkSteps, b: InstanceBuild, requestId: string): Promise<void> {
    await deallocateNetwork(net, b.instanceId, requestId, requestedPortIds(b)).catch(
      (err: unknown) =>
        this.#deps.log.warn({ err, instanceId: b.instanceId }, 'ports not given back'),
    )
  }

  async #terminate(instanceId: string, requestId: string): Promise<void> {
    await this.#event(instanceId, requestId, 'compute_terminate_instance', 'start')
    await this.driver.destroy(instanceId)
    const net = this.#net()
    const failure = net ? await deallocateOnDelete(net, instanceId, requestId) : undefined
    if (failure !== undefined) {
      this.#deps.log.error({ instanceId, failure }, 'ports not given back on delete')
      const ev = 'compute_terminate_instance'
      await this.#event(instanceId, requestId, ev, 'finish', 'Error', failure)
      return
    }
    await this.#conductor.instanceDestroyed({ instanceId })
    await this.#event(instanceId, requestId, 'compute_terminate_instance', 'finish', 'Success')
  }

  /** Nova's _destroy_evacuated_instances: guests moved away while this host was down. */
  async #destroyEvacuated(): Promise<void> {
    const ids = await this.#conductor.evacuatedFrom({ host: this.host })
    for (const id of ids) await this.driver.destroy(id)
    if (ids.length > 0) await this.#conductor.evacuationsCleaned({ host: this.host })
  }

  async #notify(instanceId: string, eventType: string): Promise<void> {
    await this.#conductor.notify({ instanceId, eventType })
  }

  async #guestOp(instanceId: string, req: GuestOp): Promise<number> {
    const d = this.driver
    if (req.op === 'spawn') await d.spawn(req.spec)
    else if (req.op === 'resize') await d.resize(instanceId, req.spec)
    else if (req.op === 'destroy') await d.destroy(instanceId)
    else if (req.op === 'powerOn') await d.powerOn(instanceId)
    else if (req.op === 'powerOff') await d.powerOff(instanceId)
    else await d.pause(instanceId)
    return d.getPowerState(instanceId)
  }

  /** The context an action runs in: its updates stay conditional on the task_state it set last. */
  #context(
    instanceId: string,
    action: AgentAction,
    args: Record<string, unknown>,
  ): { ctx: ActionContext; expected: () => string | null } {
    let expected = action.taskState
    const ctx: ActionContext = {
      driver: this.driver,
      images: this.#deps.images,
      host: this.host,
      instanceId,
      args,
      nowIso: () => this.#deps.clock.now().toISOString(),
      update: async (values: InstanceUpdate) => {
        const ok = await this.#conductor.instanceUpdate({
          instanceId,
          values,
          expectedTaskStates: [expected],
        })
        if (!ok) throw new Superseded()
        if (values.task_state !== undefined) expected = values.task_state
      },
      notify: (eventType) => this.#notify(instanceId, eventType),
      releaseClaim: async () => {
        await this.#conductor.instanceOffloaded({ instanceId })
      },
      shelvedOffloadTime: this.#deps.shelvedOffloadTime,
    }
    return { ctx, expected: () => expected }
  }

  async #action(
    instanceId: string,
    name: string,
    requestId: string,
    args: Record<string, unknown>,
  ): Promise<void> {
    const action = AGENT_ACTIONS[name]
    if (!action) {
      this.#deps.log.error({ instanceId, action: name }, 'unknown instance action')
      return
    }
    const { ctx, expected } = this.#context(instanceId, action, args)
    const note = action.notification
    await this.#event(instanceId, requestId, action.event, 'start')
    try {
      if (note) await ctx.notify(`instance.${note}.start`)
      const values = await action.run(ctx)
      if (values) {
        if (action.taskState === null) await this.#conductor.instanceUpdate({ instanceId, values })
        else await ctx.update(values)
      }
      if (note) await ctx.notify(`instance.${note}.end`)
      await this.#event(instanceId, requestId, action.event, 'finish', 'Success')
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      await action.cleanup?.(ctx).catch(() => undefined)
      if (!(err instanceof Superseded)) {
        this.#deps.log.warn({ instanceId, action: name, err }, 'instance action failed')
        const power = await this.driver.getPowerState(instanceId).catch(() => POWER_STATES.NOSTATE)
        // A refused action leaves the server as it was; a failure in the hypervisor is an ERROR.
        await this.#conductor.instanceUpdate({
          instanceId,
          values:
            action.revertsOnError === true || (isAppError(err) && err.status < 500)
              ? { task_state: null, power_state: power }
              : { vm_state: 'error', task_state: null, power_state: power },
          expectedTaskStates: [expected()],
        })
        if (note) await ctx.notify(`instance.${note}.error`)
      }
      await this.#event(instanceId, requestId, action.event, 'finish', 'Error', message)
    }
  }
}
