/**
 * @module What a compute agent needs from its hypervisor: one driver instance per host.
 * Contracts: spawn leaves nothing behind when it fails; destroy of a missing guest succeeds;
 * every operation is on one guest named by its server id.
 */
import type { Readable } from 'node:stream'

export const POWER_STATES = {
  NOSTATE: 0,
  RUNNING: 1,
  PAUSED: 3,
  SHUTDOWN: 4,
  CRASHED: 6,
  SUSPENDED: 7,
} as const
export type PowerState = (typeof POWER_STATES)[keyof typeof POWER_STATES]

export interface GuestSpec {
  serverId: string
  /** instance-%08x. */
  name: string
  vcpus: number
  memoryMb: number
  rootGb: number
  ephemeralGb: number
  swapMb: number
  imageId: string | null
  /** Image properties (hw_*, os_*), for drivers that honour them. */
  imageProperties: Readonly<Record<string, string>>
  userData: string | null
  /** Start it, or leave it defined but off (shelve/unshelve, stopped rebuild). */
  powerOn: boolean
}

export interface GuestInfo {
  serverId: string
  powerState: PowerState
}

export interface HostResources {
  hypervisorHostname: string
  hypervisorType: string
  hypervisorVersion: number
  vcpus: number
  memoryMb: number
  localGb: number
  cpuInfo: string
  hostIp: string
}

export type RebootKind = 'SOFT' | 'HARD'

/** Whole-host power requests (the legacy os-hosts API). */
export const HOST_POWER_ACTIONS = ['startup', 'shutdown', 'reboot'] as const
export type HostPowerAction = (typeof HOST_POWER_ACTIONS)[number]

/** Nova's standard instance diagnostics (microversion 2.48), null where a driver cannot tell. */
export interface GuestDiagnostics {
  state: 'pending' | 'running' | 'paused' | 'shutdown' | 'crashed' | 'suspended'
  driver: string
  hypervisor: string | null
  hypervisorOs: string | null
  uptime: number | null
  configDrive: boolean
  memory: { maximum: number | null; used: number | null }
  cpus: { id: number | null; time: number | null; utilisation: number | null }[]
  nics: {
    macAddress: string | null
    rxOctets: number | null
    rxErrors: number | null
    rxDrop: number | null
    rxPackets: number | null
    rxRate: number | null
    txOctets: number | null
    txErrors: number | null
    txDrop: number | null
    txPackets: number | null
    txRate: number | null
  }[]
  disks: {
    readBytes: number | null
    readRequests: number | null
    writeBytes: number | null
    writeRequests: number | null
    errorsCount: number | null
  }[]
}

export interface VolumeAttachment {
  volumeId: string
  device: string
  /** How to reach the volume's data (Cinder's connection_info: iSCSI target, file path, ...). */
  connectionInfo: Readonly<Record<string, unknown>>
}

export interface InterfaceAttachment {
  portId: string
  macAddress: string
  /** The device on the host side (tap<port-id[:11]>) and how to plug it (vif_type, bridge). */
  devName: string
  vifDetails: Readonly<Record<string, unknown>>
}

export interface VirtDriver {
  readonly name: string
  /** The hypervisor's capacity (before reservations and allocation ratios). */
  getHostResources(): Promise<HostResources>
  /** Guests the hypervisor knows; the agent re-adopts them after a restart. */
  listGuests(): Promise<GuestInfo[]>
  spawn(spec: GuestSpec): Promise<void>
  /** Idempotent. */
  destroy(serverId: string): Promise<void>
  powerOn(serverId: string): Promise<void>
  powerOff(serverId: string): Promise<void>
  reboot(serverId: string, kind: RebootKind): Promise<void>
  pause(serverId: string): Promise<void>
  unpause(serverId: string): Promise<void>
  suspend(serverId: string): Promise<void>
  resume(serverId: string): Promise<void>
  rescue(serverId: string, rescueImageId: string | null): Promise<void>
  unrescue(serverId: string): Promise<void>
  /** Changes the guest's size (resize) or rebuilds its disk from an image. */
  resize(serverId: string, spec: GuestSpec): Promise<void>
  /** A snapshot of the guest's root disk, as a stream the image service stores as it reads. */
  snapshot(serverId: string): Promise<{ diskFormat: string; data: Readable }>
  getPowerState(serverId: string): Promise<PowerState>
  getConsoleOutput(serverId: string, tailLines?: number): Promise<string>
  /** Where a VNC client connects to the guest's console. */
  getVncConsole(serverId: string): Promise<{ host: string; port: number }>
  setAdminPassword(serverId: string, password: string): Promise<void>
  /** Sends the guest an NMI (trigger_crash_dump). */
  triggerCrashDump(serverId: string): Promise<void>
  getDiagnostics(serverId: string): Promise<GuestDiagnostics>
  /** Connects a block device (a volume) to the guest at `device` (e.g. /dev/vdb). */
  attachVolume(serverId: string, volume: VolumeAttachment): Promise<void>
  /** Idempotent. */
  detachVolume(serverId: string, volumeId: string): Promise<void>
  /** Plugs a network interface (a port) into the guest. */
  attachInterface(serverId: string, vif: InterfaceAttachment): Promise<void>
  /** Idempotent. */
  detachInterface(serverId: string, portId: string): Promise<void>
  /** Powers the host itself up, down or reboots it; drivers without it answer 501, as libvirt. */
  hostPowerAction?(action: HostPowerAction): Promise<string>
  /** Starts or ends the host's maintenance window; drivers without it answer 501, as libvirt. */
  setHostMaintenance?(enabled: boolean): Promise<'on_maintenance' | 'off_maintenance'>
}
