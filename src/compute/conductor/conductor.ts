/**
 * @module The conductor role: turns recorded servers into running ones (schedule, claim, hand to
 * an agent, reschedule on failure) and makes every database change hosts ask for, as Nova's
 * conductor does for nova-compute.
 */
import type { RpcServer } from '../../lib/rpc/bus.js'
import { rpcClient, serveRpc } from '../../lib/rpc/define-rpc.js'
import { fromJson, toJson } from '../../lib/db/values.js'
import { uuid } from '../../lib/ids/ids.js'
import { computeAgentRpc } from '../agent/rpc.js'
import type { ComputeDeps } from '../core/deps.js'
import type {
  BuildNetworkRequest,
  FlavorSnapshot,
  InstanceBuild,
  InstanceUpdate,
} from '../core/instance-spec.js'
import { NETWORK_REQUEST_KEY, type StoredNetworkRequest } from '../core/servers/create.js'
import { networkInfoOf, saveNetworkInfo } from '../core/servers/network-info.js'
import { systemMetadata } from '../core/servers/system-metadata.js'
import { notifyInstance } from '../core/notifications.js'
import { recordActionEvent } from '../core/instance-actions.js'
import { startServiceHeartbeat } from '../core/services.js'
import type { RequestSpec, ServerGroupInfo } from '../scheduler/host-state.js'
import { schedulerRpc } from '../scheduler/rpc.js'
import { conductorRpc } from './rpc.js'
import { upsertHost } from './hosts.js'
import {
  evacuate,
  evacuationsCleaned,
  evacuationsFrom,
  liveMigrate,
  unshelveInstance,
} from './relocate.js'
import { confirmResize, migrateServer, revertResize } from './resize.js'

type InstanceRow = Awaited<ReturnType<typeof loadInstance>>

async function loadInstance(deps: ComputeDeps, id: string) {
  return deps.db
    .selectFrom('instance')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
}

/** Nova ignores empty same_host / different_host hints (a non-empty one that names servers on no host matches no host). */
function hasHint(value: unknown): boolean {
  return Array.isArray(value)
    ? value.length > 0
    : value !== undefined && value !== null && value !== ''
}

/** The scheduler's request for a server, with group members and hint targets resolved to hosts. */
export async function requestSpecFor(
  deps: ComputeDeps,
  row: NonNullable<InstanceRow>,
): Promise<RequestSpec> {
  const flavor = fromJson<FlavorSnapshot>(row.flavor, {} as FlavorSnapshot)
  const hints = fromJson<Record<string, unknown>>(row.scheduler_hints, {})
  const hostsOf = async (ids: unknown): Promise<string[]> => {
    const list = (Array.isArray(ids) ? ids : ids === undefined ? [] : [ids]).map(String)
    if (list.length === 0) return []
    const rows = await deps.db
      .selectFrom('instance')
      .select('host')
      .where('id', 'in', list)
      .execute()
    return rows.map((r) => r.host).filter((h): h is string => h !== null)
  }
  let group: ServerGroupInfo | undefined
  const membership = await deps.db
    .selectFrom('server_group_member')
    .innerJoin('server_group', 'server_group.id', 'server_group_member.group_id')
    .select(['server_group.id', 'server_group.policy', 'server_group.rules'])
    .where('server_group_member.instance_id', '=', row.id)
    .executeTakeFirst()
  if (membership) {
    const members = await deps.db
      .selectFrom('server_group_member')
      .innerJoin('instance', 'instance.id', 'server_group_member.instance_id')
      .select('instance.host')
      .where('server_group_member.group_id', '=', membership.id)
      .where('instance.id', '!=', row.id)
      .where('instance.deleted_at', 'is', null)
      .execute()
    const memberHosts: Record<string, number> = {}
    for (const m of members)
      if (m.host !== null) memberHosts[m.host] = (memberHosts[m.host] ?? 0) + 1
    const rules = fromJson<{ max_server_per_host?: number }>(membership.rules, {})
    group = {
      policy: membership.policy as ServerGroupInfo['policy'],
      memberHosts,
      ...(rules.max_server_per_host === undefined
        ? {}
        : { maxServerPerHost: rules.max_server_per_host }),
    }
  }
  const [zone, forceHost, forceNode] = (row.requested_zone ?? '').split(':')
  return {
    instanceId: row.id,
    projectId: row.project_id,
    flavor: {
      vcpus: flavor.vcpus,
      memoryMb: flavor.memoryMb,
      rootGb: flavor.rootGb,
      ephemeralGb: flavor.ephemeralGb,
      swapMb: flavor.swapMb,
      extraSpecs: flavor.extraSpecs,
    },
    imageProperties: fromJson<Record<string, string>>(row.image_meta, {}),
    availabilityZone: zone === '' ? undefined : zone,
    forceHost: forceHost === '' ? undefined : forceHost,
    forceNode: forceNode === '' ? undefined : forceNode,
    sameHosts: hasHint(hints.same_host) ? await hostsOf(hints.same_host) : undefined,
    differentHosts: hasHint(hints.different_host) ? await hostsOf(hints.different_host) : undefined,
    query: typeof hints.query === 'string' ? hints.query : undefined,
    group,
    ignoreHosts: fromJson<string[]>(row.build_hosts, []),
  }
}

