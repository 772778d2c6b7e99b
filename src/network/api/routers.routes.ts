/**
 * @module /v2.0/routers, its member actions (add/remove_router_interface, add/remove_extraroutes)
 * and tags.
 */
import { addExtraRoutes, type Route, removeExtraRoutes } from '../core/extra-routes.js'
import { findRouter } from '../core/l3-db.js'
import { addRouterInterface, removeRouterInterface } from '../core/router-interfaces.js'
import {
  createRouter,
  deleteRouter,
  listRouters,
  showRouter,
  updateRouter,
} from '../core/routers.js'
import { networkErrors } from '../errors.js'
import {
  type AttributeMap,
  STANDARD_ATTRIBUTES,
  isBoolean,
  listOf,
  maxLength,
  toBoolean,
} from './attributes.js'
import { callerOf, type NetworkApi, present, registerCollection } from './collection.js'
import { hostRoutesReason, noneToEmptyList } from './ip-validators.js'
import { toGatewayRequest, toInterfaceRequest } from './l3-validators.js'
import { type Query, values } from './list-query.js'
import { registerTaggable } from './tags.routes.js'

const adminFlag = {
  post: true,
  put: true,
  default: undefined,
  convert: toBoolean,
  validate: isBoolean,
  adminSet: true,
  adminGet: true,
}

export const ROUTER_ATTRIBUTES: AttributeMap = {
  ...STANDARD_ATTRIBUTES,
  admin_state_up: { post: true, put: true, default: true, convert: toBoolean, validate: isBoolean },
  status: {},
  external_gateway_info: { post: true, put: true, default: null, convert: toGatewayRequest },
  routes: { put: true, convert: noneToEmptyList, validate: hostRoutesReason },
  distributed: adminFlag,
  ha: adminFlag,
  availability_zone_hints: { post: true, default: [], validate: listOf(maxLength(255)) },
  availability_zones: {},
}

/** The `{"router": {"routes": [...]}}` body of add_extraroutes / remove_extraroutes. */
function routesBody(body: unknown): Route[] {
  const router = (body as { router?: unknown } | null | undefined)?.router
  if (router === null || typeof router !== 'object' || Array.isArray(router))
    throw networkErrors.badRequest("Unable to find 'router' in request body")
  const routes = (router as { routes?: unknown }).routes
  const reason = hostRoutesReason(routes)
  if (reason) throw networkErrors.invalidAttribute('routes', reason)
  return routes as Route[]
}

export function routersRoutes(api: NetworkApi): void {
  const { app, deps } = api
  registerTaggable(api, 'routers', async (caller, id) => {
    await findRouter(deps, caller, id)
  })
  registerCollection(api, {
    member: 'router',
    collection: 'routers',
    path: 'routers',
    attributes: ROUTER_ATTRIBUTES,
    list: (caller, query: Query) => listRouters(deps, caller, { ids: values(query, 'id') }),
    show: (caller, id) => showRouter(deps, caller, id),
    create: (caller, attrs) => createRouter(deps, caller, attrs),
    update: (caller, id, attrs) => updateRouter(deps, caller, id, attrs),
    remove: (caller, id) => deleteRouter(deps, caller, id),
  })

  const action = (
    name: string,
    run: (req: { id: string; body: unknown; caller: ReturnType<typeof callerOf> }) => unknown,
  ) =>
    app.route({
      method: 'PUT',
      url: `/v2.0/routers/:id/${name}`,
      access: 'token',
      handler: async (req) => {
        const { id } = req.params as { id: string }
        return run({ id, body: req.body, caller: callerOf(req.raw) })
      },
    })
  action('add_router_interface', async ({ id, body, caller }) => {
    await findRouter(deps, caller, id)
    return addRouterInterface(deps, caller, id, toInterfaceRequest(body, false))
  })
  action('remove_router_interface', async ({ id, body, caller }) => {
    await findRouter(deps, caller, id)
    return removeRouterInterface(deps, caller, id, toInterfaceRequest(body, true))
  })
  const routerBody = (item: Record<string, unknown>, caller: ReturnType<typeof callerOf>) => ({
    router: present({ attributes: ROUTER_ATTRIBUTES }, item, caller),
  })
  action('add_extraroutes', async ({ id, body, caller }) => {
    await findRouter(deps, caller, id)
    await addExtraRoutes(deps, id, routesBody(body))
    return routerBody(await showRouter(deps, caller, id), caller)
  })
  action('remove_extraroutes', async ({ id, body, caller }) => {
    await findRouter(deps, caller, id)
    await removeExtraRoutes(deps, id, routesBody(body))
    return routerBody(await showRouter(deps, caller, id), caller)
  })
}
