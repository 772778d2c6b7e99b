import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FILTERS, specMatches } from '../../src/compute/scheduler/filters/filters.js'
import {
  type HostState,
  type RequestSpec,
  allocationRatios,
} from '../../src/compute/scheduler/host-state.js'
import { selectHosts } from '../../src/compute/scheduler/select-hosts.js'
import { makeWeighers, weighHosts } from '../../src/compute/scheduler/weighers/weighers.js'
import { agg, host, spec } from '../support/scheduler-fixtures.js'

function passes(filter: string, h: HostState, r: RequestSpec): boolean {
  const f = FILTERS[filter]
  assert.ok(f, `filter ${filter} exists`)
  return f.passes(h, r)
}

const WEIGHERS = makeWeighers({
  ram: 1,
  disk: 1,
  cpu: 1,
  ioOps: -1,
  softAffinity: 1,
  softAntiAffinity: 1,
})

describe('scheduler filters', () => {
  it('AvailabilityZoneFilter: aggregate zones, else the default zone', () => {
    const inAz1 = host('a', {
      availabilityZone: 'az1',
      aggregates: [agg(1, { availability_zone: 'az1' })],
    })
    const plain = host('b')
    assert.equal(passes('AvailabilityZoneFilter', inAz1, spec({ availabilityZone: 'az1' })), true)
    assert.equal(passes('AvailabilityZoneFilter', plain, spec({ availabilityZone: 'az1' })), false)
    assert.equal(passes('AvailabilityZoneFilter', plain, spec({ availabilityZone: 'nova' })), true)
    assert.equal(passes('AvailabilityZoneFilter', inAz1, spec({ availabilityZone: 'nova' })), false)
    assert.equal(passes('AvailabilityZoneFilter', inAz1, spec()), true)
  })

  it('AggregateInstanceExtraSpecsFilter: scoped and unscoped keys against aggregate metadata', () => {
    const ssd = host('a', {
      aggregates: [agg(1, { ssd: 'true', cores: '8', tier: 'gold, silver' })],
    })
    const plain = host('b')
    const f = (specs: Record<string, string>, h: HostState) =>
      passes('AggregateInstanceExtraSpecsFilter', h, spec({}, { extraSpecs: specs }))
    assert.equal(f({ 'aggregate_instance_extra_specs:ssd': 'true' }, ssd), true)
    assert.equal(f({ 'aggregate_instance_extra_specs:ssd': 'true' }, plain), false)
    assert.equal(f({ ssd: 'false' }, ssd), false)
    assert.equal(f({ 'hw:cpu_policy': 'dedicated' }, plain), true, 'other scopes are ignored')
    assert.equal(f({ 'aggregate_instance_extra_specs:cores': '>= 4' }, ssd), true)
    assert.equal(f({ 'aggregate_instance_extra_specs:cores': '>= 16' }, ssd), false)
    assert.equal(f({ 'aggregate_instance_extra_specs:tier': 'silver' }, ssd), true)
    assert.equal(f({ 'aggregate_instance_extra_specs:tier': '<or> bronze <or> gold' }, ssd), true)
    assert.equal(f({}, plain), true)
  })

  it('specMatches follows extra_specs_ops', () => {
    assert.equal(specMatches('4', '= 2'), true, "'=' means at least")
    assert.equal(specMatches('1', '= 2'), false)
    assert.equal(specMatches('2', '== 2.0'), true)
    assert.equal(specMatches('abc', 's== abc'), true)
    assert.equal(specMatches('x86_64 avx', '<in> avx'), true)
    assert.equal(specMatches('avx sse', '<all-in> avx sse'), true)
    assert.equal(specMatches('avx', '<all-in> avx sse'), false)
    assert.equal(specMatches('3', '>='), false, 'an operator without operand matches nothing')
    assert.equal(specMatches('plain', 'plain'), true)
    assert.equal(specMatches(undefined, '= 1'), false)
  })

  it('AggregateMultiTenancyIsolation: filter_tenant_id keys restrict projects', () => {
    const isolated = host('a', {
      aggregates: [agg(1, { filter_tenant_id: 'p1,p2' }), agg(2, { filter_tenant_id_2: 'p5' })],
    })
    const f = (projectId: string, h: HostState) =>
      passes('AggregateMultiTenancyIsolation', h, spec({ projectId }))
    assert.equal(f('p1', isolated), true)
    assert.equal(f('p5', isolated), true)
    assert.equal(f('p3', isolated), false)
    assert.equal(f('p3', host('b', { aggregates: [agg(3, { ssd: 'true' })] })), true)
  })

  it('ComputeCapabilitiesFilter: capabilities scope, nested cpu_info, unscoped host attributes', () => {
    const h = host('a')
    const f = (specs: Record<string, string>) =>
      passes('ComputeCapabilitiesFilter', h, spec({}, { extraSpecs: specs }))
    assert.equal(f({ 'capabilities:hypervisor_type': 's== QEMU' }), true)
    assert.equal(f({ 'capabilities:hypervisor_type': 's== xen' }), false)
    assert.equal(f({ 'capabilities:cpu_info:arch': 'x86_64' }), true)
    assert.equal(f({ 'capabilities:cpu_info:arch': 'aarch64' }), false)
    assert.equal(f({ 'capabilities:cpu_info:missing': 'x' }), false)
    assert.equal(f({ 'capabilities:free_ram_mb': '>= 4096' }), true)
    assert.equal(f({ 'capabilities:vcpus_total': '>= 8' }), false)
    assert.equal(f({ hypervisor_type: 'xen' }), false, 'unscoped keys the host has are checked')
    assert.equal(f({ some_other_key: 'x' }), true, 'unscoped keys the host lacks are ignored')
    assert.equal(f({ 'hw:cpu_policy': 'dedicated' }), true)
  })

  it('ImagePropertiesFilter: architecture, hypervisor type, vm mode and version', () => {
    const qemu = host('a')
    const f = (props: Record<string, string>, h: HostState = qemu) =>
      passes('ImagePropertiesFilter', h, spec({ imageProperties: props }))
    assert.equal(f({}), true)
    assert.equal(f({ hw_architecture: 'x86_64' }), true)
    assert.equal(f({ hw_architecture: 'amd64' }), true)
    assert.equal(f({ hw_architecture: 'aarch64' }), false)
    assert.equal(f({ img_hv_type: 'qemu' }), true)
    assert.equal(f({ img_hv_type: 'kvm' }), true)
    assert.equal(f({ img_hv_type: 'xen' }), false)
    assert.equal(f({ hw_vm_mode: 'hvm' }), true)
    assert.equal(f({ hw_vm_mode: 'xen' }), false)
    assert.equal(f({ img_hv_type: 'qemu', img_hv_requested_version: '>=6.0' }), true)
    assert.equal(f({ img_hv_type: 'qemu', img_hv_requested_version: '>=6.0, <6.2' }), false)
    assert.equal(
      f({ hypervisor_type: 'fake' }, host('b', { hypervisorType: 'fake', cpuInfo: '?' })),
      true,
    )
  })

  it('JsonFilter: Nova query semantics', () => {
    const h = host('h1', { usedRamMb: 1024, vcpusUsed: 2 })
    const f = (query: unknown) => passes('JsonFilter', h, spec({ query: JSON.stringify(query) }))
    assert.equal(f(['>=', '$free_ram_mb', 1024]), true)
    assert.equal(f(['>=', '$free_ram_mb', 8192]), false, 'free RAM is physical (8192 - 1024)')
    assert.equal(f(['and', ['>=', '$vcpus_total', 4], ['<', '$vcpus_used', 3]]), true)
    assert.equal(f(['or', ['=', '$host', 'other'], ['in', '$host', 'h0', 'h1']]), true)
    assert.equal(f(['not', ['=', '$host', 'h1']]), false)
    assert.equal(f(['not', ['=', '$host', 'h2']]), true)
    assert.equal(f(['>', '$free_ram_mb', 100, 200, 10000]), false, 'first against every other')
    assert.equal(f(['>=', '$no_such_attribute', 1]), false, 'unknown variables drop out')
    assert.equal(f(['=', '$cpu_info.arch', 'x86_64']), true)
    assert.equal(f([]), true)
    assert.equal(passes('JsonFilter', h, spec({ query: '[not json' })), false)
    assert.equal(passes('JsonFilter', h, spec({ query: '' })), true)
  })

  it('SameHostFilter and DifferentHostFilter', () => {
    const a = host('a')
    const b = host('b')
    assert.equal(passes('SameHostFilter', a, spec({ sameHosts: ['a'] })), true)
    assert.equal(passes('SameHostFilter', b, spec({ sameHosts: ['a'] })), false)
    assert.equal(
      passes('SameHostFilter', a, spec({ sameHosts: [] })),
      false,
      'servers that are nowhere share no host',
    )
    assert.equal(passes('SameHostFilter', a, spec()), true)
    assert.equal(passes('DifferentHostFilter', a, spec({ differentHosts: ['a'] })), false)
    assert.equal(passes('DifferentHostFilter', b, spec({ differentHosts: ['a'] })), true)
  })

  it('server group affinity, anti-affinity and max_server_per_host', () => {
    const a = host('a')
    const b = host('b')
    const affinity = spec({ group: { policy: 'affinity', memberHosts: { a: 1 } } })
    assert.equal(passes('ServerGroupAffinityFilter', a, affinity), true)
    assert.equal(passes('ServerGroupAffinityFilter', b, affinity), false)
    const first = spec({ group: { policy: 'affinity', memberHosts: {} } })
    assert.equal(passes('ServerGroupAffinityFilter', b, first), true)
    const anti = spec({ group: { policy: 'anti-affinity', memberHosts: { a: 1 } } })
    assert.equal(passes('ServerGroupAntiAffinityFilter', a, anti), false)
    assert.equal(passes('ServerGroupAntiAffinityFilter', b, anti), true)
    const two = spec({
      group: { policy: 'anti-affinity', memberHosts: { a: 1, b: 2 }, maxServerPerHost: 2 },
    })
    assert.equal(passes('ServerGroupAntiAffinityFilter', a, two), true)
    assert.equal(passes('ServerGroupAntiAffinityFilter', b, two), false)
    assert.equal(passes('ServerGroupAntiAffinityFilter', a, affinity), true)
  })

  it('RAM, disk and core filters apply allocation ratios, lowered by aggregates', () => {
    // 4 pCPUs at ratio 4: 16 vCPUs; 14 used leaves 2.
    const busy = host('a', { vcpusUsed: 14 })
    assert.equal(passes('CoreFilter', busy, spec({}, { vcpus: 2 })), true)
    assert.equal(passes('CoreFilter', busy, spec({}, { vcpus: 3 })), false)
    assert.equal(
      passes('CoreFilter', host('b'), spec({}, { vcpus: 5 })),
      false,
      'never more vCPUs than CPUs',
    )
    const lowered = host('c', {
      vcpusUsed: 6,
      aggregates: [agg(1, { cpu_allocation_ratio: '2.0' })],
    })
    assert.deepEqual(allocationRatios(lowered), { cpu: 2, ram: 1, disk: 1 })
    assert.equal(passes('CoreFilter', lowered, spec({}, { vcpus: 2 })), true)
    assert.equal(passes('CoreFilter', lowered, spec({}, { vcpus: 3 })), false)
    const twoAggs = host('d', {
      aggregates: [agg(1, { cpu_allocation_ratio: '3' }), agg(2, { cpu_allocation_ratio: '1.5' })],
    })
    assert.equal(allocationRatios(twoAggs).cpu, 1.5, 'the smallest aggregate value wins')
    const junk = host('e', { aggregates: [agg(1, { cpu_allocation_ratio: 'lots' })] })
    assert.equal(allocationRatios(junk).cpu, 4, 'an invalid value keeps the host ratio')
    // RAM: 8192 total, 512 reserved/used; ratio 1.5 from an aggregate.
    const ram = host('f', { aggregates: [agg(1, { ram_allocation_ratio: '1.5' })] })
    assert.equal(passes('RamFilter', host('g'), spec({}, { memoryMb: 7680 })), true)
    assert.equal(passes('RamFilter', host('g'), spec({}, { memoryMb: 7681 })), false)
    assert.equal(passes('RamFilter', ram, spec({}, { memoryMb: 11000 })), true)
    // Disk: root + ephemeral + swap rounded up to GB.
    const disk = host('h', { usedDiskGb: 90 })
    assert.equal(passes('DiskFilter', disk, spec({}, { rootGb: 9, swapMb: 1024 })), true)
    assert.equal(passes('DiskFilter', disk, spec({}, { rootGb: 9, swapMb: 1025 })), false)
    const overDisk = host('i', { aggregates: [agg(1, { disk_allocation_ratio: '3' })] })
    assert.equal(
      passes('DiskFilter', overDisk, spec({}, { rootGb: 101 })),
      false,
      'no self-overcommit',
    )
    assert.equal(passes('DiskFilter', overDisk, spec({}, { rootGb: 100 })), true)
  })

  it('ComputeFilter skips disabled and down services', () => {
    assert.equal(passes('ComputeFilter', host('a'), spec()), true)
    assert.equal(passes('ComputeFilter', host('a', { serviceDisabled: true }), spec()), false)
    assert.equal(passes('ComputeFilter', host('a', { serviceUp: false }), spec()), false)
  })
})

