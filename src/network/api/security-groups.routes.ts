/** @module /v2.0/security-groups (Neutron's security-group and stateful-security-group). */
import {
  type AttributeMap,
  type Validator,
  STANDARD_ATTRIBUTES,
  isBoolean,
  maxLength,
  toBoolean,
} from './attributes.js'
import { type NetworkApi, registerCollection } from './collection.js'
import { values } from './list-query.js'
import { registerTaggable } from './tags.routes.js'
import {
  createSecurityGroup,
  deleteSecurityGroup,
  findSecurityGroup,
  listSecurityGroups,
  showSecurityGroup,
  updateSecurityGroup,
} from '../core/security-groups.js'
import { sgErrors } from '../core/security-group-errors.js'

const nameLength = maxLength(255)

/**
 * Neutron's name_not_default validator: no group but the project's own default may be called
 * `default` (any case); asking for one is a conflict, not a bad request.
 */
const nameNotDefault: Validator = (v) => {
  const reason = nameLength(v)
  if (reason) return reason
  if (typeof v === 'string' && v.toLowerCase() === 'default') throw sgErrors.defaultAlreadyExists()
  return undefined
}

export const SECURITY_GROUP_ATTRIBUTES: AttributeMap = {
  ...STANDARD_ATTRIBUTES,
  name: { post: true, put: true, default: '', validate: nameNotDefault },
  stateful: { post: true, put: true, default: true, convert: toBoolean, validate: isBoolean },
  security_group_rules: {},
}

/** The project a list names (`project_id=` or `tenant_id=`), for Neutron's default group. */
export function filteredProject(query: Readonly<Record<string, unknown>>): string | undefined {
  // SAFETY: Fastify's query parser yields strings and string arrays.
  const q = query as Readonly<Record<string, string | string[] | undefined>>
  return values(q, 'project_id')[0] ?? values(q, 'tenant_id')[0]
}

export function securityGroupsRoutes(api: NetworkApi): void {
  const { deps } = api
  registerTaggable(api, 'security-groups', async (caller, id) => {
    await findSecurityGroup(deps.db, caller, id)
  })
  registerCollection(api, {
    member: 'security_group',
    collection: 'security_groups',
    path: 'security-groups',
    attributes: SECURITY_GROUP_ATTRIBUTES,
    list: (caller, query) => listSecurityGroups(deps, caller, filteredProject(query)),
    show: (caller, id) => showSecurityGroup(deps, caller, id),
    create: (caller, attrs) => createSecurityGroup(deps, caller, attrs),
    update: (caller, id, attrs) => updateSecurityGroup(deps, caller, id, attrs),
    remove: (caller, id) => deleteSecurityGroup(deps, caller, id),
  })
}
