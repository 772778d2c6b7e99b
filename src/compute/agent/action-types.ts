/** @module The contract between the compute agent and the actions it runs. */
import type { ImageCaller, ImageClient } from '../image-client.js'
import type { InstanceUpdate } from '../core/instance-spec.js'
import type { GuestSpec, VirtDriver } from '../virt/driver.js'

export interface ActionContext {
  driver: VirtDriver
  images: ImageClient
  host: string
  instanceId: string
  args: Readonly<Record<string, unknown>>
  nowIso(): string
  /** Moves the server on; throws Superseded when another request changed its task_state. */
  update(values: InstanceUpdate): Promise<void>
  /** instance.<name> notification about the server as it is now. */
  notify(eventType: string): Promise<void>
  /** Gives back what the server holds on this host (it left the hypervisor). */
  releaseClaim(): Promise<void>
  /** [compute] shelved_offload_time. */
  shelvedOffloadTime: number
}

export interface AgentAction {
  /** The task_state the API set before casting; null for actions that set none. */
  taskState: string | null
  /** Name of the instance action event (os-instance-actions). */
  event: string
  /** instance.<notification>.start/.end sent around run (unless run sends its own). */
  notification?: string
  /** The final update, or undefined when there is none (or run made it). */
  run(ctx: ActionContext): Promise<InstanceUpdate | undefined>
  /** Undoes what a failed run left behind (an image nobody will upload to). */
  cleanup?(ctx: ActionContext): Promise<void>
  /** A failure only reverts the task_state (Nova's reverts_task_state), never ERROR. */
  revertsOnError?: boolean
}

/** Thrown when the server's task_state is no longer the one this action set. */
export class Superseded extends Error {
  constructor() {
    super('the server was taken over by another request')
  }
}

/** The caller an image operation acts for (the API passes the requester along). */
export function imageCallerOf(args: Readonly<Record<string, unknown>>): ImageCaller {
  // SAFETY: the API puts a serialised Caller under `caller` for image actions.
  return args.caller as ImageCaller
}

export function specOf(args: Readonly<Record<string, unknown>>): GuestSpec {
  // SAFETY: the API or conductor builds `spec` with guestSpecOf().
  return args.spec as GuestSpec
}