describe('scheduler weighers and selection', () => {
  it('spreads on free RAM by default and stacks with a negative multiplier', () => {
    const empty = host('empty')
    const full = host('full', { usedRamMb: 6000 })
    const spread = weighHosts([empty, full], spec(), WEIGHERS)
    assert.ok((spread[0] ?? 0) > (spread[1] ?? 0))
    const stack = makeWeighers({
      ram: -1,
      disk: 0,
      cpu: 0,
      ioOps: 0,
      softAffinity: 0,
      softAntiAffinity: 0,
    })
    const stacked = weighHosts([empty, full], spec(), stack)
    assert.ok((stacked[1] ?? 0) > (stacked[0] ?? 0))
  })

  it('normalises: equal scores weigh nothing; aggregates override multipliers', () => {
    const a = host('a')
    const b = host('b')
    assert.deepEqual(weighHosts([a, b], spec(), WEIGHERS), [0, 0])
    const ramOnly = makeWeighers({
      ram: 1,
      disk: 0,
      cpu: 0,
      ioOps: 0,
      softAffinity: 0,
      softAntiAffinity: 0,
    })
    const big = host('big', { usedRamMb: 0 })
    const small = host('small', {
      usedRamMb: 4096,
      aggregates: [agg(1, { ram_weight_multiplier: '-1' })],
    })
    // small has less free RAM (normalised 0) and a multiplier of -1: big still wins.
    const w = weighHosts([big, small], spec(), ramOnly)
    assert.equal(w[0], 1)
    assert.equal(w[1], 0)
  })

  it('prefers idle hosts and soft (anti-)affinity', () => {
    const busy = host('busy', { numIoOps: 3 })
    const idle = host('idle')
    const w = weighHosts([busy, idle], spec(), WEIGHERS)
    assert.ok((w[1] ?? 0) > (w[0] ?? 0))
    const soft = spec({ group: { policy: 'soft-affinity', memberHosts: { busy: 2 } } })
    const onlyAffinity = makeWeighers({
      ram: 0,
      disk: 0,
      cpu: 0,
      ioOps: 0,
      softAffinity: 1,
      softAntiAffinity: 1,
    })
    const ws = weighHosts([busy, idle], soft, onlyAffinity)
    assert.ok((ws[0] ?? 0) > (ws[1] ?? 0))
    const softAnti = spec({ group: { policy: 'soft-anti-affinity', memberHosts: { busy: 2 } } })
    const wa = weighHosts([busy, idle], softAnti, onlyAffinity)
    assert.ok((wa[1] ?? 0) > (wa[0] ?? 0))
  })

  it('selectHosts names the filter that left nothing and honours host_subset_size', () => {
    const filters = ['ComputeFilter', 'RamFilter']
      .map((n) => FILTERS[n])
      .filter((f) => f !== undefined)
    const hosts = [host('a', { usedRamMb: 6000 }), host('b'), host('c', { usedRamMb: 3000 })]
    const none = selectHosts(spec({}, { memoryMb: 100000 }), hosts, {
      filters,
      weighers: WEIGHERS,
      subsetSize: 1,
    })
    assert.deepEqual(none, { hosts: [], rejectedBy: 'RamFilter' })
    const best = selectHosts(spec(), hosts, { filters, weighers: WEIGHERS, subsetSize: 1 })
    assert.deepEqual(
      best.hosts.map((h) => h.host),
      ['b', 'c', 'a'],
    )
    const picked = selectHosts(spec(), hosts, {
      filters,
      weighers: WEIGHERS,
      subsetSize: 2,
      random: () => 0.99,
    })
    assert.equal(picked.hosts[0]?.host, 'c', 'the random pick among the best two comes first')
    const big = selectHosts(spec(), hosts, {
      filters,
      weighers: WEIGHERS,
      subsetSize: 10,
      random: () => 0.99,
    })
    assert.equal(big.hosts[0]?.host, 'a', 'a subset larger than the hosts covers them all')
    const forced = selectHosts(
      spec({ forceHost: 'a' }),
      [...hosts, host('d', { serviceDisabled: true })],
      {
        filters,
        weighers: WEIGHERS,
        subsetSize: 1,
      },
    )
    assert.deepEqual(
      forced.hosts.map((h) => h.host),
      ['a'],
    )
  })
})
