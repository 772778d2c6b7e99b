/**
 * @module Nova's ImagePropertiesFilter: an image naming an architecture (`hw_architecture`), a
 * hypervisor type (`img_hv_type`, legacy `hypervisor_type`), a VM mode (`hw_vm_mode`) or a
 * hypervisor version range (`img_hv_requested_version`, e.g. `>=1.0, <2.0`) only goes to hosts
 * that support it. A host supports its CPU's architecture (cpu_info `arch`, else x86_64), its
 * hypervisor type and HVM guests.
 */
import type { HostState } from '../host-state.js'

function canonicalArch(arch: string): string {
  const a = arch.toLowerCase()
  if (['i386', 'i486', 'i586', 'x86_32', 'x86_32p'].includes(a)) return 'i686'
  if (a === 'amd64') return 'x86_64'
  return a
}

function canonicalHvType(type: string): string {
  const t = type.toLowerCase()
  if (t === 'xapi') return 'xen'
  return t
}

function canonicalVmMode(mode: string): string {
  const m = mode.toLowerCase()
  if (m === 'pv') return 'xen'
  if (m === 'hv' || m === 'baremetal') return 'hvm'
  return m
}

function hostArch(h: HostState): string {
  try {
    const info = JSON.parse(h.cpuInfo ?? '') as { arch?: unknown }
    if (typeof info.arch === 'string') return canonicalArch(info.arch)
  } catch {
    // Not JSON: the fake and older drivers report no architecture.
  }
  return 'x86_64'
}

/** Nova's convert_version_to_str: 6002000 → "6.2.0". */
function versionParts(version: number): number[] {
  const parts: number[] = []
  let v = version
  while (v !== 0) {
    parts.unshift(v % 1000)
    v = Math.floor(v / 1000)
  }
  return parts
}

function compareParts(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

/** distutils VersionPredicate conditions: `>=1.0, <2.0` (an unparsable one fails). */
function versionSatisfies(version: number, predicate: string): boolean {
  const have = versionParts(version)
  return predicate.split(',').every((cond) => {
    const m = /^\s*(<=|>=|==|!=|<|>)\s*(\d+(?:\.\d+)*)\s*$/.exec(cond)
    if (!m) return false
    const c = compareParts(have, (m[2] ?? '').split('.').map(Number))
    switch (m[1]) {
      case '<':
        return c < 0
      case '<=':
        return c <= 0
      case '>':
        return c > 0
      case '>=':
        return c >= 0
      case '==':
        return c === 0
      default:
        return c !== 0
    }
  })
}

export function imagePropertiesPass(
  h: HostState,
  props: Readonly<Record<string, string>>,
): boolean {
  const arch = props.hw_architecture ?? props.architecture
  const hvType = props.img_hv_type ?? props.hypervisor_type
  const vmMode = props.hw_vm_mode ?? props.vm_mode
  const wanted = [
    arch === undefined ? undefined : canonicalArch(arch),
    hvType === undefined ? undefined : canonicalHvType(hvType),
    vmMode === undefined ? undefined : canonicalVmMode(vmMode),
  ]
  if (wanted.every((w) => w === undefined)) return true
  const hostType = canonicalHvType(h.hypervisorType)
  // libvirt hosts support both kvm and qemu guests.
  const types = hostType === 'qemu' || hostType === 'kvm' ? ['qemu', 'kvm'] : [hostType]
  const [wantArch, wantType, wantMode] = wanted
  if (wantArch !== undefined && wantArch !== hostArch(h)) return false
  if (wantType !== undefined && !types.includes(wantType)) return false
  if (wantMode !== undefined && wantMode !== 'hvm') return false
  const required = props.img_hv_requested_version
  if (required === undefined || h.hypervisorVersion === 0) return true
  return versionSatisfies(h.hypervisorVersion, required)
}