/** What the server asked of the network at create, for the agent that builds it. */
async function networkRequestFor(
  deps: ComputeDeps,
  row: NonNullable<InstanceRow>,
  requestId: string,
): Promise<BuildNetworkRequest> {
  const stored = fromJson<StoredNetworkRequest | undefined>(
    (await systemMetadata(deps.db, row.id))[NETWORK_REQUEST_KEY],
    undefined,
  )
  return {
    requested: stored?.networks ?? null,
    securityGroups: fromJson<string[]>(row.security_groups, []),
    caller: {
      projectId: row.project_id,
      userId: row.user_id,
      isAdmin: stored?.isAdmin ?? false,
      requestId,
    },
    canAttachExternal: stored?.canAttachExternal ?? false,
  }
}

export class Conductor {
  readonly #deps: ComputeDeps
  constructor(deps: ComputeDeps) {
    this.#deps = deps
  }

  async buildInstances(instanceIds: string[], requestId: string): Promise<void> {
    // One at a time per request keeps affinity groups and max_count packing deterministic.
    for (const id of instanceIds) await this.#schedule(id, requestId)
  }

  async #schedule(instanceId: string, requestId: string): Promise<void> {
    const deps = this.#deps
    const row = await loadInstance(deps, instanceId)
    if (!row || row.task_state === 'deleting') return
    const spec = await requestSpecFor(deps, row)
    const scheduler = rpcClient(deps.bus, schedulerRpc)
    const choice = await scheduler.selectDestination({ spec })
    const dest = choice.destination
    if (!dest) {
      await this.#fail(
        row,
        'No valid host was found. There are not enough hosts available.',
        requestId,
      )
      return
    }
    const tried = [...fromJson<string[]>(row.build_hosts, []), dest.host]
    const placed = await deps.db
      .updateTable('instance')
      .set({
        host: dest.host,
        node: dest.node,
        availability_zone: dest.availabilityZone,
        build_hosts: toJson(tried),
        updated_at: deps.clock.now().toISOString(),
      })
      .where('id', '=', instanceId)
      .where('deleted_at', 'is', null)
      .where('task_state', '=', 'scheduling')
      .executeTakeFirst()
    if (Number(placed.numUpdatedRows) === 0) {
      // Deleted while the scheduler decided: give the room back.
      await scheduler.releaseClaim({ instanceId })
      return
    }
    const build: InstanceBuild = {
      instanceId,
      name: `instance-${row.seq.toString(16).padStart(8, '0')}`,
      projectId: row.project_id,
      userId: row.user_id,
      flavor: fromJson<FlavorSnapshot>(row.flavor, {} as FlavorSnapshot),
      imageId: row.image_ref,
      imageProperties: fromJson<Record<string, string>>(row.image_meta, {}),
      userData: row.user_data,
      keyData: row.key_data,
      adminPass: null,
      host: dest.host,
      node: dest.node,
      attempt: tried.length,
      availabilityZone: dest.availabilityZone,
      network: await networkRequestFor(deps, row, requestId),
    }
    await rpcClient(deps.bus, computeAgentRpc, { server: dest.host }).buildAndRunInstance({
      build,
      requestId,
    })
  }

  async #fail(row: NonNullable<InstanceRow>, message: string, requestId: string): Promise<void> {
    const deps = this.#deps
    const now = deps.clock.now().toISOString()
    await deps.db
      .updateTable('instance')
      .set({ vm_state: 'error', task_state: null, host: null, node: null, updated_at: now })
      .where('id', '=', row.id)
      .where('deleted_at', 'is', null)
      .execute()
    await deps.db
      .insertInto('instance_fault')
      .values({
        id: uuid(),
        instance_id: row.id,
        code: 500,
        message,
        details: '',
        host: null,
        created_at: now,
      })
      .execute()
    await recordActionEvent(deps, {
      instanceId: row.id,
      requestId,
      event: 'conductor_schedule_and_build_instances',
      phase: 'finish',
      result: 'Error',
      host: null,
    })
    notifyInstance(deps, 'instance.create.error', row.id)
  }

  /** A build failed on `host`: free the claim, then try another host or give up. */
  async buildFailed(
    instanceId: string,
    host: string,
    message: string,
    requestId: string,
    reschedule = true,
  ): Promise<void> {
    const deps = this.#deps
    await rpcClient(deps.bus, schedulerRpc).releaseClaim({ instanceId })
    const row = await loadInstance(deps, instanceId)
    if (!row || row.task_state === 'deleting') return
    const tried = fromJson<string[]>(row.build_hosts, [])
    deps.log.warn({ instanceId, host, attempt: tried.length, message }, 'build failed on host')
    if (!reschedule || tried.length >= deps.config.maxAttempts) {
      await this.#fail(row, `Build of instance ${instanceId} aborted: ${message}`, requestId)
      return
    }
    await deps.db
      .updateTable('instance')
      .set({ task_state: 'scheduling', host: null, node: null })
      .where('id', '=', instanceId)
      .execute()
    await this.#schedule(instanceId, requestId)
  }

  async instanceUpdate(
    instanceId: string,
    values: InstanceUpdate,
    expected?: (string | null)[],
  ): Promise<boolean> {
    const deps = this.#deps
    let q = deps.db
      .updateTable('instance')
      .set({ ...values, updated_at: deps.clock.now().toISOString() })
      .where('id', '=', instanceId)
      .where('deleted_at', 'is', null)
    if (expected !== undefined) {
      const states = expected.filter((s): s is string => s !== null)
      q = q.where((eb) =>
        eb.or([
          ...(states.length > 0 ? [eb('task_state', 'in', states)] : []),
          ...(expected.includes(null) ? [eb('task_state', 'is', null)] : []),
        ]),
      )
    }
    const res = await q.executeTakeFirst()
    return Number(res.numUpdatedRows) === 1
  }

  async instanceDestroyed(instanceId: string): Promise<void> {
    const deps = this.#deps
    const now = deps.clock.now().toISOString()
    await deps.db
      .updateTable('instance')
      .set({
        vm_state: 'deleted',
        task_state: null,
        power_state: 0,
        deleted_at: now,
        terminated_at: now,
        updated_at: now,
      })
      .where('id', '=', instanceId)
      .where('deleted_at', 'is', null)
      .execute()
    await deps.db.deleteFrom('server_group_member').where('instance_id', '=', instanceId).execute()
    await rpcClient(deps.bus, schedulerRpc).releaseClaim({ instanceId })
    await this.#dropMoves(instanceId)
    // Console URLs handed out for the server stop working (Nova cleans its console auths).
    await deps.db.deleteFrom('console_auth_token').where('instance_uuid', '=', instanceId).execute()
    notifyInstance(deps, 'instance.delete.end', instanceId)
  }

  /**
   * A deleted server's unfinished moves: the source guest of an unconfirmed resize goes (Nova
   * confirms it on delete) and every claim a migration still holds is freed.
   */
  async #dropMoves(instanceId: string): Promise<void> {
    const deps = this.#deps
    const open = await deps.db
      .selectFrom('migration')
      .selectAll()
      .where('instance_uuid', '=', instanceId)
      .where('status', 'not in', ['confirmed', 'reverted', 'error', 'completed', 'failed'])
      .execute()
    for (const m of open) {
      if (m.status === 'finished' && m.source_compute && m.source_compute !== m.dest_compute)
        await rpcClient(deps.bus, computeAgentRpc, { server: m.source_compute })
          .guestOp({ instanceId, op: 'destroy' }, { timeoutMs: 5000 })
          .catch(() => undefined)
      if (m.status !== 'done')
        await rpcClient(deps.bus, schedulerRpc).releaseClaim({ instanceId: m.uuid })
      if (m.status === 'finished')
        await deps.db
          .updateTable('migration')
          .set({ status: 'confirmed', updated_at: deps.clock.now().toISOString() })
          .where('id', '=', m.id)
          .execute()
    }
  }

  /** A shelved server left its host: what it held there is free. */
  async instanceOffloaded(instanceId: string): Promise<void> {
    await rpcClient(this.#deps.bus, schedulerRpc).releaseClaim({ instanceId })
  }
}

