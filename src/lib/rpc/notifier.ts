/**
 * @module Notifications (oslo.messaging's notifier): services announce what happened
 * ("image.create", "compute.instance.create.end") on the bus, fanned out to whoever listens
 * (telemetry, later); with no listener they are dropped, never queued.
 */
import { randomUUID } from 'node:crypto'
import type { Clock } from '../clock/clock.js'
import type { Logger } from '../log/logger.js'
import type { Bus } from './bus.js'

export const NOTIFICATIONS_TOPIC = 'notifications'

export type NotificationPriority = 'info' | 'warn' | 'error'

export interface Notification {
  message_id: string
  publisher_id: string
  event_type: string
  priority: NotificationPriority
  payload: unknown
  /** oslo's format: `2024-05-01 10:20:30.123456`. */
  timestamp: string
}

export class Notifier {
  readonly #bus: Bus
  readonly #publisherId: string
  readonly #clock: Clock
  readonly #log: Logger

  constructor(bus: Bus, options: { publisherId: string; clock: Clock; log: Logger }) {
    this.#bus = bus
    this.#publisherId = options.publisherId
    this.#clock = options.clock
    this.#log = options.log
  }

  /** Fire and forget: a notification never fails the operation it reports. */
  notify(eventType: string, payload: unknown, priority: NotificationPriority = 'info'): void {
    const message: Notification = {
      message_id: randomUUID(),
      publisher_id: this.#publisherId,
      event_type: eventType,
      priority,
      payload,
      timestamp: this.#clock.now().toISOString().replace('T', ' ').replace('Z', '000'),
    }
    this.#bus.fanout(NOTIFICATIONS_TOPIC, priority, message).catch((err: unknown) => {
      this.#log.warn({ err, eventType }, 'notification not sent')
    })
  }
}
