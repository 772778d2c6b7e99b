/** @module Every identity route module, registered in one place. */
import { accessRulesRoutes } from './access-rules.routes.js'
import { applicationCredentialsRoutes } from './application-credentials.routes.js'
import { authRoutes } from './auth.routes.js'
import { credentialsRoutes } from './credentials.routes.js'
import { domainConfigRoutes } from './domain-config.routes.js'
import { domainsRoutes } from './domains.routes.js'
import { ec2CredentialsRoutes } from './ec2-credentials.routes.js'
import { endpointGroupsRoutes } from './endpoint-groups.routes.js'
import { endpointsRoutes } from './endpoints.routes.js'
import { grantsRoutes } from './grants.routes.js'
import { groupsRoutes } from './groups.routes.js'
import { limitsRoutes } from './limits.routes.js'
import { oauth1ConsumersRoutes } from './oauth1-consumers.routes.js'
import { policiesRoutes } from './policies.routes.js'
import { projectsRoutes } from './projects.routes.js'
import { regionsRoutes } from './regions.routes.js'
import { revokeEventsRoutes } from './revoke-events.routes.js'
import { roleAssignmentsRoutes } from './role-assignments.routes.js'
import { rolesRoutes } from './roles.routes.js'
import { servicesRoutes } from './services.routes.js'
import { trustsRoutes } from './trusts.routes.js'
import { usersRoutes } from './users.routes.js'
import { versionsRoutes } from './versions.routes.js'
import type { IdentityApi } from './identity-api.js'

export function registerIdentityRoutes(api: IdentityApi): void {
  versionsRoutes(api)
  authRoutes(api)
  domainsRoutes(api)
  domainConfigRoutes(api)
  projectsRoutes(api)
  usersRoutes(api)
  groupsRoutes(api)
  rolesRoutes(api)
  grantsRoutes(api)
  roleAssignmentsRoutes(api)
  regionsRoutes(api)
  servicesRoutes(api)
  endpointsRoutes(api)
  endpointGroupsRoutes(api)
  policiesRoutes(api)
  limitsRoutes(api)
  credentialsRoutes(api)
  ec2CredentialsRoutes(api)
  applicationCredentialsRoutes(api)
  accessRulesRoutes(api)
  trustsRoutes(api)
  oauth1ConsumersRoutes(api)
  revokeEventsRoutes(api)
}
