/**
 * @module The timestamp formats OpenStack APIs emit. Clients parse them strictly (gophercloud
 * fails on a stray `Z` in some fields and on a missing one in others), so every field names
 * its format from this table instead of calling toISOString().
 */

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

function parts(date: Date): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  )
}

/** `2015-11-05T22:00:11.000000Z`: Keystone token expires_at/issued_at. */
export function isoMicrosZ(date: Date): string {
  return `${parts(date)}.${pad(date.getUTCMilliseconds(), 3)}000Z`
}

/** `2016-11-06T15:32:17.000000`: Keystone password_expires_at, Nova launched_at, Cinder. */
export function isoMicros(date: Date): string {
  return `${parts(date)}.${pad(date.getUTCMilliseconds(), 3)}000`
}

/** `2013-09-03T04:01:32Z`: Nova created/updated, Glance, Neutron. */
export function isoSecondsZ(date: Date): string {
  return `${parts(date)}Z`
}

/** `2013-09-03T04:01:32`: seconds, no zone. */
export function isoSeconds(date: Date): string {
  return parts(date)
}

/**
 * Parses what clients send (ISO 8601 with or without zone, with or without fraction);
 * a missing zone means UTC, as in OpenStack. Returns undefined when it is not a timestamp.
 */
export function parseTimestamp(value: string): Date | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      value.trim(),
    )
  if (!m) return undefined
  const [, y, mo, d, h, mi, s, frac, zone] = m
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms)
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000
  }
  const date = new Date(t)
  return Number.isNaN(date.getTime()) ? undefined : date
}
