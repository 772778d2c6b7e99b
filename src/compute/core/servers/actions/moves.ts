/**
 * @module The API side of moves (Nova's compute API resize, confirm/revert, migrate,
 * live_migrate, evacuate): every check Nova makes before anything changes, then the server's
 * task_state, a migration record and the os-instance-actions row, and a cast to the conductor.
 */
import { rpcClient } from '../../../../lib/rpc/define-rpc.js'
import { conductorRpc } from '../../../conductor/rpc.js'
import { computeErrors } from '../../../errors.js'
import type { Caller, ComputeDeps } from '../../deps.js'
import type { FlavorSnapshot } from '../../instance-spec.js'
import { startAction } from '../../instance-actions.js'
import { notifyInstance } from '../../notifications.js'
import { findComputeService, isServiceUp } from '../../services.js'
import { flavorIdFromRef } from '../../flavors.js'
import { flavorOf } from '../guest-spec.js'
import { checkHost, checkLock, checkState } from '../guards.js'
import { createMigration, findMigration, type MigrationType, setMigration } from '../migrations.js'
import type { InstanceRow } from '../records.js'
import { setSystemMetadata } from '../system-metadata.js'
import { enterTaskState } from './cast.js'
import { checkUpsizeQuota } from './quota-deltas.js'

const GIB = 1024 ** 3

async function sourceServiceUp(deps: ComputeDeps, host: string): Promise<boolean> {
  const service = await findComputeService(deps, host)
  return service !== undefined && isServiceUp(deps, service)
}

/** Nova's check_instance_host(check_is_up=True). */
async function checkHostUp(deps: ComputeDeps, row: InstanceRow): Promise<string> {
  const host = checkHost(row)
  if (!(await sourceServiceUp(deps, host)))
    throw computeErrors.conflict('Service is unavailable at this time.')
  return host
}

/** Any flavor by id (resize is not limited by flavor access, as in Nova). */
async function flavorById(
  deps: ComputeDeps,
  ref: string,
): Promise<FlavorSnapshot & { disabled: boolean }> {
  const id = flavorIdFromRef(ref)
  const row = await deps.db.selectFrom('flavor').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw computeErrors.badRequest(`Flavor ${id} could not be found.`)
  const specs = await deps.db
    .selectFrom('flavor_extra_spec')
    .select(['key', 'value'])
    .where('flavor_id', '=', id)
    .execute()
  return {
    id: row.id,
    name: row.name,
    vcpus: row.vcpus,
    memoryMb: row.memory_mb,
    rootGb: row.root_gb,
    ephemeralGb: row.ephemeral_gb,
    swapMb: row.swap,
    rxtxFactor: row.rxtx_factor,
    extraSpecs: Object.fromEntries(specs.map((s) => [s.key, s.value])),
    disabled: row.disabled === 1,
  }
}

function checkImageFits(row: InstanceRow, flavor: FlavorSnapshot): void {
  // SAFETY: image_meta is the JSON object create.ts stored.
  const meta = JSON.parse(row.image_meta) as Record<string, string | undefined>
  if (flavor.memoryMb < Number(meta.min_ram ?? 0))
    throw computeErrors.badRequest("Flavor's memory is too small for requested image.")
  const minDisk = Number(meta.min_disk ?? 0) * GIB
  if (flavor.rootGb > 0 && minDisk > flavor.rootGb * GIB)
    throw computeErrors.badRequest(
      `Flavor's disk is too small for requested image. Flavor disk is ${flavor.rootGb * GIB} bytes, minimum required by image is ${minDisk} bytes.`,
    )
}

async function beginMove(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  m: {
    name: string
    taskState: string
    from?: (string | null)[]
    set?: Partial<InstanceRow>
    type: MigrationType
    status: string
    action: string
    newFlavorId: string
    destCompute?: string
  },
): Promise<number> {
  await enterTaskState(deps, row, {
    name: m.name,
    taskState: m.taskState,
    ...(m.from ? { from: m.from } : {}),
    ...(m.set ? { set: m.set } : {}),
  })
  const migration = await createMigration(deps, {
    instanceId: row.id,
    type: m.type,
    status: m.status,
    sourceCompute: row.host,
    sourceNode: row.node,
    ...(m.destCompute === undefined ? {} : { destCompute: m.destCompute }),
    oldFlavorId: flavorOf(row).id,
    newFlavorId: m.newFlavorId,
    projectId: row.project_id,
    userId: row.user_id,
  })
  await startAction(deps, caller, row.id, m.action)
  return migration.id
}

/** resize (flavorRef given) or cold migrate (admin, optionally to a named host). */
export async function resizeOrMigrate(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  target: { flavorRef: string; diskConfig?: string | undefined } | { host: string | undefined },
): Promise<void> {
  const resize = 'flavorRef' in target
  const name = resize ? 'resize' : 'migrate'
  checkLock(caller, row)
  checkState(row, name, { vm: ['active', 'stopped'] })
  await checkHostUp(deps, row)
  const current = flavorOf(row)
  let next = current
  if (resize) {
    const found = await flavorById(deps, target.flavorRef)
    if (found.rootGb === 0 && current.rootGb !== 0)
      throw computeErrors.badRequest(
        'Server disk was unable to be resized because: Resize to zero disk flavor is not allowed.',
      )
    if (found.id !== current.id && found.disabled)
      throw computeErrors.badRequest(`Flavor ${found.id} could not be found.`)
    if (found.id === current.id)
      throw computeErrors.badRequest('When resizing, instances must change flavor!')
    const { disabled: _disabled, ...flavor } = found
    next = flavor
    await checkUpsizeQuota(deps, row, current, next)
    checkImageFits(row, next)
  } else if (target.host !== undefined) {
    if (target.host === row.host)
      throw computeErrors.badRequest('Cannot migrate to the host where the server exists.')
    await requireComputeNode(deps, target.host)
  }
  const migrationId = await beginMove(deps, caller, row, {
    name,
    taskState: 'resize_prep',
    set: {
      progress: 0,
      new_flavor: JSON.stringify(next),
      ...(resize && target.diskConfig !== undefined ? { disk_config: target.diskConfig } : {}),
    },
    type: resize ? 'resize' : 'migration',
    status: 'pre-migrating',
    action: name,
    newFlavorId: next.id,
  })
  await setSystemMetadata(deps.db, row.id, { old_vm_state: row.vm_state })
  await rpcClient(deps.bus, conductorRpc).migrateServer({
    instanceId: row.id,
    migrationId,
    requestId: caller.requestId,
    ...(!resize && target.host !== undefined ? { host: target.host } : {}),
  })
}

