/**
 * @module The scheduler filters (Nova's names and meanings): each says whether a host can take
 * the request. Pure functions of a host snapshot and the request.
 */
import {
  type HostState,
  type RequestSpec,
  diskNeededGb,
  freeDiskGb,
  freeRamMb,
  freeVcpus,
  physicalFreeDiskGb,
  physicalFreeRamMb,
} from '../host-state.js'
import { imagePropertiesPass } from './image-properties.js'
import { jsonQueryPasses } from './json-filter.js'

export interface HostFilter {
  readonly name: string
  passes(host: HostState, request: RequestSpec): boolean
}

type Op = (value: string, operand: string) => boolean

const num = (v: string) => (v.trim() === '' ? Number.NaN : Number(v))
const OPS: Readonly<Record<string, Op>> = {
  '=': (v, o) => num(v) >= num(o),
  '==': (v, o) => num(v) === num(o),
  '!=': (v, o) => num(v) !== num(o),
  '>=': (v, o) => num(v) >= num(o),
  '<=': (v, o) => num(v) <= num(o),
  's==': (v, o) => v === o,
  's!=': (v, o) => v !== o,
  's>=': (v, o) => v >= o,
  's<=': (v, o) => v <= o,
  's>': (v, o) => v > o,
  's<': (v, o) => v < o,
  '<in>': (v, o) => v.includes(o),
}

/**
 * Nova's extra_specs_ops.match: `<op> operand` (only the first word after the operator counts,
 * `<all-in>` takes them all), `<or> a <or> b`, or a plain value compared whole.
 */
export function specMatches(value: string | undefined, requirement: string): boolean {
  const words = requirement.split(/\s+/).filter((w) => w !== '')
  const op = words.shift()
  if (op === undefined || (op !== '<or>' && op !== '<all-in>' && !(op in OPS)))
    return value === requirement
  if (value === undefined) return false
  if (op === '<or>') {
    // Values sit at even positions between the <or> keywords.
    for (let i = 0; i < words.length; i += 2) if (words[i] === value) return true
    return false
  }
  if (words.length === 0) return false
  if (op === '<all-in>') return words.every((w) => value.includes(w))
  const [operand] = words
  return operand !== undefined && (OPS[op]?.(value, operand) ?? false)
}

/** The host's attributes as Nova's HostState exposes them to capabilities and JSON queries. */
export function hostAttributes(h: HostState): Record<string, unknown> {
  return {
    host: h.host,
    nodename: h.nodename,
    hypervisor_hostname: h.nodename,
    hypervisor_type: h.hypervisorType,
    hypervisor_version: h.hypervisorVersion,
    cpu_info: h.cpuInfo,
    vcpus_total: h.vcpus,
    vcpus_used: h.vcpusUsed,
    free_ram_mb: physicalFreeRamMb(h),
    free_disk_mb: physicalFreeDiskGb(h) * 1024,
    total_usable_ram_mb: h.totalRamMb,
    total_usable_disk_gb: h.totalDiskGb,
    num_instances: h.runningVms,
    num_io_ops: h.numIoOps,
    cpu_allocation_ratio: h.cpuAllocationRatio,
    ram_allocation_ratio: h.ramAllocationRatio,
    disk_allocation_ratio: h.diskAllocationRatio,
  }
}

/** Walks `a:b:c` into the attributes (JSON text is parsed on the way, as Nova does). */
function capability(h: HostState, path: readonly string[]): unknown {
  let cap: unknown = hostAttributes(h)
  for (const step of path) {
    if (typeof cap === 'string') {
      try {
        cap = JSON.parse(cap) as unknown
      } catch {
        return undefined
      }
    }
    if (cap === null || typeof cap !== 'object') return undefined
    cap = (cap as Record<string, unknown>)[step]
    if (cap === undefined || cap === null) return undefined
  }
  return cap
}

/** Python's str() of a capability value. */
function pyStr(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  return JSON.stringify(v)
}

const byName: Record<string, HostFilter> = {}
function define(name: string, passes: HostFilter['passes']): HostFilter {
  const f = { name, passes }
  byName[name] = f
  return f
}

define('ComputeFilter', (h) => h.serviceUp && !h.serviceDisabled)

/** A host in zone aggregates is in those zones, else in the default zone. */
define('AvailabilityZoneFilter', (h, r) => {
  if (r.availabilityZone === undefined || r.availabilityZone === '') return true
  const zones = h.aggregates.flatMap((a) =>
    a.metadata.availability_zone === undefined
      ? []
      : a.metadata.availability_zone.split(',').map((z) => z.trim()),
  )
  return zones.length > 0
    ? zones.includes(r.availabilityZone)
    : h.availabilityZone === r.availabilityZone
})

