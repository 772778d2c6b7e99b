/**
 * @module Actions that move a guest's disk into the image service (snapshot, backup, shelve)
 * or back out of it (unshelve), with Nova's intermediate task_states. The API created the
 * image record; the agent uploads the driver's snapshot bytes as the requester.
 */
import { POWER_STATES } from '../virt/driver.js'
import { type ActionContext, type AgentAction, imageCallerOf, specOf } from './action-types.js'

function imageIdOf(ctx: ActionContext): string | undefined {
  return typeof ctx.args.imageId === 'string' ? ctx.args.imageId : undefined
}

async function upload(ctx: ActionContext, pending: string, uploading: string): Promise<void> {
  const imageId = imageIdOf(ctx)
  if (imageId === undefined) return
  const snap = await ctx.driver.snapshot(ctx.instanceId)
  await ctx.update({ task_state: pending })
  await ctx.update({ task_state: uploading })
  await ctx.images.uploadImage(imageCallerOf(ctx.args), imageId, snap.data)
}

/** An image that will never get its data is deleted (Nova does the same on snapshot failure). */
async function dropImage(ctx: ActionContext): Promise<void> {
  const imageId = imageIdOf(ctx)
  if (imageId !== undefined)
    await ctx.images.deleteImage(imageCallerOf(ctx.args), imageId).catch(() => undefined)
}

/** Keeps the newest `rotation` backups of this server and type (Nova's _rotate_backups). */
async function rotateBackups(ctx: ActionContext): Promise<void> {
  const caller = imageCallerOf(ctx.args)
  const backups = await ctx.images.listImages(caller, {
    image_type: 'backup',
    backup_type: String(ctx.args.backupType),
    instance_uuid: ctx.instanceId,
  })
  for (const image of backups.slice(Number(ctx.args.rotation)))
    await ctx.images.deleteImage(caller, image.id).catch(() => undefined)
}

async function offload(ctx: ActionContext): Promise<undefined> {
  await ctx.driver.destroy(ctx.instanceId)
  // Free the host first: once SHELVED_OFFLOADED shows, the room is already back.
  await ctx.releaseClaim()
  await ctx.update({
    vm_state: 'shelved_offloaded',
    task_state: null,
    power_state: POWER_STATES.SHUTDOWN,
    host: null,
    node: null,
  })
  return undefined
}

export const IMAGE_ACTIONS: Record<string, AgentAction> = {
  snapshot: {
    taskState: 'image_snapshot_pending',
    event: 'compute_snapshot_instance',
    notification: 'snapshot',
    run: async (ctx) => {
      await ctx.update({ task_state: 'image_snapshot' })
      await upload(ctx, 'image_pending_upload', 'image_uploading')
      return { task_state: null }
    },
    cleanup: dropImage,
    revertsOnError: true,
  },
  backup: {
    taskState: 'image_backup',
    event: 'compute_backup_instance',
    notification: 'snapshot',
    run: async (ctx) => {
      await upload(ctx, 'image_pending_upload', 'image_uploading')
      await rotateBackups(ctx)
      return { task_state: null }
    },
    cleanup: dropImage,
    revertsOnError: true,
  },
  shelve: {
    taskState: 'shelving',
    event: 'compute_shelve_instance',
    run: async (ctx) => {
      await ctx.notify('instance.shelve.start')
      await ctx.driver.powerOff(ctx.instanceId)
      await upload(ctx, 'shelving_image_pending_upload', 'shelving_image_uploading')
      const now = ctx.shelvedOffloadTime === 0
      await ctx.update({
        vm_state: 'shelved',
        task_state: now ? 'shelving_offloading' : null,
        power_state: POWER_STATES.SHUTDOWN,
      })
      await ctx.notify('instance.shelve.end')
      if (!now) return undefined
      await ctx.notify('instance.shelve_offload.start')
      await offload(ctx)
      await ctx.notify('instance.shelve_offload.end')
      return undefined
    },
    cleanup: dropImage,
    revertsOnError: true,
  },
  shelve_offload: {
    taskState: 'shelving_offloading',
    event: 'compute_shelve_offload_instance',
    notification: 'shelve_offload',
    run: offload,
  },
  /** A shelved server still on its host just starts again. */
  unshelve_local: {
    taskState: 'unshelving',
    event: 'compute_start_instance',
    notification: 'power_on',
    run: async (ctx) => {
      await ctx.driver.powerOn(ctx.instanceId)
      await ctx.update({ vm_state: 'active', power_state: POWER_STATES.RUNNING, task_state: null })
      await dropImage(ctx)
      return undefined
    },
  },
  /** The conductor placed a shelved-offloaded server here: spawn it from its shelved image. */
  unshelve: {
    taskState: 'unshelving',
    event: 'compute_unshelve_instance',
    notification: 'unshelve',
    run: async (ctx) => {
      await ctx.update({ task_state: 'spawning' })
      await ctx.driver.spawn(specOf(ctx.args))
      await ctx.update({
        vm_state: 'active',
        power_state: POWER_STATES.RUNNING,
        task_state: null,
        launched_at: ctx.nowIso(),
      })
      await dropImage(ctx)
      return undefined
    },
  },
}
