/**
 * @module Compute notifications (instance.create.start/end, instance.delete.end, ...): the
 * server as it is now, loaded when the event is sent. Fire and forget.
 */
import { fromJson } from '../../lib/db/values.js'
import type { ComputeDeps } from './deps.js'
import type { FlavorSnapshot } from './instance-spec.js'
import { serverStatus } from './server-states.js'

export function notifyInstance(deps: ComputeDeps, eventType: string, instanceId: string): void {
  void (async () => {
    const row = await deps.db
      .selectFrom('instance')
      .selectAll()
      .where('id', '=', instanceId)
      .executeTakeFirst()
    if (!row) return
    const flavor = fromJson<FlavorSnapshot>(row.flavor, {} as FlavorSnapshot)
    deps.notifier.notify(
      eventType,
      {
        uuid: row.id,
        display_name: row.display_name,
        tenant_id: row.project_id,
        user_id: row.user_id,
        host: row.host,
        node: row.node,
        availability_zone: row.availability_zone,
        image_uuid: row.image_ref,
        state: row.vm_state,
        task_state: row.task_state,
        power_state: row.power_state,
        status: serverStatus(row.vm_state, row.task_state),
        flavor: {
          name: flavor.name,
          flavorid: flavor.id,
          vcpus: flavor.vcpus,
          memory_mb: flavor.memoryMb,
          root_gb: flavor.rootGb,
        },
        created_at: row.created_at,
        launched_at: row.launched_at,
        terminated_at: row.terminated_at,
        deleted_at: row.deleted_at,
      },
      eventType.endsWith('.error') ? 'error' : 'info',
    )
  })().catch((err: unknown) => deps.log.warn({ err, eventType }, 'notification failed'))
}
