/**
 * @module What a boot request names, resolved for the caller: the flavor (core/flavors.ts
 * visibility rules) as the snapshot a server keeps, the key pair (the caller's own), the zone.
 */
import { computeErrors } from '../../errors.js'
import type { Caller, ComputeDeps } from '../deps.js'
import { findFlavorForBoot } from '../flavors.js'
import type { FlavorSnapshot } from '../instance-spec.js'
import { findKeyPair } from '../keypairs.js'

export async function flavorForBoot(
  deps: Pick<ComputeDeps, 'db'>,
  caller: Caller,
  flavorRef: string,
): Promise<FlavorSnapshot> {
  const { row, extraSpecs } = await findFlavorForBoot(deps, caller, flavorRef)
  return {
    id: row.id,
    name: row.name,
    vcpus: row.vcpus,
    memoryMb: row.memory_mb,
    rootGb: row.root_gb,
    ephemeralGb: row.ephemeral_gb,
    swapMb: row.swap,
    rxtxFactor: row.rxtx_factor,
    extraSpecs,
  }
}

export async function keyPairFor(
  deps: Pick<ComputeDeps, 'db'>,
  userId: string,
  name: string,
): Promise<{ name: string; publicKey: string }> {
  const row = await findKeyPair(deps, userId, name)
  if (!row) throw computeErrors.badRequest('Invalid key_name provided.')
  return { name: row.name, publicKey: row.public_key }
}

/** A zone exists when an aggregate names it, or it is the default zone of unzoned hosts. */
export async function zoneExists(
  deps: Pick<ComputeDeps, 'db' | 'config'>,
  zone: string,
): Promise<boolean> {
  if (zone === deps.config.defaultAvailabilityZone) return true
  const named = await deps.db
    .selectFrom('aggregate_metadata')
    .select('aggregate_id')
    .where('key', '=', 'availability_zone')
    .where('value', '=', zone)
    .executeTakeFirst()
  return named !== undefined
}
