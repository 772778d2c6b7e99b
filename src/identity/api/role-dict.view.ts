/** @module A role as Keystone's role_api.get_role returns it, where delegations embed roles. */
import { fromJson } from '../../lib/db/values.js'
import { GLOBAL_ROLE_DOMAIN } from '../db/tables.js'
import type { RoleRow } from '../core/delegation.js'

/** `{id, name, domain_id, description, options}` plus the role's extra attributes. */
export function roleDict(row: RoleRow): Record<string, unknown> {
  return {
    ...fromJson<Record<string, unknown>>(row.extra, {}),
    id: row.id,
    name: row.name,
    domain_id: row.domain_id === GLOBAL_ROLE_DOMAIN ? null : row.domain_id,
    description: row.description,
    options: fromJson<Record<string, unknown>>(row.options, {}),
  }
}
