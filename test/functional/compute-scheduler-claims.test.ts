import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { systemClock } from '../../src/lib/clock/clock.js'
import type { Database } from '../../src/lib/db/open-database.js'
import { silentLogger } from '../../src/lib/log/logger.js'
import { loadOstackConfig } from '../../src/config.js'
import type { ComputeDeps } from '../../src/compute/core/deps.js'
import { noteFleetChange } from '../../src/compute/core/fleet-generation.js'
import type { ComputeTables } from '../../src/compute/db/tables.js'
import { claimResources, releaseResources } from '../../src/compute/scheduler/claims.js'
import { HostStateCache } from '../../src/compute/scheduler/host-states.js'
import { openComputeDatabase } from '../../src/compute/service.js'
import { createTestDatabase, type TestDatabase } from '../support/test-database.js'

describe('claims and the host cache', () => {
  let testDb: TestDatabase
  let database: Database<ComputeTables>
  let deps: ComputeDeps
  before(async () => {
    testDb = await createTestDatabase()
    const config = loadOstackConfig({ overrides: { database: { connection: testDb.connection } } })
    database = await openComputeDatabase({ config, log: silentLogger() })
    // SAFETY: claims and the host cache use only db, clock, config and log.
    deps = {
      db: database.db,
      clock: systemClock,
      config: config.compute,
      log: silentLogger(),
    } as unknown as ComputeDeps
  })
  after(async () => {
    await database.close()
    await testDb.drop()
  })

  async function addNode(id: string, size: { vcpus: number; memoryMb: number; localGb: number }) {
    const now = new Date().toISOString()
    await deps.db
      .insertInto('compute_node')
      .values({
        id,
        seq: Math.floor(Math.random() * 1e6),
        host: id,
        hypervisor_hostname: id,
        hypervisor_type: 'fake',
        hypervisor_version: 1000,
        host_ip: '127.0.0.1',
        cpu_info: '{}',
        vcpus: size.vcpus,
        memory_mb: size.memoryMb,
        local_gb: size.localGb,
        vcpus_used: 0,
        memory_mb_used: 0,
        local_gb_used: 0,
        running_vms: 0,
        cpu_allocation_ratio: 4,
        ram_allocation_ratio: 1.5,
        disk_allocation_ratio: 1,
        reserved_memory_mb: 512,
        reserved_disk_mb: 2048,
        created_at: now,
        updated_at: now,
      })
      .execute()
  }

  async function node(id: string) {
    return deps.db
      .selectFrom('compute_node')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  }

  it('parallel claims never exceed capacity × ratio', async () => {
    await addNode('n1', { vcpus: 4, memoryMb: 100000, localGb: 1000 })
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        claimResources(deps, {
          instanceId: `i${String(i)}`,
          nodeId: 'n1',
          vcpus: 1,
          memoryMb: 10,
          diskGb: 1,
        }),
      ),
    )
    assert.equal(results.filter(Boolean).length, 16, '4 CPUs × 4')
    const n = await node('n1')
    assert.equal(n.vcpus_used, 16)
    assert.equal(n.running_vms, 16)
    const allocations = await deps.db
      .selectFrom('allocation')
      .selectAll()
      .where('node_id', '=', 'n1')
      .execute()
    assert.equal(allocations.length, 16)
  })

  it('RAM counts the reserved memory and the ratio; disk counts reserved disk', async () => {
    // 2048 MB × 1.5 = 3072, minus 512 reserved: 2560 MB for servers.
    await addNode('n2', { vcpus: 64, memoryMb: 2048, localGb: 1000 })
    const ram = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        claimResources(deps, {
          instanceId: `r${String(i)}`,
          nodeId: 'n2',
          vcpus: 1,
          memoryMb: 256,
          diskGb: 0,
        }),
      ),
    )
    assert.equal(ram.filter(Boolean).length, 10)
    assert.ok((await node('n2')).memory_mb_used <= 2560)
    // 10 GB disk, 2 GB reserved: 8 GB for servers.
    await addNode('n3', { vcpus: 64, memoryMb: 100000, localGb: 10 })
    const disk = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        claimResources(deps, {
          instanceId: `d${String(i)}`,
          nodeId: 'n3',
          vcpus: 1,
          memoryMb: 1,
          diskGb: 3,
        }),
      ),
    )
    assert.equal(disk.filter(Boolean).length, 2)
  })

  it('claims use the ratios the scheduler decided with (aggregate overrides)', async () => {
    await addNode('n4', { vcpus: 4, memoryMb: 100000, localGb: 1000 })
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        claimResources(deps, {
          instanceId: `o${String(i)}`,
          nodeId: 'n4',
          vcpus: 1,
          memoryMb: 1,
          diskGb: 0,
          ratios: { cpu: 1.5, ram: 1, disk: 1 },
        }),
      ),
    )
    assert.equal(results.filter(Boolean).length, 6, '4 CPUs × 1.5')
  })

  it('release gives everything back and is idempotent', async () => {
    await releaseResources(deps, 'i0')
    await releaseResources(deps, 'i0')
    const n = await node('n1')
    assert.equal(n.vcpus_used, 15)
    assert.equal(n.running_vms, 15)
    assert.equal(
      await claimResources(deps, {
        instanceId: 'i0',
        nodeId: 'n1',
        vcpus: 1,
        memoryMb: 10,
        diskGb: 1,
      }),
      true,
    )
  })

  it('the host cache reloads at once when the fleet generation moves', async () => {
    const now = new Date().toISOString()
    await deps.db
      .insertInto('compute_service')
      .values({
        id: 'svc-n1',
        seq: 1,
        host: 'n1',
        binary: 'nova-compute',
        topic: 'compute',
        disabled: 0,
        disabled_reason: null,
        forced_down: 0,
        report_count: 1,
        last_seen_up: now,
        version: 61,
        created_at: now,
        updated_at: now,
      })
      .execute()
    const cache = new HostStateCache(deps)
    const first = (await cache.all()).find((h) => h.host === 'n1')
    assert.equal(first?.serviceDisabled, false)
    assert.equal(first.serviceUp, true)
    await deps.db
      .updateTable('compute_service')
      .set({ disabled: 1 })
      .where('id', '=', 'svc-n1')
      .execute()
    const stale = (await cache.all()).find((h) => h.host === 'n1')
    assert.equal(stale?.serviceDisabled, false, 'cached within the second')
    await noteFleetChange(deps.db)
    const fresh = (await cache.all()).find((h) => h.host === 'n1')
    assert.equal(fresh?.serviceDisabled, true)
    // Aggregates reach the hosts' state too.
    await deps.db
      .insertInto('aggregate')
      .values({ id: 1, uuid: 'u-1', name: 'a1', created_at: now, updated_at: null })
      .execute()
    await deps.db.insertInto('aggregate_host').values({ aggregate_id: 1, host: 'n1' }).execute()
    await deps.db
      .insertInto('aggregate_metadata')
      .values({ aggregate_id: 1, key: 'availability_zone', value: 'az9' })
      .execute()
    await noteFleetChange(deps.db)
    const zoned = (await cache.all()).find((h) => h.host === 'n1')
    assert.equal(zoned?.availabilityZone, 'az9')
    assert.deepEqual(
      zoned.aggregates.map((a) => a.metadata),
      [{ availability_zone: 'az9' }],
    )
  })
})
