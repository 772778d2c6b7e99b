/** @module What a driver needs to create a server's guest, from the server's row and a flavor. */
import { fromJson } from '../../../lib/db/values.js'
import type { GuestSpec } from '../../virt/driver.js'
import type { FlavorSnapshot } from '../instance-spec.js'
import type { InstanceRow } from './records.js'

export function instanceName(seq: number): string {
  return `instance-${seq.toString(16).padStart(8, '0')}`
}

export function flavorOf(row: Pick<InstanceRow, 'flavor'>): FlavorSnapshot {
  // SAFETY: rows always carry the flavor JSON written at boot or by a resize.
  return fromJson<FlavorSnapshot>(row.flavor, {} as FlavorSnapshot)
}

export function guestSpecOf(
  row: InstanceRow,
  options: { flavor?: FlavorSnapshot; powerOn: boolean; imageId?: string | null },
): GuestSpec {
  const flavor = options.flavor ?? flavorOf(row)
  return {
    serverId: row.id,
    name: instanceName(row.seq),
    vcpus: flavor.vcpus,
    memoryMb: flavor.memoryMb,
    rootGb: flavor.rootGb,
    ephemeralGb: flavor.ephemeralGb,
    swapMb: flavor.swapMb,
    imageId: options.imageId === undefined ? row.image_ref : options.imageId,
    imageProperties: fromJson<Record<string, string>>(row.image_meta, {}),
    userData: row.user_data,
    powerOn: options.powerOn,
  }
}

/** The flavor columns quota usage sums, for a server now of `flavor`. */
export function flavorColumns(flavor: FlavorSnapshot): {
  flavor: string
  vcpus: number
  memory_mb: number
  root_gb: number
  ephemeral_gb: number
} {
  return {
    flavor: JSON.stringify(flavor),
    vcpus: flavor.vcpus,
    memory_mb: flavor.memoryMb,
    root_gb: flavor.rootGb,
    ephemeral_gb: flavor.ephemeralGb,
  }
}