define('RamFilter', (h, r) => freeRamMb(h) >= r.flavor.memoryMb)

/** Disk after overcommit; a server may not overcommit against itself (Nova's DiskFilter). */
define('DiskFilter', (h, r) => {
  const needed = diskNeededGb(r.flavor)
  if (needed > h.totalDiskGb) return false
  return freeDiskGb(h) >= needed
})

/** vCPUs after overcommit; a server may not have more vCPUs than the host has CPUs. */
define('CoreFilter', (h, r) => {
  if (h.vcpus === 0) return true
  if (r.flavor.vcpus > h.vcpus) return false
  return freeVcpus(h) >= r.flavor.vcpus
})

/**
 * Flavor extra specs scoped `capabilities:` (nested with more colons), or unscoped ones naming
 * an attribute the host has, must match the host's attributes.
 */
define('ComputeCapabilitiesFilter', (h, r) => {
  const attributes = hostAttributes(h)
  for (const [key, requirement] of Object.entries(r.flavor.extraSpecs)) {
    const scope = key.split(':')
    if (scope.length === 1) {
      if (!(key in attributes)) continue
    } else if (scope[0] !== 'capabilities') continue
    else scope.shift()
    const cap = capability(h, scope)
    if (cap === undefined) return false
    if (!specMatches(pyStr(cap), requirement)) return false
  }
  return true
})

define('ImagePropertiesFilter', (h, r) => imagePropertiesPass(h, r.imageProperties))

/**
 * Flavor extra specs scoped `aggregate_instance_extra_specs:` or unscoped must match a value
 * (comma-separated values count one by one) of that key in one of the host's aggregates.
 */
define('AggregateInstanceExtraSpecsFilter', (h, r) => {
  for (const [key, requirement] of Object.entries(r.flavor.extraSpecs)) {
    const colon = key.indexOf(':')
    let name = key
    if (colon >= 0) {
      if (key.slice(0, colon) !== 'aggregate_instance_extra_specs') continue
      name = key.slice(colon + 1)
    }
    const values = h.aggregates.flatMap((a) => {
      const value = a.metadata[name]
      return value === undefined ? [] : value.split(',').map((v) => v.trim())
    })
    if (values.length === 0) return false
    if (!values.some((v) => specMatches(v, requirement))) return false
  }
  return true
})

/** A host in an aggregate with `filter_tenant_id*` keys takes only the projects they list. */
define('AggregateMultiTenancyIsolation', (h, r) => {
  const tenants = h.aggregates.flatMap((a) =>
    Object.entries(a.metadata)
      .filter(([k]) => k.startsWith('filter_tenant_id'))
      .flatMap(([, v]) => v.split(',').map((t) => t.trim())),
  )
  return tenants.length === 0 || tenants.includes(r.projectId)
})

/** Hosts of the servers named by same_host (none found: no host qualifies, as in Nova). */
define('SameHostFilter', (h, r) => r.sameHosts === undefined || r.sameHosts.includes(h.host))
define(
  'DifferentHostFilter',
  (h, r) => r.differentHosts === undefined || !r.differentHosts.includes(h.host),
)
define(
  'JsonFilter',
  (h, r) => r.query === undefined || r.query === '' || jsonQueryPasses(r.query, hostAttributes(h)),
)

define('ServerGroupAffinityFilter', (h, r) => {
  if (r.group?.policy !== 'affinity') return true
  const hosts = Object.keys(r.group.memberHosts)
  return hosts.length === 0 || hosts.includes(h.host)
})

/** At most max_server_per_host (default 1) members of the group per host. */
define('ServerGroupAntiAffinityFilter', (h, r) => {
  if (r.group?.policy !== 'anti-affinity') return true
  const max = r.group.maxServerPerHost ?? 1
  return (r.group.memberHosts[h.host] ?? 0) < max
})

/** Not a Nova filter: retries and migrations must land elsewhere. */
define(
  'IgnoreHostsFilter',
  (h, r) => r.ignoreHosts === undefined || !r.ignoreHosts.includes(h.host),
)

export const FILTERS: Readonly<Record<string, HostFilter>> = byName

/** The filters config enables, in order, with the ones that are always on. */
export function enabledFilters(names: readonly string[]): HostFilter[] {
  const unknown = names.filter((n) => !(n in byName))
  if (unknown.length > 0)
    throw new Error(`[compute] enabled_filters: unknown filters ${unknown.join(', ')}`)
  const always = ['IgnoreHostsFilter']
  return [...always, ...names].map((n) => byName[n] as HostFilter)
}
