/**
 * @module The default external network (auto-allocated topology's `is_default`): at most one,
 * kept by a check under one lock whenever a network asks to be it. Only external networks
 * carry the flag, as Neutron keeps it on their externalnetworks row.
 */
import type { Kysely, Transaction } from 'kysely'
import { ensureSequence, nextValue } from '../../lib/db/sequence.js'
import type { NetworkRow, NetworkTables } from '../db/tables.js'
import { networkErrors } from '../errors.js'

const LOCK = 'network:default-external'

/** Makes the lock's row (outside any transaction). */
export async function ensureDefaultLock(db: Kysely<NetworkTables>): Promise<void> {
  await ensureSequence(db, LOCK)
}

/** Inside a transaction: DefaultExternalNetworkExists when another network is the default. */
export async function checkDefaultExternal(
  trx: Transaction<NetworkTables>,
  networkId: string,
): Promise<void> {
  await nextValue<NetworkTables>(trx, LOCK)
  const other = await trx
    .selectFrom('network')
    .select('id')
    .where('external', '=', 1)
    .where('is_default', '=', 1)
    .where('id', '!=', networkId)
    .orderBy('created_at')
    .executeTakeFirst()
  if (other)
    throw networkErrors.conflict(
      'DefaultExternalNetworkExists',
      `A default external network already exists: ${other.id}.`,
    )
}

/** The default external network, if there is one. */
export async function defaultExternalNetwork(
  db: Kysely<NetworkTables>,
): Promise<NetworkRow | undefined> {
  return db
    .selectFrom('network')
    .selectAll()
    .where('external', '=', 1)
    .where('is_default', '=', 1)
    .orderBy('created_at')
    .orderBy('id')
    .executeTakeFirst()
}