async function requireComputeNode(deps: ComputeDeps, host: string): Promise<void> {
  const node = await deps.db
    .selectFrom('compute_node')
    .select('id')
    .where('host', '=', host)
    .executeTakeFirst()
  if (!node) throw computeErrors.badRequest(`Compute host ${host} could not be found.`)
}

export async function confirmResize(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
): Promise<void> {
  checkLock(caller, row)
  checkState(row, 'confirmResize', { vm: ['resized'] })
  const migration = await findMigration(deps, row.id, 'finished')
  if (!migration) throw computeErrors.badRequest('Instance has not been resized.')
  if (!(await sourceServiceUp(deps, migration.source_compute ?? '')))
    throw computeErrors.conflict('Service is unavailable at this time.')
  await enterTaskState(deps, row, { name: 'confirmResize', taskState: 'resize_confirming' })
  await setMigration(deps, migration.id, { status: 'confirming' })
  await startAction(deps, caller, row.id, 'confirmResize')
  await rpcClient(deps.bus, conductorRpc).confirmResize({
    instanceId: row.id,
    migrationId: migration.id,
    requestId: caller.requestId,
  })
}

export async function revertResize(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
): Promise<void> {
  checkLock(caller, row)
  checkState(row, 'revertResize', { vm: ['resized'] })
  const migration = await findMigration(deps, row.id, 'finished')
  if (!migration) throw computeErrors.badRequest('Instance has not been resized.')
  const old = row.old_flavor === null ? undefined : (JSON.parse(row.old_flavor) as FlavorSnapshot)
  if (!old) throw computeErrors.badRequest('Flavor used by the instance could not be found.')
  await checkUpsizeQuota(deps, row, flavorOf(row), old)
  await enterTaskState(deps, row, { name: 'revertResize', taskState: 'resize_reverting' })
  await setMigration(deps, migration.id, { status: 'reverting' })
  await startAction(deps, caller, row.id, 'revertResize')
  await rpcClient(deps.bus, conductorRpc).revertResize({
    instanceId: row.id,
    migrationId: migration.id,
    requestId: caller.requestId,
  })
}

export async function liveMigrate(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  target: { host: string | undefined; force: boolean; async: boolean },
): Promise<void> {
  checkLock(caller, row)
  checkState(row, 'os-migrateLive', { vm: ['active', 'paused'] })
  if (target.host !== undefined) await requireComputeNode(deps, target.host)
  // Before 2.34 the conductor's pre-checks answered the request; since, they fail the migration.
  if (!target.async && target.host !== undefined && target.host === row.host)
    throw computeErrors.badRequest(
      `Unable to migrate instance (${row.id}) to current host (${target.host}).`,
    )
  const migrationId = await beginMove(deps, caller, row, {
    name: 'os-migrateLive',
    taskState: 'migrating',
    type: 'live-migration',
    status: 'accepted',
    action: 'live-migration',
    newFlavorId: flavorOf(row).id,
  })
  await rpcClient(deps.bus, conductorRpc).liveMigrate({
    instanceId: row.id,
    migrationId,
    requestId: caller.requestId,
    ...(target.host === undefined ? {} : { host: target.host, force: target.force }),
  })
}

/** Evacuate: the host checks (404/400) come first, as in Nova's handler. */
export async function evacuate(
  deps: ComputeDeps,
  caller: Caller,
  row: InstanceRow,
  target: { host: string | undefined; force: boolean; adminPass: string | null },
): Promise<void> {
  if (target.host !== undefined && !(await findComputeService(deps, target.host)))
    throw computeErrors.notFound(`Compute host ${target.host} not found.`)
  if (row.host === (target.host ?? null))
    throw computeErrors.badRequest("The target host can't be the same one.")
  // Nova passes task_state=None here: evacuation takes a server in any task_state.
  checkState(row, 'evacuate', { vm: ['active', 'stopped', 'error'], task: 'any' })
  const source = checkHost(row)
  if (await sourceServiceUp(deps, source))
    throw computeErrors.badRequest(`Compute service of ${source} is still in use.`)
  const migrationId = await beginMove(deps, caller, row, {
    name: 'evacuate',
    taskState: 'rebuilding',
    from: [row.task_state],
    type: 'evacuation',
    status: 'accepted',
    action: 'evacuate',
    newFlavorId: flavorOf(row).id,
    ...(target.host === undefined ? {} : { destCompute: target.host }),
  })
  notifyInstance(deps, 'instance.evacuate', row.id)
  await rpcClient(deps.bus, conductorRpc).evacuate({
    instanceId: row.id,
    migrationId,
    requestId: caller.requestId,
    adminPass: target.adminPass,
    ...(target.host === undefined ? {} : { host: target.host, force: target.force }),
  })
}
