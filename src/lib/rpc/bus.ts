/**
 * @module The RPC bus contract between roles of a service (API -> conductor -> scheduler ->
 * agent), as oslo.messaging offers it: `call` (request/reply to one server of a topic), `cast`
 * (fire and forget to one server) and `fanout` (to every server). Messages are plain JSON;
 * request context rides beside the payload. Implementations: InProcessBus; AmqpBus later.
 */
import type { SerializedAppError } from '../errors/app-error.js'

/** Who asked, carried over the bus (user, project, roles, request id): plain JSON. */
export type RpcContext = Readonly<Record<string, unknown>>

export type RpcHandler = (payload: unknown, context: RpcContext) => unknown

export interface CallOptions {
  /** Default 60 s, as oslo.messaging's rpc_response_timeout. */
  timeoutMs?: number
  context?: RpcContext
}

export interface RpcServer {
  readonly topic: string
  /** Stops taking new messages; in-flight handlers finish. */
  stop(): Promise<void>
}

export interface Bus {
  call(topic: string, method: string, payload: unknown, options?: CallOptions): Promise<unknown>
  cast(topic: string, method: string, payload: unknown, options?: CallOptions): Promise<void>
  fanout(topic: string, method: string, payload: unknown, options?: CallOptions): Promise<void>
  /** Serves `handlers` on `topic`; several servers of one topic share its calls and casts. */
  serve(topic: string, handlers: Readonly<Record<string, RpcHandler>>): Promise<RpcServer>
  /** Resolves when every message sent so far has been handled (for tests). */
  idle(): Promise<void>
  close(): Promise<void>
}

/** What travels back for a call: a JSON result or an error. */
export type RpcReply = { ok: true; result: unknown } | { ok: false; error: SerializedAppError }
