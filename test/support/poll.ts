/**
 * @module Polling for tests that watch asynchronous work (builds, imports, event records).
 * The timeout is a ceiling for a loaded CI machine, never a speed assertion.
 */

export const POLL_TIMEOUT_MS = 30_000

/** Calls `probe` until `done` holds for its result, and returns that result. */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = POLL_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (done(value)) return value
    if (Date.now() > deadline)
      throw new Error(`${what}: still not there after ${timeoutMs} ms: ${JSON.stringify(value)}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
