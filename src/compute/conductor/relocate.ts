/**
 * @module Moves that keep the server's size: live migration (the guest runs on at the
 * destination), evacuation (rebuilt elsewhere while its host is down) and unshelve of an
 * offloaded server (placed on a host again, then spawned there by that host's agent).
 */
import { rpcClient } from '../../lib/rpc/define-rpc.js'
import type { ComputeDeps } from '../core/deps.js'
import { notifyInstance } from '../core/notifications.js'
import { guestSpecOf } from '../core/servers/guest-spec.js'
import { moveAllocations, setMigration } from '../core/servers/migrations.js'
import type { InstanceRow } from '../core/servers/records.js'
import { systemMetadata } from '../core/servers/system-metadata.js'
import { schedulerRpc } from '../scheduler/rpc.js'
import {
  MoveLost,
  addFault,
  advance,
  agentOf,
  bindPorts,
  failMove,
  hostIp,
  loadMove,
  restoreClaims,
  scheduleStep,
  step,
} from './move-steps.js'
import type { MoveRequest } from './rpc.js'

export async function liveMigrate(deps: ComputeDeps, req: MoveRequest): Promise<void> {
  const loaded = await loadMove(deps, req, 'migrating')
  if (!loaded) return
  const { row, migration } = loaded
  const source = row.host ?? ''
  if (req.host === source) {
    const message = `Unable to migrate instance (${row.id}) to current host (${source}).`
    await step(deps, req, 'conductor_live_migrate_instance', null, () =>
      Promise.reject(new Error(message)),
    ).catch(() => undefined)
    await failMove(deps, req, { row, migration, destClaimed: false, message, vmError: false })
    return
  }
  await moveAllocations(deps, row.id, migration.uuid)
  const dest = await scheduleStep(deps, req, 'conductor_live_migrate_instance', row, {
    excludeSource: true,
    host: req.host,
    force: req.force,
  })
  if (typeof dest === 'string') {
    await failMove(deps, req, { row, migration, destClaimed: false, message: dest, vmError: false })
    return
  }
  const notify = (e: string) => notifyInstance(deps, `instance.${e}`, row.id)
  try {
    await setMigration(deps, migration.id, {
      dest_compute: dest.host,
      dest_node: dest.node,
      dest_host: await hostIp(deps, dest.host),
      status: 'preparing',
    })
    await step(deps, req, 'compute_pre_live_migration', dest.host, async () => {
      notify('live_migration_pre.start')
      const agent = agentOf(deps, dest.host)
      await agent.guestOp({
        instanceId: row.id,
        op: 'spawn',
        spec: guestSpecOf(row, { powerOn: true }),
      })
      if (row.vm_state === 'paused') await agent.guestOp({ instanceId: row.id, op: 'pause' })
      notify('live_migration_pre.end')
    })
    await setMigration(deps, migration.id, { status: 'running' })
    await step(deps, req, 'compute_live_migration', source, async () => {
      await agentOf(deps, source).guestOp({ instanceId: row.id, op: 'destroy' })
    })
    await setMigration(deps, migration.id, { status: 'post-migrating' })
    await step(deps, req, 'compute_post_live_migration_at_destination', dest.host, async () => {
      notify('live_migration_post.start')
      await bindPorts(deps, row.id, dest.host)
      await rpcClient(deps.bus, schedulerRpc).releaseClaim({ instanceId: migration.uuid })
      await setMigration(deps, migration.id, { status: 'completed' })
      await advance(deps, row.id, 'migrating', {
        host: dest.host,
        node: dest.node,
        availability_zone: dest.availabilityZone,
        task_state: null,
      })
      notify('live_migration_post.end')
    })
  } catch (err) {
    if (!(err instanceof MoveLost)) {
      const message = err instanceof Error ? err.message : String(err)
      await failMove(deps, req, { row, migration, destClaimed: true, message, vmError: true })
      return
    }
    await restoreClaims(deps, row.id, migration, true)
    await setMigration(deps, migration.id, { status: 'error' })
  }
}