export async function startConductor(
  deps: ComputeDeps,
): Promise<{ conductor: Conductor; server: RpcServer }> {
  const conductor = new Conductor(deps)
  const server = await serveRpc(deps.bus, conductorRpc, {
    buildInstances: ({ instanceIds, requestId }) =>
      conductor.buildInstances(instanceIds, requestId).then(() => undefined),
    instanceUpdate: ({ instanceId, values, expectedTaskStates }) =>
      conductor.instanceUpdate(instanceId, values, expectedTaskStates),
    buildFailed: ({ instanceId, host, message, requestId, reschedule }) =>
      conductor
        .buildFailed(instanceId, host, message, requestId, reschedule ?? true)
        .then(() => undefined),
    networkInfo: ({ instanceId }) => networkInfoOf(deps.db, instanceId),
    saveNetworkInfo: async ({ instanceId, vifs }) => {
      await saveNetworkInfo(deps.db, instanceId, vifs, deps.clock.now().toISOString())
      return undefined
    },
    instanceDestroyed: ({ instanceId }) =>
      conductor.instanceDestroyed(instanceId).then(() => undefined),
    actionEvent: (e) => recordActionEvent(deps, e).then(() => undefined),
    addFault: async ({ instanceId, code, message, details, host }) => {
      await deps.db
        .insertInto('instance_fault')
        .values({
          id: uuid(),
          instance_id: instanceId,
          code,
          message,
          details,
          host,
          created_at: deps.clock.now().toISOString(),
        })
        .execute()
      return undefined
    },
    reportHost: (report) => upsertHost(deps, report).then(() => undefined),
    instanceOffloaded: ({ instanceId }) =>
      conductor.instanceOffloaded(instanceId).then(() => undefined),
    notify: ({ instanceId, eventType }) => {
      notifyInstance(deps, eventType, instanceId)
      return undefined
    },
    migrateServer: (req) => migrateServer(deps, req).then(() => undefined),
    confirmResize: (req) => confirmResize(deps, req).then(() => undefined),
    revertResize: (req) => revertResize(deps, req).then(() => undefined),
    liveMigrate: (req) => liveMigrate(deps, req).then(() => undefined),
    evacuate: (req) => evacuate(deps, req).then(() => undefined),
    unshelveInstance: (req) => unshelveInstance(deps, req).then(() => undefined),
    evacuatedFrom: ({ host }) => evacuationsFrom(deps, host),
    instancesOnHost: ({ host }) =>
      deps.db
        .selectFrom('instance')
        .select(['id', 'vm_state', 'task_state', 'power_state'])
        .where('host', '=', host)
        .where('deleted_at', 'is', null)
        .execute(),
    evacuationsCleaned: ({ host }) => evacuationsCleaned(deps, host).then(() => undefined),
  })
  const heartbeat = await startServiceHeartbeat(deps, 'nova-conductor', 'conductor')
  return {
    conductor,
    server: {
      topic: server.topic,
      stop: async () => {
        heartbeat.stop()
        await server.stop()
      },
    },
  }
}
