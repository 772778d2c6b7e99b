/**
 * @module Nova's two timestamp styles (nova/utils.py isotime vs oslo jsonutils): servers say
 * `2013-09-03T04:01:32Z`; most other resources say `2013-09-23T13:37:00.000000` (microseconds,
 * no zone). Stored values are ISO strings from Date.toISOString().
 */

/** `2013-09-03T04:01:32Z`. */
export function isoSeconds(iso: string): string
export function isoSeconds(iso: string | null): string | null
export function isoSeconds(iso: string | null): string | null {
  return iso === null ? null : `${iso.slice(0, 19)}Z`
}

/** `2013-09-23T13:37:00.000000`. */
export function isoMicros(iso: string): string
export function isoMicros(iso: string | null): string | null
export function isoMicros(iso: string | null): string | null {
  return iso === null ? null : `${iso.slice(0, 23)}000`
}
