/**
 * @module The fake virt driver (Nova's `fake`): guests live in memory and change state at once.
 * One instance per fake host, so one process can present a whole fleet to the scheduler.
 */
import { Readable } from 'node:stream'
import { AppError } from '../../../lib/errors/app-error.js'
import {
  type GuestDiagnostics,
  type GuestInfo,
  type GuestSpec,
  type HostPowerAction,
  type HostResources,
  type InterfaceAttachment,
  POWER_STATES,
  type PowerState,
  type RebootKind,
  type VirtDriver,
  type VolumeAttachment,
} from '../driver.js'

interface FakeGuest {
  spec: GuestSpec
  powerState: PowerState
  console: string[]
  rescued: boolean
  /** Date.now() of the last boot, for uptime. */
  bootedAt: number
  password: string | null
  volumes: Map<string, VolumeAttachment>
  interfaces: Map<string, InterfaceAttachment>
}

const DIAGNOSTIC_STATES: Record<number, GuestDiagnostics['state']> = {
  [POWER_STATES.NOSTATE]: 'pending',
  [POWER_STATES.RUNNING]: 'running',
  [POWER_STATES.PAUSED]: 'paused',
  [POWER_STATES.SHUTDOWN]: 'shutdown',
  [POWER_STATES.CRASHED]: 'crashed',
  [POWER_STATES.SUSPENDED]: 'suspended',
}

/** What a small Linux guest prints while it boots (console-log tests need a few lines). */
function bootLog(spec: GuestSpec, host: string): string[] {
  return [
    `[    0.000000] Linux version 5.15.0-fake (${spec.name})`,
    `[    0.000000] Command line: root=/dev/vda1 console=ttyS0`,
    `[    0.010000] Memory: ${spec.memoryMb * 1024}K available`,
    `[    0.020000] smpboot: Allowing ${spec.vcpus} CPUs`,
    `[    1.000000] EXT4-fs (vda1): mounted filesystem`,
    `Starting ${spec.name} on ${host}...`,
    `${spec.name} login: `,
  ]
}

export interface FakeHostSize {
  vcpus: number
  memoryMb: number
  localGb: number
}

export class FakeVirtDriver implements VirtDriver {
  readonly name = 'fake'
  readonly #host: string
  readonly #size: FakeHostSize
  readonly #guests = new Map<string, FakeGuest>()

  constructor(host: string, size: FakeHostSize) {
    this.#host = host
    this.#size = size
  }

  async getHostResources(): Promise<HostResources> {
    return {
      hypervisorHostname: this.#host,
      hypervisorType: 'fake',
      hypervisorVersion: 1000,
      vcpus: this.#size.vcpus,
      memoryMb: this.#size.memoryMb,
      localGb: this.#size.localGb,
      cpuInfo: '?',
      hostIp: '127.0.0.1',
    }
  }

