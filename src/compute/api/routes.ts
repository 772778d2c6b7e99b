/** @module Every compute route module, registered in one place. */
import type { ComputeApi } from './compute-api.js'
import { aggregatesRoutes } from './aggregates.routes.js'
import { availabilityZonesRoutes } from './availability-zones.routes.js'
import { extensionsRoutes } from './extensions.routes.js'
import { flavorExtrasRoutes } from './flavor-extras.routes.js'
import { floatingIpsRoutes } from './floating-ips.routes.js'
import { flavorRoutes } from './flavors.routes.js'
import { hostsRoutes } from './hosts.routes.js'
import { hypervisorsRoutes } from './hypervisors.routes.js'
import { imageMetadataRoutes } from './image-metadata.routes.js'
import { imagesRoutes } from './images.routes.js'
import { interfacesRoutes } from './interfaces.routes.js'
import { keypairRoutes } from './keypairs.routes.js'
import { limitsRoutes } from './limits.routes.js'
import { migrationsRoutes } from './migrations.routes.js'
import { networksRoutes } from './networks.routes.js'
import { novaNetworkGoneRoutes } from './nova-network-gone.routes.js'
import { quotaClassSetRoutes } from './quota-class-sets.routes.js'
import { quotaSetRoutes } from './quota-sets.routes.js'
import { instanceActionsRoutes } from './instance-actions.routes.js'
import { securityGroupsRoutes } from './security-groups.routes.js'
import { serverActionsRoutes } from './server-actions.routes.js'
import { serverExternalEventsRoutes } from './server-external-events.routes.js'
import { serverExtrasRoutes } from './server-extras.routes.js'
import { serverMetadataRoutes } from './server-metadata.routes.js'
import { serverMigrationsRoutes } from './server-migrations.routes.js'
import { serverGroupsRoutes } from './server-groups.routes.js'
import { serversRoutes } from './servers.routes.js'
import { servicesRoutes } from './services.routes.js'
import { tenantUsageRoutes } from './tenant-usage.routes.js'
import { usageAuditRoutes } from './usage-audit.routes.js'
import { versionsRoutes } from './versions.routes.js'

export function registerComputeRoutes(api: ComputeApi): void {
  versionsRoutes(api)
  serversRoutes(api)
  serverActionsRoutes(api)
  serverMetadataRoutes(api)
  instanceActionsRoutes(api)
  serverExtrasRoutes(api)
  serverExternalEventsRoutes(api)
  serverMigrationsRoutes(api)
  flavorRoutes(api)
  flavorExtrasRoutes(api)
  keypairRoutes(api)
  limitsRoutes(api)
  quotaSetRoutes(api)
  quotaClassSetRoutes(api)
  aggregatesRoutes(api)
  availabilityZonesRoutes(api)
  hypervisorsRoutes(api)
  servicesRoutes(api)
  serverGroupsRoutes(api)
  tenantUsageRoutes(api)
  migrationsRoutes(api)
  extensionsRoutes(api)
  hostsRoutes(api)
  usageAuditRoutes(api)
  networksRoutes(api)
  interfacesRoutes(api)
  securityGroupsRoutes(api)
  floatingIpsRoutes(api)
  novaNetworkGoneRoutes(api)
  imagesRoutes(api)
  imageMetadataRoutes(api)
}
