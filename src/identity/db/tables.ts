/**
 * @module The identity service's tables. Booleans are 0/1 integers, JSON is text, timestamps
 * are ISO strings (see lib/db/values.ts). Domains are rows of `project` with is_domain = 1, as in
 * Keystone, so that projects acting as domains share one namespace.
 */
import type { Generated } from 'kysely'

/** The domain_id of a domain row (Keystone's root sentinel). */
export const DOMAIN_ROOT = '<<keystone.domain.root>>'
/** The domain_id of a global role (Keystone's null sentinel, so UNIQUE(name, domain_id) works). */
export const GLOBAL_ROLE_DOMAIN = '<<null>>'

export interface ProjectTable {
  id: string
  name: string
  domain_id: string
  parent_id: string | null
  description: string | null
  enabled: number
  is_domain: number
  /** JSON object of extra attributes a client set. */
  extra: string
  /** JSON object of resource options (e.g. immutable). */
  options: string
}

export interface ProjectTagTable {
  project_id: string
  name: string
}

export interface UserTable {
  id: string
  domain_id: string
  name: string
  enabled: number
  default_project_id: string | null
  extra: string
  options: string
  password_hash: string | null
  password_created_at: string | null
  password_expires_at: string | null
  created_at: string
  last_active_at: string | null
  failed_auth_count: number | null
  failed_auth_at: string | null
}

export interface PasswordHistoryTable {
  id: string
  user_id: string
  password_hash: string
  created_at: string
}

export interface GroupTable {
  id: string
  domain_id: string
  name: string
  description: string | null
  extra: string
}

export interface GroupMembershipTable {
  user_id: string
  group_id: string
}

export interface RoleTable {
  id: string
  name: string
  domain_id: string
  description: string | null
  options: string
  extra: string
}

export interface ImpliedRoleTable {
  prior_role_id: string
  implied_role_id: string
}

export const ASSIGNMENT_TYPES = [
  'UserProject',
  'GroupProject',
  'UserDomain',
  'GroupDomain',
  'UserSystem',
  'GroupSystem',
] as const
export type AssignmentType = (typeof ASSIGNMENT_TYPES)[number]

/** One table for project, domain and system grants; target_id is 'system' for the latter. */
export interface AssignmentTable {
  type: AssignmentType
  actor_id: string
  target_id: string
  role_id: string
  inherited: number
}

export interface RegionTable {
  id: string
  description: string
  parent_region_id: string | null
  extra: string
}

export interface ServiceTable {
  id: string
  type: string
  enabled: number
  /** JSON: name, description and any extra attributes. */
  extra: string
}

export interface EndpointTable {
  id: string
  interface: string
  service_id: string
  url: string
  region_id: string | null
  enabled: number
  extra: string
}

export interface EndpointGroupTable {
  id: string
  name: string
  description: string | null
  /** JSON object: service_id, interface, region_id filters. */
  filters: string
}

export interface ProjectEndpointTable {
  endpoint_id: string
  project_id: string
}

export interface ProjectEndpointGroupTable {
  endpoint_group_id: string
  project_id: string
}

export interface PolicyTable {
  id: string
  type: string
  blob: string
  extra: string
}

export interface CredentialTable {
  id: string
  user_id: string
  project_id: string | null
  type: string
  /** The blob, encrypted with the credential key repository. */
  encrypted_blob: string
  key_hash: string
  extra: string
}

export interface ApplicationCredentialTable {
  id: string
  name: string
  secret_hash: string
  description: string | null
  user_id: string
  project_id: string | null
  system: string | null
  expires_at: string | null
  unrestricted: number | null
  created_at: string
}

export interface ApplicationCredentialRoleTable {
  application_credential_id: string
  role_id: string
}

export interface AccessRuleTable {
  id: string
  user_id: string
  service: string
  path: string
  method: string
}

export interface ApplicationCredentialAccessRuleTable {
  application_credential_id: string
  access_rule_id: string
}

export interface TrustTable {
  id: string
  trustor_user_id: string
  trustee_user_id: string
  project_id: string | null
  impersonation: number
  expires_at: string | null
  remaining_uses: number | null
  redelegated_trust_id: string | null
  redelegation_count: number | null
  deleted_at: string | null
  created_at: string
  extra: string
}

export interface TrustRoleTable {
  trust_id: string
  role_id: string
}

/** Keystone's revocation events: a token matching every set field, issued before issued_before, is revoked. */
export interface RevocationEventTable {
  id: Generated<number>
  domain_id: string | null
  project_id: string | null
  user_id: string | null
  role_id: string | null
  trust_id: string | null
  consumer_id: string | null
  access_token_id: string | null
  audit_id: string | null
  audit_chain_id: string | null
  issued_before: string
  expires_at: string | null
  revoked_at: string
}

export interface ConsumerTable {
  id: string
  description: string | null
  secret: string
  extra: string
}

export interface RegisteredLimitTable {
  id: string
  service_id: string
  region_id: string | null
  resource_name: string
  default_limit: number
  description: string | null
}

export interface ProjectLimitTable {
  id: string
  project_id: string | null
  domain_id: string | null
  service_id: string
  region_id: string | null
  resource_name: string
  resource_limit: number
  description: string | null
}

export interface DomainConfigTable {
  domain_id: string
  group_name: string
  option_name: string
  value: string
  sensitive: number
}

export interface IdentityTables {
  project: ProjectTable
  project_tag: ProjectTagTable
  user: UserTable
  password_history: PasswordHistoryTable
  user_group: GroupTable
  group_membership: GroupMembershipTable
  role: RoleTable
  implied_role: ImpliedRoleTable
  assignment: AssignmentTable
  region: RegionTable
  service: ServiceTable
  endpoint: EndpointTable
  endpoint_group: EndpointGroupTable
  project_endpoint: ProjectEndpointTable
  project_endpoint_group: ProjectEndpointGroupTable
  policy: PolicyTable
  credential: CredentialTable
  application_credential: ApplicationCredentialTable
  application_credential_role: ApplicationCredentialRoleTable
  access_rule: AccessRuleTable
  application_credential_access_rule: ApplicationCredentialAccessRuleTable
  trust: TrustTable
  trust_role: TrustRoleTable
  revocation_event: RevocationEventTable
  consumer: ConsumerTable
  registered_limit: RegisteredLimitTable
  project_limit: ProjectLimitTable
  domain_config: DomainConfigTable
}
