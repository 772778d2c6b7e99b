/**
 * @module Metadef notifications (metadef_namespace.*, metadef_object.*, metadef_property.*,
 * metadef_resource_type.*, metadef_tag.*), with Glance's payloads: the names before and after
 * a rename, timestamps to the second, `deleted`/`deleted_at` set on deletes.
 */
import type { Selectable } from 'kysely'
import { isoSecondsZ } from '../../../lib/clock/timestamps.js'
import { fromFlag, fromJson } from '../../../lib/db/values.js'
import type { MetadefObjectTable, MetadefPropertyTable, MetadefTagTable } from '../../db/tables.js'
import type { ImageDeps } from '../deps.js'
import { type NamespaceRow, shownTime } from './context.js'
import { notifiedObjectProperty, notifiedProperty, storedDefs } from './property-defs.js'

type Extra = Record<string, unknown>

export interface AssociationRecord {
  name: string
  prefix: string | null
  properties_target: string | null
  created_at: string
  updated_at: string
}

/** What a delete adds to the payload. */
export function deleted(deps: ImageDeps): Extra {
  return { deleted: true, deleted_at: isoSecondsZ(deps.clock.now()) }
}

function send(deps: ImageDeps, event: string, payload: Extra, extra: Extra): void {
  deps.notifier.notify(event, { ...payload, deleted: false, deleted_at: null, ...extra })
}

export function notifyNamespace(
  deps: ImageDeps,
  event: string,
  ns: NamespaceRow,
  extra: Extra = {},
): void {
  send(
    deps,
    `metadef_namespace.${event}`,
    {
      namespace: ns.namespace,
      namespace_old: ns.namespace,
      display_name: ns.display_name,
      protected: fromFlag(ns.protected),
      visibility: ns.visibility,
      owner: ns.owner,
      description: ns.description,
      created_at: shownTime(ns.created_at),
      updated_at: shownTime(ns.updated_at),
    },
    extra,
  )
}

export function notifyObject(
  deps: ImageDeps,
  event: string,
  namespace: string,
  obj: Selectable<MetadefObjectTable>,
  extra: Extra = {},
): void {
  const properties = Object.entries(storedDefs(obj.json_schema)).map(([name, def]) =>
    notifiedObjectProperty(name, def),
  )
  send(
    deps,
    `metadef_object.${event}`,
    {
      namespace,
      name: obj.name,
      name_old: obj.name,
      properties,
      required: fromJson<string[] | null>(obj.required, null),
      description: obj.description,
      created_at: shownTime(obj.created_at),
      updated_at: shownTime(obj.updated_at),
    },
    extra,
  )
}

export function notifyProperty(
  deps: ImageDeps,
  event: string,
  namespace: string,
  prop: Selectable<MetadefPropertyTable>,
  extra: Extra = {},
): void {
  const def = notifiedProperty(fromJson<Record<string, unknown>>(prop.json_schema, {}))
  send(
    deps,
    `metadef_property.${event}`,
    { namespace, name: prop.name, name_old: prop.name, ...def },
    extra,
  )
}

export function notifyAssociation(
  deps: ImageDeps,
  event: string,
  namespace: string,
  a: AssociationRecord,
  extra: Extra = {},
): void {
  send(
    deps,
    `metadef_resource_type.${event}`,
    {
      namespace,
      name: a.name,
      name_old: a.name,
      prefix: a.prefix,
      properties_target: a.properties_target,
      created_at: shownTime(a.created_at),
      updated_at: shownTime(a.updated_at),
    },
    extra,
  )
}

export function notifyTag(
  deps: ImageDeps,
  event: string,
  namespace: string,
  tag: Selectable<MetadefTagTable>,
  extra: Extra = {},
): void {
  send(
    deps,
    `metadef_tag.${event}`,
    {
      namespace,
      name: tag.name,
      name_old: tag.name,
      created_at: shownTime(tag.created_at),
      updated_at: shownTime(tag.updated_at),
    },
    extra,
  )
}
