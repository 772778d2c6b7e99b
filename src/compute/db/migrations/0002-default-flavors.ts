/**
 * The flavors a new cloud starts with (m1.tiny .. m1.xlarge, ids 1-5, as devstack and the
 * install guides create them). A migration, so an operator's deletions stay deleted.
 */
import type { Kysely, Migration } from 'kysely'

const DEFAULTS: readonly [string, string, number, number, number][] = [
  ['1', 'm1.tiny', 512, 1, 1],
  ['2', 'm1.small', 2048, 20, 1],
  ['3', 'm1.medium', 4096, 40, 2],
  ['4', 'm1.large', 8192, 80, 4],
  ['5', 'm1.xlarge', 16384, 160, 8],
]

export const defaultFlavors: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // SAFETY: this migration writes only the flavor table as it was created in 0001.
    const typed = db as unknown as Kysely<{ flavor: Record<string, string | number | null> }>
    const now = new Date().toISOString()
    for (const [id, name, ram, disk, vcpus] of DEFAULTS) {
      await typed
        .insertInto('flavor')
        .values({
          id,
          name,
          memory_mb: ram,
          vcpus,
          root_gb: disk,
          ephemeral_gb: 0,
          swap: 0,
          rxtx_factor: 1,
          is_public: 1,
          disabled: 0,
          description: null,
          created_at: now,
        })
        .execute()
    }
  },
}
