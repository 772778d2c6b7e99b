/**
 * @module The bus for the all-in-one: one process, but every payload, context and reply is
 * serialised to JSON and every delivery happens on a later tick, so nothing works only because
 * it shares memory or runs synchronously.
 */
import { AppError, isAppError } from '../errors/app-error.js'
import type { Logger } from '../log/logger.js'
import type { Bus, CallOptions, RpcHandler, RpcReply, RpcServer } from './bus.js'

interface Envelope {
  method: string
  payload: string
  context: string
  reply?: (reply: string) => void
}

interface Subscriber {
  handlers: Readonly<Record<string, RpcHandler>>
  stopped: boolean
}

const DEFAULT_TIMEOUT_MS = 60_000
/** Messages held for a topic nobody serves yet. */
const MAX_HELD = 10_000

export function serializeError(err: unknown): RpcReply {
  if (isAppError(err)) return { ok: false, error: err.toJSON() }
  const message = err instanceof Error ? err.message : String(err)
  return {
    ok: false,
    error: { code: 'RPC_REMOTE_ERROR', kind: 'Unavailable', status: 500, message, details: {} },
  }
}

export class InProcessBus implements Bus {
  readonly #log: Logger
  readonly #topics = new Map<string, Subscriber[]>()
  readonly #waiting = new Map<string, Envelope[]>()
  readonly #inFlight = new Set<Promise<void>>()
  #next = 0
  #closed = false

  constructor(log: Logger) {
    this.#log = log
  }

  call(
    topic: string,
    method: string,
    payload: unknown,
    options: CallOptions = {},
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
      const timer = setTimeout(() => {
        // An unanswered call no longer waits for a server to appear.
        const queue = this.#waiting.get(topic)
        if (queue)
          this.#waiting.set(
            topic,
            queue.filter((e) => e !== envelope),
          )
        reject(
          new AppError({
            code: 'RPC_TIMEOUT',
            kind: 'Unavailable',
            message: `Timed out after ${timeoutMs} ms waiting for a reply to ${topic}.${method}.`,
          }),
        )
      }, timeoutMs)
      const envelope: Envelope = {
        method,
        payload: JSON.stringify(payload ?? null),
        context: JSON.stringify(options.context ?? {}),
        reply: (text) => {
          clearTimeout(timer)
          const reply = JSON.parse(text) as RpcReply
          if (reply.ok) resolve(reply.result)
          else reject(AppError.fromJSON(reply.error))
        },
      }
      this.#send(topic, envelope)
    })
  }

  cast(topic: string, method: string, payload: unknown, options: CallOptions = {}): Promise<void> {
    this.#send(topic, {
      method,
      payload: JSON.stringify(payload ?? null),
      context: JSON.stringify(options.context ?? {}),
    })
    return Promise.resolve()
  }

  fanout(
    topic: string,
    method: string,
    payload: unknown,
    options: CallOptions = {},
  ): Promise<void> {
    const envelope = {
      method,
      payload: JSON.stringify(payload ?? null),
      context: JSON.stringify(options.context ?? {}),
    }
    for (const sub of this.#topics.get(topic) ?? []) this.#deliver(topic, sub, envelope)
    return Promise.resolve()
  }

  serve(topic: string, handlers: Readonly<Record<string, RpcHandler>>): Promise<RpcServer> {
    const sub: Subscriber = { handlers, stopped: false }
    const subs = this.#topics.get(topic) ?? []
    subs.push(sub)
    this.#topics.set(topic, subs)
    for (const envelope of this.#waiting.get(topic) ?? []) this.#deliver(topic, sub, envelope)
    this.#waiting.delete(topic)
    return Promise.resolve({
      topic,
      stop: () => {
        sub.stopped = true
        const left = (this.#topics.get(topic) ?? []).filter((s) => s !== sub)
        if (left.length > 0) this.#topics.set(topic, left)
        else this.#topics.delete(topic)
        return Promise.resolve()
      },
    })
  }

  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
  }

  async close(): Promise<void> {
    this.#closed = true
    // Calls held for a server that will never come now fail at once, instead of when they time
    // out (a handler awaiting one would otherwise hold idle() for the whole timeout).
    const closed = JSON.stringify({
      ok: false,
      error: new AppError({
        code: 'RPC_CLOSED',
        kind: 'Unavailable',
        message: 'The bus is closed.',
      }).toJSON(),
    })
    for (const queue of this.#waiting.values()) for (const e of queue) e.reply?.(closed)
    this.#waiting.clear()
    await this.idle()
    this.#topics.clear()
    this.#waiting.clear()
  }

  #send(topic: string, envelope: Envelope): void {
    if (this.#closed)
      throw new AppError({ code: 'RPC_CLOSED', kind: 'Unavailable', message: 'The bus is closed.' })
    const subs = this.#topics.get(topic)
    if (!subs || subs.length === 0) {
      // Like a durable queue with no consumer yet: held until a server appears (bounded).
      const queue = this.#waiting.get(topic) ?? []
      if (queue.length >= MAX_HELD) {
        this.#log.warn({ topic, method: envelope.method }, 'no server for topic: message dropped')
        return
      }
      queue.push(envelope)
      this.#waiting.set(topic, queue)
      return
    }
    const sub = subs[this.#next++ % subs.length]
    if (sub) this.#deliver(topic, sub, envelope)
  }

  #deliver(topic: string, sub: Subscriber, envelope: Envelope): void {
    const task = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      let reply: RpcReply
      try {
        const handler = sub.handlers[envelope.method]
        if (!handler)
          throw new AppError({
            code: 'RPC_NO_SUCH_METHOD',
            kind: 'NotImplemented',
            message: `Topic ${topic} has no method ${envelope.method}.`,
          })
        const result: unknown = await handler(
          JSON.parse(envelope.payload),
          JSON.parse(envelope.context) as Record<string, unknown>,
        )
        reply = { ok: true, result: result ?? null }
      } catch (err) {
        if (!isAppError(err) || !envelope.reply)
          this.#log.error({ err, topic, method: envelope.method }, 'rpc handler failed')
        reply = serializeError(err)
      }
      envelope.reply?.(JSON.stringify(reply))
    })
    this.#inFlight.add(task)
    void task.finally(() => this.#inFlight.delete(task))
  }
}
