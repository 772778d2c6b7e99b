/** @module Picks the bus implementation from `[transport] url`. */
import type { Logger } from '../log/logger.js'
import type { Bus } from './bus.js'
import { InProcessBus } from './in-process-bus.js'

export function createBus(url: string, log: Logger): Bus {
  if (url === '' || url.startsWith('inproc:'))
    return new InProcessBus(log.child({ component: 'bus' }))
  if (url.startsWith('amqp:'))
    throw new Error(
      '[transport] url: the RabbitMQ (amqp://) transport is not implemented yet; use inproc:// (the all-in-one bus)',
    )
  throw new Error(
    `[transport] url "${url}" is not supported: use inproc:// or amqp://user:pass@host:5672/`,
  )
}