export async function evacuate(
  deps: ComputeDeps,
  req: MoveRequest & { adminPass: string | null },
): Promise<void> {
  const loaded = await loadMove(deps, req, 'rebuilding')
  if (!loaded) return
  const { row, migration } = loaded
  await moveAllocations(deps, row.id, migration.uuid)
  const dest = await scheduleStep(deps, req, 'conductor_rebuild_server', row, {
    excludeSource: true,
    host: req.host,
    force: req.force,
  })
  if (typeof dest === 'string') {
    await failMove(deps, req, { row, migration, destClaimed: false, message: dest, vmError: true })
    return
  }
  try {
    await setMigration(deps, migration.id, {
      dest_compute: dest.host,
      dest_node: dest.node,
      dest_host: await hostIp(deps, dest.host),
      status: 'pre-migrating',
    })
    await step(deps, req, 'compute_rebuild_instance', dest.host, async () => {
      notifyInstance(deps, 'instance.rebuild.start', row.id)
      const powerOn = row.vm_state !== 'stopped'
      await advance(deps, row.id, 'rebuilding', {
        host: dest.host,
        node: dest.node,
        availability_zone: dest.availabilityZone,
        task_state: 'rebuild_spawning',
      })
      await bindPorts(deps, row.id, dest.host)
      const power = await agentOf(deps, dest.host).guestOp({
        instanceId: row.id,
        op: 'spawn',
        spec: guestSpecOf(row, { powerOn }),
      })
      // The source keeps its claim (under the migration) until its agent restarts and
      // cleans up, as Nova's does; `done` tells it to.
      await setMigration(deps, migration.id, { status: 'done' })
      await advance(deps, row.id, 'rebuild_spawning', {
        vm_state: powerOn ? 'active' : 'stopped',
        task_state: null,
        power_state: power,
        launched_at: deps.clock.now().toISOString(),
      })
      notifyInstance(deps, 'instance.rebuild.end', row.id)
    })
  } catch (err) {
    if (!(err instanceof MoveLost)) {
      const message = err instanceof Error ? err.message : String(err)
      await failMove(deps, req, { row, migration, destClaimed: true, message, vmError: true })
      return
    }
    await restoreClaims(deps, row.id, migration, true)
    await setMigration(deps, migration.id, { status: 'error' })
  }
}

/** Evacuated servers whose source is `host` (its agent restarts): drop the leftovers. */
export async function evacuationsFrom(deps: ComputeDeps, host: string): Promise<string[]> {
  const done = await deps.db
    .selectFrom('migration')
    .select('instance_uuid')
    .where('source_compute', '=', host)
    .where('migration_type', '=', 'evacuation')
    .where('status', '=', 'done')
    .execute()
  return done.map((m) => m.instance_uuid)
}

export async function evacuationsCleaned(deps: ComputeDeps, host: string): Promise<void> {
  const done = await deps.db
    .selectFrom('migration')
    .select(['id', 'uuid'])
    .where('source_compute', '=', host)
    .where('migration_type', '=', 'evacuation')
    .where('status', '=', 'done')
    .execute()
  for (const m of done) {
    await rpcClient(deps.bus, schedulerRpc).releaseClaim({ instanceId: m.uuid })
    await setMigration(deps, m.id, { status: 'completed' })
  }
}

export async function unshelveInstance(
  deps: ComputeDeps,
  req: {
    instanceId: string
    requestId: string
    host?: string
    caller: { projectId: string; userId: string; isAdmin: boolean; requestId: string }
  },
): Promise<void> {
  const row: InstanceRow | undefined = await deps.db
    .selectFrom('instance')
    .selectAll()
    .where('id', '=', req.instanceId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (!row || row.task_state !== 'unshelving') return
  const dest = await scheduleStep(deps, req, 'conductor_unshelve_instance', row, {
    excludeSource: false,
    host: req.host,
  })
  if (typeof dest === 'string') {
    await deps.db
      .updateTable('instance')
      .set({ task_state: null, updated_at: deps.clock.now().toISOString() })
      .where('id', '=', row.id)
      .where('task_state', '=', 'unshelving')
      .execute()
    await addFault(deps, row.id, dest, null)
    return
  }
  try {
    await advance(deps, row.id, 'unshelving', {
      host: dest.host,
      node: dest.node,
      availability_zone: dest.availabilityZone,
    })
  } catch {
    await rpcClient(deps.bus, schedulerRpc).releaseClaim({ instanceId: row.id })
    return
  }
  try {
    await bindPorts(deps, row.id, dest.host)
  } catch (err) {
    deps.log.warn({ err, instanceId: row.id, host: dest.host }, 'ports not bound on unshelve')
  }
  const meta = await systemMetadata(deps.db, row.id)
  const imageId = meta.shelved_image_id
  await agentOf(deps, dest.host).instanceAction({
    instanceId: row.id,
    action: 'unshelve',
    requestId: req.requestId,
    args: {
      caller: req.caller,
      ...(imageId === undefined ? {} : { imageId }),
      spec: guestSpecOf(
        { ...row, host: dest.host },
        { powerOn: true, imageId: imageId ?? row.image_ref },
      ),
    },
  })
}
