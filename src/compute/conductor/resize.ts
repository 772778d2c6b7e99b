/**
 * @module Resize and cold migration as Nova's conductor and computes run them: the source's
 * claim passes to the migration, the scheduler claims the destination for the server, the
 * source powers the guest off, the destination brings it up at the new size, and the server
 * waits in VERIFY_RESIZE. Confirm drops the source side; revert brings the server back.
 */
import { hostZone } from '../core/availability-zones.js'
import { notifyInstance } from '../core/notifications.js'
import { flavorColumns, flavorOf, guestSpecOf } from '../core/servers/guest-spec.js'
import { moveAllocations, setMigration } from '../core/servers/migrations.js'
import { setSystemMetadata, systemMetadata } from '../core/servers/system-metadata.js'
import type { ComputeDeps } from '../core/deps.js'
import { rpcClient } from '../../lib/rpc/define-rpc.js'
import { schedulerRpc } from '../scheduler/rpc.js'
import {
  MoveLost,
  advance,
  agentOf,
  bindPorts,
  failMove,
  flavorJson,
  hostIp,
  loadMove,
  restoreClaims,
  scheduleStep,
  step,
} from './move-steps.js'
import type { MoveRequest } from './rpc.js'

export async function migrateServer(deps: ComputeDeps, req: MoveRequest): Promise<void> {
  const loaded = await loadMove(deps, req, 'resize_prep')
  if (!loaded) return
  const { row, migration } = loaded
  const source = row.host ?? ''
  const oldFlavor = flavorOf(row)
  const newFlavor = flavorJson(row.new_flavor) ?? oldFlavor
  const resize = migration.migration_type === 'resize'
  const powerOn = row.vm_state === 'active'
  await moveAllocations(deps, row.id, migration.uuid)
  const dest = await scheduleStep(deps, req, 'conductor_migrate_server', row, {
    flavor: newFlavor,
    excludeSource: !(resize && deps.config.allowResizeToSameHost),
    host: req.host,
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
    })
    await step(deps, req, 'compute_prep_resize', dest.host, async () => {
      notify('resize_prep.start')
      notify('resize_prep.end')
    })
    await step(deps, req, 'compute_resize_instance', source, async () => {
      notify('resize.start')
      await advance(deps, row.id, 'resize_prep', { task_state: 'resize_migrating' })
      await setMigration(deps, migration.id, { status: 'migrating' })
      await agentOf(deps, source).guestOp({ instanceId: row.id, op: 'powerOff' })
      await advance(deps, row.id, 'resize_migrating', { task_state: 'resize_migrated' })
      await setMigration(deps, migration.id, { status: 'post-migrating' })
      notify('resize.end')
    })
    await step(deps, req, 'compute_finish_resize', dest.host, async () => {
      notify('resize_finish.start')
      await advance(deps, row.id, 'resize_migrated', { task_state: 'resize_finish' })
      const spec = guestSpecOf(row, { flavor: newFlavor, powerOn })
      const power = await agentOf(deps, dest.host).guestOp(
        dest.host === source
          ? { instanceId: row.id, op: 'resize', spec }
          : { instanceId: row.id, op: 'spawn', spec },
      )
      if (dest.host !== source) await bindPorts(deps, row.id, dest.host)
      // The migration is finished before the server says so: a confirm may follow at once.
      await setMigration(deps, migration.id, { status: 'finished' })
      await advance(deps, row.id, 'resize_finish', {
        ...flavorColumns(newFlavor),
        old_flavor: row.flavor,
        new_flavor: null,
        host: dest.host,
        node: dest.node,
        availability_zone: dest.availabilityZone,
        vm_state: 'resized',
        task_state: null,
        power_state: power,
      })
      notify('resize_finish.end')
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

export async function confirmResize(deps: ComputeDeps, req: MoveRequest): Promise<void> {
  const loaded = await loadMove(deps, req, 'resize_confirming')
  if (!loaded) return
  const { row, migration } = loaded
  const source = migration.source_compute ?? ''
  await step(deps, req, 'compute_confirm_resize', source, async () => {
    notifyInstance(deps, 'instance.resize_confirm.start', row.id)
    if (source !== migration.dest_compute)
      await agentOf(deps, source).guestOp({ instanceId: row.id, op: 'destroy' })
    await rpcClient(deps.bus, schedulerRpc).releaseClaim({ instanceId: migration.uuid })
    const meta = await systemMetadata(deps.db, row.id)
    await setMigration(deps, migration.id, { status: 'confirmed' })
    await setSystemMetadata(deps.db, row.id, { old_vm_state: null })
    await advance(deps, row.id, 'resize_confirming', {
      vm_state: meta.old_vm_state === 'stopped' ? 'stopped' : 'active',
      task_state: null,
      old_flavor: null,
    })
    notifyInstance(deps, 'instance.resize_confirm.end', row.id)
  }).catch((err: unknown) => {
    if (!(err instanceof MoveLost)) throw err
  })
}

export async function revertResize(deps: ComputeDeps, req: MoveRequest): Promise<void> {
  const loaded = await loadMove(deps, req, 'resize_reverting')
  if (!loaded) return
  const { row, migration } = loaded
  const source = migration.source_compute ?? ''
  const dest = migration.dest_compute ?? ''
  const oldFlavor = flavorJson(row.old_flavor) ?? flavorOf(row)
  const meta = await systemMetadata(deps.db, row.id)
  const powerOn = meta.old_vm_state !== 'stopped'
  try {
    await step(deps, req, 'compute_revert_resize', dest, async () => {
      notifyInstance(deps, 'instance.resize_revert.start', row.id)
      if (dest !== source) await agentOf(deps, dest).guestOp({ instanceId: row.id, op: 'destroy' })
      await rpcClient(deps.bus, schedulerRpc).releaseClaim({ instanceId: row.id })
      await moveAllocations(deps, migration.uuid, row.id)
    })
    await step(deps, req, 'compute_finish_revert_resize', source, async () => {
      const power = await agentOf(deps, source).guestOp(
        dest === source
          ? {
              instanceId: row.id,
              op: 'resize',
              spec: guestSpecOf(row, { flavor: oldFlavor, powerOn }),
            }
          : { instanceId: row.id, op: powerOn ? 'powerOn' : 'powerOff' },
      )
      if (dest !== source) await bindPorts(deps, row.id, source)
      await setMigration(deps, migration.id, { status: 'reverted' })
      await setSystemMetadata(deps.db, row.id, { old_vm_state: null })
      await advance(deps, row.id, 'resize_reverting', {
        ...flavorColumns(oldFlavor),
        old_flavor: null,
        new_flavor: null,
        host: source,
        node: migration.source_node,
        availability_zone: await hostZone(deps, source),
        vm_state: powerOn ? 'active' : 'stopped',
        task_state: null,
        power_state: power,
      })
      notifyInstance(deps, 'instance.resize_revert.end', row.id)
    })
  } catch (err) {
    if (err instanceof MoveLost) return
    const message = err instanceof Error ? err.message : String(err)
    await failMove(deps, req, { row, migration, destClaimed: false, message, vmError: true })
  }
}
