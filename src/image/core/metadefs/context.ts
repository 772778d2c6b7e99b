/**
 * @module What every metadef operation receives (deps, the caller, the policy check) and the
 * namespace lookup they all start with: a namespace the caller may not see is a 404, worded
 * as Glance words it for each resource.
 */
import type { Kysely, Selectable } from 'kysely'
import { isoSecondsZ } from '../../../lib/clock/timestamps.js'
import { fromFlag } from '../../../lib/db/values.js'
import type { ImageTables, MetadefNamespaceTable } from '../../db/tables.js'
import { imageErrors } from '../../errors.js'
import type { Caller, ImageDeps } from '../deps.js'

export type NamespaceRow = Selectable<MetadefNamespaceTable>

export interface MetadefContext {
  deps: ImageDeps
  caller: Caller
  /**
   * Enforces a metadef policy rule; the target is the namespace (its owner and visibility),
   * or the caller's project when there is none yet. 403, or 404 when the caller may not even
   * see the namespace.
   */
  authorize(rule: string, ns?: NamespaceRow): void
  /** Whether the rule allows, without throwing (list filtering). */
  allows(rule: string, ns?: NamespaceRow): boolean
}

/** Glance words a missing or hidden namespace differently per resource. */
export type Wording = 'show' | 'objects' | 'other'

/** Glance's _is_namespace_visible. */
export function canSee(caller: Caller, ns: NamespaceRow): boolean {
  return (
    caller.isAdmin ||
    ns.owner === null ||
    ns.visibility === 'public' ||
    (caller.projectId !== undefined && ns.owner === caller.projectId)
  )
}

export async function findNamespace(
  db: Kysely<ImageTables>,
  name: string,
): Promise<NamespaceRow | undefined> {
  return db
    .selectFrom('metadef_namespace')
    .selectAll()
    .where('namespace', '=', name)
    .executeTakeFirst()
}

/** The namespace named `name` if the caller may see it, else a 404. */
export async function visibleNamespace(
  ctx: MetadefContext,
  name: string,
  wording: Wording = 'other',
): Promise<NamespaceRow> {
  const ns = await findNamespace(ctx.deps.db, name)
  if (ns === undefined) {
    if (wording === 'other') throw imageErrors.forNotFound(`Namespace ${name} not found`)
    throw imageErrors.forNotFound(`Metadata definition namespace=${name} was not found.`)
  }
  if (!canSee(ctx.caller, ns)) {
    if (wording === 'show') throw imageErrors.forNotFound('The resource could not be found.')
    throw imageErrors.forNotFound(`Namespace ${name} not found`)
  }
  return ns
}

/** 403 when the namespace is protected: nothing in it may be deleted. */
export function refuseIfProtected(ns: NamespaceRow, what: string): void {
  if (fromFlag(ns.protected))
    throw imageErrors.forbidden(`Metadata definition ${what} is protected and cannot be deleted.`)
}

/** Stored timestamps as Glance shows them (`2024-05-01T10:20:30Z`). */
export function shownTime(stored: string): string {
  return isoSecondsZ(new Date(stored))
}

export function nowIso(deps: ImageDeps): string {
  return deps.clock.now().toISOString()
}
