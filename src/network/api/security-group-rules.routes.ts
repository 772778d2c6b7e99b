/**
 * @module /v2.0/security-group-rules. Rules are created (one, or a bulk list checked as a whole),
 * shown and deleted, never updated. Their attribute converters raise Neutron's own errors.
 */
import { type AttributeMap, type Validator, maxLength, prepareCreate } from './attributes.js'
import { callerOf, type NetworkApi, present, registerCollection } from './collection.js'
import { filteredProject } from './security-groups.routes.js'
import { networkErrors } from '../errors.js'
import {
  convertEthertype,
  convertPort,
  convertPrefix,
  convertProtocol,
} from '../core/security-group-rule-checks.js'
import { pyStr } from '../core/security-group-errors.js'
import {
  createSecurityGroupRules,
  deleteSecurityGroupRule,
  listSecurityGroupRules,
  showSecurityGroupRule,
} from '../core/security-group-rules.js'

/** neutron-lib's validate_values, which names no values in its reason. */
function inValues(allowed: readonly string[]): Validator {
  return (v) =>
    typeof v === 'string' && allowed.includes(v) ? undefined : `${pyStr(v)} is not in valid_values`
}

export const SECURITY_GROUP_RULE_ATTRIBUTES: AttributeMap = {
  id: {},
  project_id: { post: true, adminSet: true },
  tenant_id: { post: true, adminSet: true },
  security_group_id: { post: true, validate: maxLength(36) },
  remote_group_id: { post: true, default: null },
  direction: { post: true, validate: inValues(['ingress', 'egress']) },
  protocol: { post: true, default: null, convert: convertProtocol },
  port_range_min: { post: true, default: null, convert: convertPort },
  port_range_max: { post: true, default: null, convert: convertPort },
  ethertype: { post: true, default: 'IPv4', convert: convertEthertype },
  remote_ip_prefix: { post: true, default: null, convert: convertPrefix },
  remote_address_group_id: { post: true, default: null },
  normalized_cidr: {},
  description: { post: true, default: '', validate: maxLength(255) },
  created_at: {},
  updated_at: {},
  revision_number: {},
}

const MEMBER = 'security_group_rule'
const COLLECTION = 'security_group_rules'

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** The rules a POST body asks for, Neutron's wording for each malformed shape. */
function requestedRules(body: unknown): { bulk: boolean; items: Record<string, unknown>[] } {
  if (!isObject(body)) throw networkErrors.badRequest('Body contains invalid data')
  const bulk = body[COLLECTION]
  if (bulk !== undefined) {
    if (!Array.isArray(bulk)) throw networkErrors.badRequest('Body contains invalid data')
    if (bulk.length === 0) throw networkErrors.badRequest('Resources required')
    const items = bulk.map((one: unknown) => {
      const inner = isObject(one) && isObject(one[MEMBER]) ? one[MEMBER] : one
      if (!isObject(inner))
        throw networkErrors.badRequest(`Object '${MEMBER}' contains invalid data`)
      return inner
    })
    return { bulk: true, items }
  }
  if (!(MEMBER in body))
    throw networkErrors.badRequest(`Unable to find '${MEMBER}' in request body`)
  const one = body[MEMBER]
  if (!isObject(one)) throw networkErrors.badRequest(`Object '${MEMBER}' contains invalid data`)
  return { bulk: false, items: [one] }
}

export function securityGroupRulesRoutes(api: NetworkApi): void {
  const { app, deps } = api
  const def = { attributes: SECURITY_GROUP_RULE_ATTRIBUTES }
  registerCollection(api, {
    member: MEMBER,
    collection: COLLECTION,
    path: 'security-group-rules',
    attributes: SECURITY_GROUP_RULE_ATTRIBUTES,
    list: (caller, query) => listSecurityGroupRules(deps, caller, filteredProject(query)),
    show: (caller, id) => showSecurityGroupRule(deps, caller, id),
    remove: (caller, id) => deleteSecurityGroupRule(deps, caller, id),
  })
  app.route({
    method: 'POST',
    url: '/v2.0/security-group-rules',
    access: 'token',
    handler: async (req, reply) => {
      const caller = callerOf(req.raw)
      const { bulk, items } = requestedRules(req.body)
      const attrs = items.map((one) =>
        prepareCreate(SECURITY_GROUP_RULE_ATTRIBUTES, MEMBER, one, caller),
      )
      const made = (await createSecurityGroupRules(deps, caller, attrs)).map((r) =>
        present(def, r, caller),
      )
      void reply.code(201)
      return bulk ? { [COLLECTION]: made } : { [MEMBER]: made[0] }
    },
  })
}
