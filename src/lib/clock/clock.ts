/** @module The one source of time (no Date.now() elsewhere), so tests can inject a clock. */

export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number
  now(): Date
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  now: () => new Date(),
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  #ms: number
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#ms = startMs
  }
  nowMs(): number {
    return this.#ms
  }
  now(): Date {
    return new Date(this.#ms)
  }
  advance(ms: number): void {
    this.#ms += ms
  }
}
