/** @module Compute hosts as agents report them: their service row (heartbeat) and hypervisor row (capacity). */
import { ensureSequence, nextValue } from '../../lib/db/sequence.js'
import { uuid } from '../../lib/ids/ids.js'
import type { ComputeDeps } from '../core/deps.js'
import { noteFleetChange } from '../core/fleet-generation.js'
import { recordHeartbeat } from '../core/services.js'
import type { ComputeTables } from '../db/tables.js'

export interface HostReport {
  host: string
  binary: string
  resources: {
    hypervisorHostname: string
    hypervisorType: string
    hypervisorVersion: number
    vcpus: number
    memoryMb: number
    localGb: number
    cpuInfo: string
    hostIp: string
  }
  runningVms: number
}

/** Records a heartbeat; creates the service and node on first report. Usage is left to claims. */
export async function upsertHost(deps: ComputeDeps, report: HostReport): Promise<void> {
  const now = deps.clock.now().toISOString()
  const { db, config } = deps
  await recordHeartbeat(deps, { host: report.host, binary: report.binary, topic: 'compute' })
  const r = report.resources
  const node = await db
    .selectFrom('compute_node')
    .select('id')
    .where('hypervisor_hostname', '=', r.hypervisorHostname)
    .executeTakeFirst()
  if (node) {
    await db
      .updateTable('compute_node')
      .set({
        host: report.host,
        vcpus: r.vcpus,
        memory_mb: r.memoryMb,
        local_gb: r.localGb,
        hypervisor_type: r.hypervisorType,
        hypervisor_version: r.hypervisorVersion,
        cpu_info: r.cpuInfo,
        host_ip: r.hostIp,
        cpu_allocation_ratio: config.cpuAllocationRatio,
        ram_allocation_ratio: config.ramAllocationRatio,
        disk_allocation_ratio: config.diskAllocationRatio,
        reserved_memory_mb: config.reservedHostMemoryMb,
        reserved_disk_mb: config.reservedHostDiskMb,
        updated_at: now,
      })
      .where('id', '=', node.id)
      .execute()
    return
  }
  await ensureSequence(db, 'compute_node')
  await db.transaction().execute(async (trx) => {
    const seq = await nextValue<ComputeTables>(trx, 'compute_node')
    await trx
      .insertInto('compute_node')
      .values({
        id: uuid(),
        seq,
        host: report.host,
        hypervisor_hostname: r.hypervisorHostname,
        hypervisor_type: r.hypervisorType,
        hypervisor_version: r.hypervisorVersion,
        host_ip: r.hostIp,
        cpu_info: r.cpuInfo,
        vcpus: r.vcpus,
        memory_mb: r.memoryMb,
        local_gb: r.localGb,
        vcpus_used: 0,
        memory_mb_used: 0,
        local_gb_used: 0,
        running_vms: 0,
        cpu_allocation_ratio: config.cpuAllocationRatio,
        ram_allocation_ratio: config.ramAllocationRatio,
        disk_allocation_ratio: config.diskAllocationRatio,
        reserved_memory_mb: config.reservedHostMemoryMb,
        reserved_disk_mb: config.reservedHostDiskMb,
        created_at: now,
        updated_at: now,
      })
      .execute()
  })
  // Schedulers see a new hypervisor at their next decision.
  await noteFleetChange(db)
}
