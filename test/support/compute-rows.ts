/**
 * @module Rows written straight into the compute database, for tests of admin APIs that only
 * read servers and migrations (hypervisors, services, usage, migration lists) without booting
 * anything.
 */
import { randomUUID } from 'node:crypto'
import type { Insertable } from 'kysely'
import type { ComputeDeps } from '../../src/compute/core/deps.js'
import type { InstanceTable, MigrationTable } from '../../src/compute/db/tables.js'

let nextSeq = 100000

/** A server row (ACTIVE on `host` unless told otherwise). */
export async function insertInstance(
  deps: Pick<ComputeDeps, 'db'>,
  over: Partial<Insertable<InstanceTable>> = {},
): Promise<string> {
  const id = over.id ?? randomUUID()
  const now = new Date().toISOString()
  const flavor = { id: '1', name: 'm1.tiny', vcpus: 1, memoryMb: 512, rootGb: 1, ephemeralGb: 0 }
  await deps.db
    .insertInto('instance')
    .values({
      id,
      seq: nextSeq++,
      display_name: 'server',
      display_description: null,
      hostname: 'server',
      project_id: 'p',
      user_id: 'u',
      image_ref: null,
      flavor: JSON.stringify(flavor),
      new_flavor: null,
      old_flavor: null,
      vcpus: 1,
      memory_mb: 512,
      root_gb: 1,
      ephemeral_gb: 0,
      vm_state: 'active',
      task_state: null,
      power_state: 1,
      host: null,
      node: null,
      availability_zone: null,
      requested_zone: null,
      key_name: null,
      key_data: null,
      user_data: null,
      config_drive: '',
      access_ip_v4: null,
      access_ip_v6: null,
      locked: 0,
      locked_by: null,
      locked_reason: null,
      reservation_id: 'r-test',
      launch_index: 0,
      progress: 0,
      kernel_id: null,
      ramdisk_id: null,
      root_device_name: '/dev/vda',
      disk_config: 'MANUAL',
      security_groups: '[]',
      scheduler_hints: '{}',
      image_meta: '{}',
      build_hosts: '[]',
      launched_at: now,
      terminated_at: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
      ...over,
    })
    .execute()
  return id
}

let nextMigration = 1

/** A migration row (a finished resize unless told otherwise). */
export async function insertMigration(
  deps: Pick<ComputeDeps, 'db'>,
  over: Partial<Insertable<MigrationTable>> = {},
): Promise<string> {
  const uuid = over.uuid ?? randomUUID()
  const now = new Date().toISOString()
  await deps.db
    .insertInto('migration')
    .values({
      id: nextMigration++,
      uuid,
      instance_uuid: randomUUID(),
      source_compute: 'compute1',
      dest_compute: 'compute2',
      source_node: 'compute1',
      dest_node: 'compute2',
      dest_host: '127.0.0.1',
      status: 'confirmed',
      migration_type: 'resize',
      old_flavor_id: '1',
      new_flavor_id: '2',
      project_id: 'p',
      user_id: 'u',
      created_at: now,
      updated_at: now,
      ...over,
    })
    .execute()
  return uuid
}
