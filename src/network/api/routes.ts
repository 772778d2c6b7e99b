/** @module Every network route, by resource. */
import type { NetworkApi } from './collection.js'
import { agentSchedulersRoutes } from './agent-schedulers.routes.js'
import { agentsRoutes } from './agents.routes.js'
import { autoAllocatedTopologyRoutes } from './auto-allocated-topology.routes.js'
import { extensionsRoutes } from './extensions.routes.js'
import { floatingIpsRoutes } from './floatingips.routes.js'
import { ipAvailabilityRoutes } from './ip-availability.routes.js'
import { networksRoutes } from './networks.routes.js'
import { portsRoutes } from './ports.routes.js'
import { quotasRoutes } from './quotas.routes.js'
import { routersRoutes } from './routers.routes.js'
import { securityGroupRulesRoutes } from './security-group-rules.routes.js'
import { securityGroupsRoutes } from './security-groups.routes.js'
import { subnetpoolsRoutes } from './subnetpools.routes.js'
import { subnetsRoutes } from './subnets.routes.js'
import { tagsRoutes } from './tags.routes.js'
import { versionsRoutes } from './versions.routes.js'

export function registerNetworkRoutes(api: NetworkApi): void {
  versionsRoutes(api)
  extensionsRoutes(api)
  networksRoutes(api)
  subnetsRoutes(api)
  subnetpoolsRoutes(api)
  portsRoutes(api)
  routersRoutes(api)
  floatingIpsRoutes(api)
  ipAvailabilityRoutes(api)
  securityGroupsRoutes(api)
  securityGroupRulesRoutes(api)
  quotasRoutes(api)
  agentsRoutes(api)
  agentSchedulersRoutes(api)
  autoAllocatedTopologyRoutes(api)
  tagsRoutes(api)
}