  async listGuests(): Promise<GuestInfo[]> {
    return [...this.#guests.values()].map((g) => ({
      serverId: g.spec.serverId,
      powerState: g.powerState,
    }))
  }

  async spawn(spec: GuestSpec): Promise<void> {
    // Test hook, as Nova's fake driver has: an image can name the hosts it fails to spawn on.
    if ((spec.imageProperties.fake_fail_spawn_on ?? '').split(',').includes(this.#host))
      throw new AppError({
        code: 'FAKE_SPAWN_FAILED',
        kind: 'Unavailable',
        message: `Fake spawn failure on ${this.#host}.`,
      })
    this.#guests.set(spec.serverId, {
      spec,
      powerState: spec.powerOn ? POWER_STATES.RUNNING : POWER_STATES.SHUTDOWN,
      console: spec.powerOn ? bootLog(spec, this.#host) : [],
      rescued: false,
      bootedAt: Date.now(),
      password: null,
      volumes: new Map(),
      interfaces: new Map(),
    })
  }

  async destroy(serverId: string): Promise<void> {
    this.#guests.delete(serverId)
  }

  #guest(serverId: string): FakeGuest {
    const g = this.#guests.get(serverId)
    if (!g)
      throw new AppError({
        code: 'FAKE_NO_GUEST',
        kind: 'NotFound',
        message: `Instance ${serverId} could not be found.`,
      })
    return g
  }

  #boot(g: FakeGuest): void {
    g.powerState = POWER_STATES.RUNNING
    g.bootedAt = Date.now()
    g.console.push(...bootLog(g.spec, this.#host))
  }

  async powerOn(serverId: string): Promise<void> {
    const g = this.#guest(serverId)
    if (g.powerState !== POWER_STATES.RUNNING) this.#boot(g)
  }
  async powerOff(serverId: string): Promise<void> {
    const g = this.#guest(serverId)
    if (g.powerState === POWER_STATES.RUNNING) g.console.push('reboot: Power down')
    g.powerState = POWER_STATES.SHUTDOWN
  }
  async reboot(serverId: string, kind: RebootKind): Promise<void> {
    const g = this.#guest(serverId)
    g.console.push(kind === 'SOFT' ? 'reboot: Restarting system' : 'reboot: hard reset')
    this.#boot(g)
  }
  async pause(serverId: string): Promise<void> {
    this.#guest(serverId).powerState = POWER_STATES.PAUSED
  }
  async unpause(serverId: string): Promise<void> {
    this.#guest(serverId).powerState = POWER_STATES.RUNNING
  }
  async suspend(serverId: string): Promise<void> {
    this.#guest(serverId).powerState = POWER_STATES.SUSPENDED
  }
  async resume(serverId: string): Promise<void> {
    this.#guest(serverId).powerState = POWER_STATES.RUNNING
  }

  async rescue(serverId: string, rescueImageId: string | null): Promise<void> {
    const g = this.#guest(serverId)
    g.rescued = true
    g.console.push(`rescue boot from ${rescueImageId ?? g.spec.imageId ?? 'the original image'}`)
    this.#boot(g)
  }

  async unrescue(serverId: string): Promise<void> {
    const g = this.#guest(serverId)
    g.rescued = false
    this.#boot(g)
  }

  async resize(serverId: string, spec: GuestSpec): Promise<void> {
    const g = this.#guest(serverId)
    g.spec = spec
    if (spec.powerOn) this.#boot(g)
    else g.powerState = POWER_STATES.SHUTDOWN
  }

  async snapshot(serverId: string): Promise<{ diskFormat: string; data: Readable }> {
    const g = this.#guest(serverId)
    // Test hook, like fake_fail_spawn_on: an image can make snapshots of its servers fail.
    if (g.spec.imageProperties.fake_fail_snapshot === 'true')
      throw new AppError({
        code: 'FAKE_SNAPSHOT_FAILED',
        kind: 'Unavailable',
        message: `Fake snapshot failure on ${this.#host}.`,
      })
    return {
      diskFormat: 'raw',
      data: Readable.from([
        Buffer.from(`fake disk of ${g.spec.name} from image ${g.spec.imageId ?? 'none'}\n`),
      ]),
    }
  }

  async attachVolume(serverId: string, volume: VolumeAttachment): Promise<void> {
    this.#guest(serverId).volumes.set(volume.volumeId, volume)
  }

  async detachVolume(serverId: string, volumeId: string): Promise<void> {
    this.#guests.get(serverId)?.volumes.delete(volumeId)
  }

  async attachInterface(serverId: string, vif: InterfaceAttachment): Promise<void> {
    this.#guest(serverId).interfaces.set(vif.portId, vif)
  }

  async detachInterface(serverId: string, portId: string): Promise<void> {
    this.#guests.get(serverId)?.interfaces.delete(portId)
  }

  /** What is plugged into a guest (tests look). */
  devicesOf(serverId: string): { volumes: string[]; interfaces: string[] } {
    const g = this.#guest(serverId)
    return { volumes: [...g.volumes.keys()], interfaces: [...g.interfaces.keys()] }
  }

  async getPowerState(serverId: string): Promise<PowerState> {
    return this.#guests.get(serverId)?.powerState ?? POWER_STATES.NOSTATE
  }

  async getConsoleOutput(serverId: string, tailLines?: number): Promise<string> {
    const lines = this.#guest(serverId).console
    return (tailLines === undefined ? lines : lines.slice(-tailLines)).join('\n') + '\n'
  }

  async triggerCrashDump(serverId: string): Promise<void> {
    const g = this.#guest(serverId)
    g.console.push('Kernel panic - not syncing: NMI IOCK error: Not continuing')
  }

  async getDiagnostics(serverId: string): Promise<GuestDiagnostics> {
    const g = this.#guest(serverId)
    const running = g.powerState === POWER_STATES.RUNNING
    const uptime = running ? Math.floor((Date.now() - g.bootedAt) / 1000) : 0
    return {
      state: DIAGNOSTIC_STATES[g.powerState] ?? 'pending',
      driver: 'libvirt',
      hypervisor: 'fake',
      hypervisorOs: 'linux',
      uptime,
      configDrive: false,
      memory: { maximum: g.spec.memoryMb, used: running ? Math.floor(g.spec.memoryMb / 2) : 0 },
      cpus: Array.from({ length: g.spec.vcpus }, (_, id) => ({
        id,
        time: uptime * 1_000_000_000,
        utilisation: null,
      })),
      nics: [],
      disks: [
        {
          readBytes: 262144,
          readRequests: 112,
          writeBytes: 5778432,
          writeRequests: 488,
          errorsCount: 0,
        },
      ],
    }
  }

  async getVncConsole(serverId: string): Promise<{ host: string; port: number }> {
    this.#guest(serverId)
    return { host: '127.0.0.1', port: 5900 }
  }

  async setAdminPassword(serverId: string, password: string): Promise<void> {
    this.#guest(serverId).password = password
  }

  /** As Nova's fake driver: the request is acknowledged and the fake host keeps running. */
  async hostPowerAction(action: HostPowerAction): Promise<string> {
    return action
  }

  async setHostMaintenance(enabled: boolean): Promise<'on_maintenance' | 'off_maintenance'> {
    return enabled ? 'on_maintenance' : 'off_maintenance'
  }
}
