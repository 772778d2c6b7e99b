/**
 * @module Availability zones as Nova derives them: a compute host is in the zone(s) named by the
 * `availability_zone` metadata of its aggregates, else in `[compute] default_availability_zone`;
 * every other service (conductor, scheduler) is in the `internal` zone.
 */
import type { Kysely } from 'kysely'
import type { ComputeTables } from '../db/tables.js'
import type { ComputeDeps } from './deps.js'

/** Nova's `internal_service_availability_zone`. */
export const INTERNAL_ZONE = 'internal'

/** The zone names of the aggregates each host is in (hosts in no zone aggregate are absent). */
export async function aggregateZonesByHost(
  db: Kysely<ComputeTables>,
  hosts?: readonly string[],
): Promise<Map<string, string[]>> {
  if (hosts !== undefined && hosts.length === 0) return new Map()
  let q = db
    .selectFrom('aggregate_host')
    .innerJoin(
      'aggregate_metadata',
      'aggregate_metadata.aggregate_id',
      'aggregate_host.aggregate_id',
    )
    .select(['aggregate_host.host', 'aggregate_metadata.value'])
    .where('aggregate_metadata.key', '=', 'availability_zone')
    .orderBy('aggregate_host.aggregate_id')
  if (hosts !== undefined) q = q.where('aggregate_host.host', 'in', [...hosts])
  const zones = new Map<string, string[]>()
  for (const r of await q.execute()) {
    const list = zones.get(r.host) ?? []
    if (!list.includes(r.value)) list.push(r.value)
    zones.set(r.host, list)
  }
  return zones
}

export interface ZonedService {
  host: string
  topic: string
}

/** The zone of each service (Nova's set_availability_zones): compute zones joined by ','. */
export async function serviceZones(
  deps: Pick<ComputeDeps, 'db' | 'config'>,
  services: readonly ZonedService[],
): Promise<string[]> {
  const computeHosts = services.filter((s) => s.topic === 'compute').map((s) => s.host)
  const zones = await aggregateZonesByHost(deps.db, [...new Set(computeHosts)])
  return services.map((s) =>
    s.topic !== 'compute'
      ? INTERNAL_ZONE
      : (zones.get(s.host)?.join(',') ?? deps.config.defaultAvailabilityZone),
  )
}

/** The zone of one compute host. */
export async function hostZone(
  deps: Pick<ComputeDeps, 'db' | 'config'>,
  host: string,
): Promise<string> {
  const [zone] = await serviceZones(deps, [{ host, topic: 'compute' }])
  return zone ?? deps.config.defaultAvailabilityZone
}
