/**
 * @module Server diagnostics from the host's driver: the standard shape of 2.48 and, before
 * it, the libvirt-style flat dictionary (cpu0_time, memory, vda_read...).
 */
import { rpcClient } from '../../../lib/rpc/define-rpc.js'
import { computeAgentRpc } from '../../agent/rpc.js'
import type { GuestDiagnostics } from '../../virt/driver.js'
import type { ComputeDeps } from '../deps.js'
import { checkHost } from './guards.js'
import type { InstanceRow } from './records.js'

export async function diagnostics(deps: ComputeDeps, row: InstanceRow): Promise<GuestDiagnostics> {
  const host = checkHost(row)
  return rpcClient(deps.bus, computeAgentRpc, { server: host }).getDiagnostics({
    instanceId: row.id,
  })
}

/** 2.48's view (nova/api/openstack/compute/views/server_diagnostics.py). */
export function standardDiagnostics(d: GuestDiagnostics): Record<string, unknown> {
  return {
    state: d.state,
    driver: d.driver,
    hypervisor: d.hypervisor,
    hypervisor_os: d.hypervisorOs,
    uptime: d.uptime,
    config_drive: d.configDrive,
    num_cpus: d.cpus.length,
    num_nics: d.nics.length,
    num_disks: d.disks.length,
    disk_details: d.disks.map((x) => ({
      read_bytes: x.readBytes,
      read_requests: x.readRequests,
      write_bytes: x.writeBytes,
      write_requests: x.writeRequests,
      errors_count: x.errorsCount,
    })),
    cpu_details: d.cpus.map((c) => ({ id: c.id, time: c.time, utilisation: c.utilisation })),
    nic_details: d.nics.map((n) => ({
      mac_address: n.macAddress,
      rx_octets: n.rxOctets,
      rx_errors: n.rxErrors,
      rx_drop: n.rxDrop,
      rx_packets: n.rxPackets,
      rx_rate: n.rxRate,
      tx_octets: n.txOctets,
      tx_errors: n.txErrors,
      tx_drop: n.txDrop,
      tx_packets: n.txPackets,
      tx_rate: n.txRate,
    })),
    memory_details: { maximum: d.memory.maximum, used: d.memory.used },
  }
}

/** The pre-2.48 answer, as libvirt's driver words it (memory in KiB). */
export function legacyDiagnostics(d: GuestDiagnostics): Record<string, number> {
  const out: Record<string, number> = {}
  for (const c of d.cpus) out[`cpu${c.id ?? 0}_time`] = c.time ?? 0
  out.memory = (d.memory.maximum ?? 0) * 1024
  out['memory-actual'] = (d.memory.maximum ?? 0) * 1024
  out['memory-rss'] = (d.memory.used ?? 0) * 1024
  const names = 'abcdefghijklmnopqrstuvwxyz'
  d.disks.forEach((x, i) => {
    const dev = `vd${names.charAt(i)}`
    out[`${dev}_read`] = x.readBytes ?? 0
    out[`${dev}_read_req`] = x.readRequests ?? 0
    out[`${dev}_write`] = x.writeBytes ?? 0
    out[`${dev}_write_req`] = x.writeRequests ?? 0
    out[`${dev}_errors`] = x.errorsCount ?? -1
  })
  d.nics.forEach((n, i) => {
    const dev = `tap${i}`
    out[`${dev}_rx`] = n.rxOctets ?? 0
    out[`${dev}_rx_packets`] = n.rxPackets ?? 0
    out[`${dev}_rx_errors`] = n.rxErrors ?? 0
    out[`${dev}_rx_drop`] = n.rxDrop ?? 0
    out[`${dev}_tx`] = n.txOctets ?? 0
    out[`${dev}_tx_packets`] = n.txPackets ?? 0
    out[`${dev}_tx_errors`] = n.txErrors ?? 0
    out[`${dev}_tx_drop`] = n.txDrop ?? 0
  })
  return out
}
