/**
 * @module A server's system metadata (Nova's instance.system_metadata): what the control plane
 * remembers between the steps of an action, e.g. the vm_state before a resize, the image a
 * shelved server was saved to, the password the guest posted.
 */
import type { Kysely } from 'kysely'
import type { ComputeTables } from '../../db/tables.js'

type Db = Kysely<ComputeTables>

export async function systemMetadata(db: Db, instanceId: string): Promise<Record<string, string>> {
  const rows = await db
    .selectFrom('instance_system_metadata')
    .select(['key', 'value'])
    .where('instance_id', '=', instanceId)
    .execute()
  return Object.fromEntries(rows.map((r) => [r.key, r.value]))
}

/** Sets keys (a null value removes the key). */
export async function setSystemMetadata(
  db: Db,
  instanceId: string,
  entries: Record<string, string | null>,
): Promise<void> {
  const keys = Object.keys(entries)
  if (keys.length === 0) return
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('instance_system_metadata')
      .where('instance_id', '=', instanceId)
      .where('key', 'in', keys)
      .execute()
    for (const [key, value] of Object.entries(entries))
      if (value !== null)
        await trx
          .insertInto('instance_system_metadata')
          .values({ instance_id: instanceId, key, value })
          .execute()
  })
}
