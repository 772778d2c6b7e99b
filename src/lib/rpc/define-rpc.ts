/**
 * @module Typed RPC contracts over the bus: a role declares what others may ask it
 * (`call` = request/reply, `cast` = fire and forget), callers get a typed client, the role
 * serves an implementation. Host-bound roles listen on `<topic>.<server>` (compute agents).
 */
import type { Bus, CallOptions, RpcContext, RpcServer } from './bus.js'

export interface CallMethod<Req, Res> {
  readonly kind: 'call'
  /** Phantom field: carries the request and reply types. */
  readonly types?: (req: Req) => Res
}

export interface CastMethod<Req> {
  readonly kind: 'cast'
  readonly types?: (req: Req) => void
}

export type RpcMethod = CallMethod<never, unknown> | CastMethod<never>

export function call<Req, Res>(): CallMethod<Req, Res> {
  return { kind: 'call' }
}

export function cast<Req>(): CastMethod<Req> {
  return { kind: 'cast' }
}

export interface RpcContract<M extends Record<string, RpcMethod>> {
  readonly topic: string
  readonly methods: M
}

export function defineRpc<M extends Record<string, RpcMethod>>(
  topic: string,
  methods: M,
): RpcContract<M> {
  return { topic, methods }
}

type RequestOf<T> =
  T extends CallMethod<infer Req, unknown> ? Req : T extends CastMethod<infer Req> ? Req : never
type ReplyOf<T> = T extends CallMethod<never, infer Res> ? Res : undefined

export type RpcClient<M extends Record<string, RpcMethod>> = {
  [K in keyof M]: (request: RequestOf<M[K]>, options?: CallOptions) => Promise<ReplyOf<M[K]>>
}

export type RpcImplementation<M extends Record<string, RpcMethod>> = {
  [K in keyof M]: (
    request: RequestOf<M[K]>,
    context: RpcContext,
  ) => Promise<ReplyOf<M[K]>> | ReplyOf<M[K]>
}

function topicOf(
  contract: RpcContract<Record<string, RpcMethod>>,
  server: string | undefined,
): string {
  return server === undefined ? contract.topic : `${contract.topic}.${server}`
}

/** A typed client; `server` targets one host's agent (`compute-agent.<host>`). */
export function rpcClient<M extends Record<string, RpcMethod>>(
  bus: Bus,
  contract: RpcContract<M>,
  options: { server?: string; context?: RpcContext } = {},
): RpcClient<M> {
  const topic = topicOf(contract, options.server)
  const client: Record<string, (request: unknown, callOptions?: CallOptions) => Promise<unknown>> =
    {}
  for (const [name, method] of Object.entries(contract.methods)) {
    client[name] = (request, callOptions = {}) => {
      const opts: CallOptions = {
        ...callOptions,
        context: { ...options.context, ...callOptions.context },
      }
      return method.kind === 'call'
        ? bus.call(topic, name, request, opts)
        : bus.cast(topic, name, request, opts)
    }
  }
  // SAFETY: one function per contract method, calling the bus with that method's name.
  return client as RpcClient<M>
}

/** Serves `impl` for the contract (on `<topic>.<server>` when a server is given). */
export function serveRpc<M extends Record<string, RpcMethod>>(
  bus: Bus,
  contract: RpcContract<M>,
  impl: RpcImplementation<M>,
  options: { server?: string } = {},
): Promise<RpcServer> {
  const handlers: Record<string, (payload: unknown, context: RpcContext) => unknown> = {}
  for (const name of Object.keys(contract.methods)) {
    // SAFETY: impl has one function per contract method; payloads arrive as the contract says.
    const fn = impl[name] as (payload: unknown, context: RpcContext) => unknown
    handlers[name] = (payload, context) => fn(payload, context)
  }
  return bus.serve(topicOf(contract, options.server), handlers)
}
