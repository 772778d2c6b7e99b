/**
 * @module /v2.0/subnetpools (Neutron's subnetpool resource, with address_scope_id from its
 * address-scope extension), the add_prefixes / remove_prefixes actions
 * (subnetpool-prefix-ops) and tags.
 */
import {
  type AttributeMap,
  STANDARD_ATTRIBUTES,
  isBoolean,
  isUuidOrNull,
  toBoolean,
  type Validator,
} from './attributes.js'
import { callerOf, type NetworkApi, registerCollection } from './collection.js'
import { subnetListReason } from './ip-validators.js'
import { nonNegative, toInteger } from './subnets.routes.js'
import { registerTaggable } from './tags.routes.js'
import { networkErrors, neutronError } from '../errors.js'
import { parseCidr } from '../core/ip.js'
import { pyStr } from '../core/py-repr.js'
import {
  addPrefixes,
  createSubnetpool,
  deleteSubnetpool,
  findSubnetpool,
  listSubnetpools,
  removePrefixes,
  showSubnetpool,
  updateSubnetpool,
} from '../core/subnetpools.js'

/** neutron-lib's validate_not_empty_string (and the column's length). */
const notEmptyString: Validator = (v) => {
  if (typeof v !== 'string') return `'${pyStr(v)}' is not a valid string`
  if (v.trim() === '') return `'${v}' Blank strings are not permitted`
  return v.length > 255 ? `'${v}' exceeds maximum length of 255` : undefined
}

const nonNegativeInt = {
  post: true,
  put: true,
  default: undefined,
  convert: toInteger,
  validate: nonNegative,
}

export const SUBNETPOOL_ATTRIBUTES: AttributeMap = {
  ...STANDARD_ATTRIBUTES,
  // No default: a pool's name is required and not blank.
  name: { post: true, put: true, validate: notEmptyString },
  prefixes: { post: true, put: true, validate: subnetListReason },
  default_quota: nonNegativeInt,
  ip_version: {},
  default_prefixlen: nonNegativeInt,
  min_prefixlen: nonNegativeInt,
  max_prefixlen: nonNegativeInt,
  is_default: {
    post: true,
    put: true,
    default: false,
    convert: toBoolean,
    validate: isBoolean,
    adminSet: true,
  },
  shared: { post: true, default: false, convert: toBoolean, validate: isBoolean, adminSet: true },
  address_scope_id: { post: true, put: true, default: undefined, validate: isUuidOrNull },
}

/**
 * The `{"prefixes": [...]}` body of add_prefixes / remove_prefixes: a non-empty list, each
 * item a CIDR (netaddr's refusal otherwise).
 */
function prefixesBody(body: unknown): string[] {
  const prefixes = (body as { prefixes?: unknown } | null | undefined)?.prefixes
  if (!Array.isArray(prefixes) || prefixes.length === 0)
    throw networkErrors.badRequest('Request body contains invalid data')
  for (const p of prefixes)
    if (typeof p !== 'string' || /\s/.test(p) || !parseCidr(p))
      throw neutronError('BadRequest', 'AddrFormatError', `invalid IPNetwork ${pyStr(p)}`)
  return prefixes as string[]
}

export function subnetpoolsRoutes(api: NetworkApi): void {
  const { app, deps } = api
  registerTaggable(api, 'subnetpools', async (caller, id) => {
    const row = await findSubnetpool(deps, caller, id)
    if (!caller.isAdmin && row.project_id !== caller.projectId)
      throw networkErrors.notFound('subnetpool', id)
  })
  registerCollection(api, {
    member: 'subnetpool',
    collection: 'subnetpools',
    path: 'subnetpools',
    attributes: SUBNETPOOL_ATTRIBUTES,
    list: (caller) => listSubnetpools(deps, caller),
    show: (caller, id) => showSubnetpool(deps, caller, id),
    create: (caller, attrs) => createSubnetpool(deps, caller, attrs),
    update: (caller, id, attrs) => updateSubnetpool(deps, caller, id, attrs),
    remove: (caller, id) => deleteSubnetpool(deps, caller, id),
  })
  for (const [name, run] of [
    ['add_prefixes', addPrefixes],
    ['remove_prefixes', removePrefixes],
  ] as const)
    app.route({
      method: 'PUT',
      url: `/v2.0/subnetpools/:id/${name}`,
      access: 'token',
      handler: async (req) => {
        const { id } = req.params as { id: string }
        const prefixes = prefixesBody(req.body)
        return { prefixes: await run(deps, callerOf(req.raw), id, prefixes) }
      },
    })
}
