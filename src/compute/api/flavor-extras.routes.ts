/**
 * @module Flavor access (`/flavors/{id}/os-flavor-access`, the addTenantAccess and
 * removeTenantAccess actions) and extra specs (`/flavors/{id}/os-extra_specs[/{key}]`).
 */
import { type TSchema, Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { fromFlag } from '../../lib/db/values.js'
import {
  addFlavorAccess,
  deleteFlavorExtraSpec,
  flavorExtraSpecs,
  flavorProjects,
  noSuchExtraSpec,
  removeFlavorAccess,
  setFlavorExtraSpecs,
} from '../core/flavor-extras.js'
import { getFlavor } from '../core/flavors.js'
import { computeErrors } from '../errors.js'
import { callerOf, type ComputeApi, enforce, mv, param, validateBody } from './compute-api.js'

const SPEC_KEY = '^[a-zA-Z0-9-_:. ]{1,255}$'

const specMap = (extra: object) =>
  Type.Unsafe<Record<string, string | number>>({
    type: 'object',
    patternProperties: { [SPEC_KEY]: { type: ['string', 'number'], maxLength: 255 } },
    additionalProperties: false,
    ...extra,
  })

const CREATE_SPECS = Type.Object({ extra_specs: specMap({}) }, { additionalProperties: false })
const UPDATE_SPEC = specMap({ minProperties: 1, maxProperties: 1 })

const tenantAction = (action: string) =>
  Type.Object(
    {
      [action]: Type.Object(
        { tenant: Type.String({ minLength: 1, maxLength: 255 }) },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  )
const ADD_TENANT = tenantAction('addTenantAccess')
const REMOVE_TENANT = tenantAction('removeTenantAccess')

/** Numbers are accepted as values but stored (and limited to 255 characters) as text. */
function specsAsText(specs: Record<string, string | number>): Record<string, string> {
  const text: Record<string, string> = {}
  for (const [key, value] of Object.entries(specs)) {
    const v = String(value)
    if (typeof value === 'number' && v.length > 255)
      throw computeErrors.badRequest(`extra_specs value has ${v.length} characters, more than 255.`)
    text[key] = v
  }
  return text
}

/** Nova's action dispatch: exactly one top-level key naming the action. */
function actionOf(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw computeErrors.badRequest('Malformed request body')
  const keys = Object.keys(body)
  if (keys.length !== 1 || keys[0] === undefined)
    throw computeErrors.badRequest('Malformed request body')
  return keys[0]
}

async function accessList(api: ComputeApi, flavorId: string) {
  const projects = await flavorProjects(api.deps, flavorId)
  return { flavor_access: projects.map((p) => ({ flavor_id: flavorId, tenant_id: p })) }
}

function flavorAction(api: ComputeApi, req: FastifyRequest, body: unknown) {
  const { deps } = api
  const id = param(req, 'id')
  const action = actionOf(body)
  const validated = (schema: TSchema, rule: string) => {
    validateBody(schema, body)
    enforce(api, req, `os_compute_api:os-flavor-access:${rule}`, {})
    // SAFETY: the schema just required {<action>: {tenant: string}}.
    return (body as Record<string, { tenant: string }>)[action]?.tenant ?? ''
  }
  if (action === 'addTenantAccess') {
    return async () => {
      const tenant = validated(ADD_TENANT, 'add_tenant_access')
      if (!(await deps.projects.exists(tenant)))
        throw computeErrors.badRequest(`Project ID ${tenant} is not a valid project.`)
      const flavor = await getFlavor(deps, callerOf(req), id)
      if (mv(req, '2.7') && fromFlag(flavor.is_public))
        throw computeErrors.conflict('Can not add access to a public flavor.')
      await addFlavorAccess(deps, flavor.id, tenant)
      return accessList(api, flavor.id)
    }
  }
  if (action === 'removeTenantAccess') {
    return async () => {
      // Whether the project still exists does not matter for removing it.
      const tenant = validated(REMOVE_TENANT, 'remove_tenant_access')
      const flavor = await getFlavor(deps, callerOf(req), id)
      await removeFlavorAccess(deps, flavor.id, tenant)
      return accessList(api, flavor.id)
    }
  }
  throw computeErrors.badRequest(`There is no such action: ${action}`)
}

export function flavorExtrasRoutes(api: ComputeApi): void {
  const { app, deps } = api
  app.route({
    method: 'GET',
    url: '/v2.1/flavors/:id/os-flavor-access',
    access: 'token',
    handler: async (req) => {
      enforce(api, req.raw, 'os_compute_api:os-flavor-access')
      const flavor = await getFlavor(deps, callerOf(req.raw), param(req.raw, 'id'))
      if (fromFlag(flavor.is_public))
        throw computeErrors.notFound('Access list not available for public flavors.')
      return accessList(api, flavor.id)
    },
  })
  app.route({
    method: 'POST',
    url: '/v2.1/flavors/:id/action',
    access: 'token',
    handler: async (req) => flavorAction(api, req.raw, req.body)(),
  })

  const readTarget = (req: FastifyRequest) => ({ project_id: callerOf(req).projectId })
  app.route({
    method: 'GET',
    url: '/v2.1/flavors/:id/os-extra_specs',
    access: 'token',
    handler: async (req) => {
      enforce(api, req.raw, 'os_compute_api:os-flavor-extra-specs:index', readTarget(req.raw))
      const flavor = await getFlavor(deps, callerOf(req.raw), param(req.raw, 'id'))
      return { extra_specs: await flavorExtraSpecs(deps, flavor.id) }
    },
  })
  app.route({
    method: 'POST',
    url: '/v2.1/flavors/:id/os-extra_specs',
    access: 'token',
    handler: async (req) => {
      const body = validateBody(CREATE_SPECS, req.body)
      enforce(api, req.raw, 'os_compute_api:os-flavor-extra-specs:create', {})
      const specs = specsAsText(body.extra_specs)
      const flavor = await getFlavor(deps, callerOf(req.raw), param(req.raw, 'id'))
      await setFlavorExtraSpecs(deps, flavor.id, specs)
      // Nova echoes the request (numbers stay numbers).
      return body
    },
  })
  app.route({
    method: 'GET',
    url: '/v2.1/flavors/:id/os-extra_specs/:key',
    access: 'token',
    handler: async (req) => {
      enforce(api, req.raw, 'os_compute_api:os-flavor-extra-specs:show', readTarget(req.raw))
      const flavor = await getFlavor(deps, callerOf(req.raw), param(req.raw, 'id'))
      const key = param(req.raw, 'key')
      const specs = await flavorExtraSpecs(deps, flavor.id)
      if (!Object.hasOwn(specs, key)) throw noSuchExtraSpec(param(req.raw, 'id'), key)
      return { [key]: specs[key] }
    },
  })
  app.route({
    method: 'PUT',
    url: '/v2.1/flavors/:id/os-extra_specs/:key',
    access: 'token',
    handler: async (req) => {
      const body = validateBody(UPDATE_SPEC, req.body)
      enforce(api, req.raw, 'os_compute_api:os-flavor-extra-specs:update', {})
      const specs = specsAsText(body)
      if (!Object.hasOwn(specs, param(req.raw, 'key')))
        throw computeErrors.badRequest('Request body and URI mismatch')
      const flavor = await getFlavor(deps, callerOf(req.raw), param(req.raw, 'id'))
      await setFlavorExtraSpecs(deps, flavor.id, specs)
      return body
    },
  })
  app.route({
    method: 'DELETE',
    url: '/v2.1/flavors/:id/os-extra_specs/:key',
    access: 'token',
    handler: async (req) => {
      enforce(api, req.raw, 'os_compute_api:os-flavor-extra-specs:delete', {})
      const flavor = await getFlavor(deps, callerOf(req.raw), param(req.raw, 'id'))
      await deleteFlavorExtraSpec(deps, flavor.id, param(req.raw, 'key'))
      return undefined
    },
  })
}
