/**
 * @module The identity service's default policy rules: Keystone's defaults as they take effect
 * with enforce_new_defaults off (each new rule OR-ed with the deprecated one it replaces), so an
 * operator's policy.yaml written for Keystone keeps meaning the same here.
 */
import type { PolicyDefault } from '../lib/policy/enforcer.js'

export const identityPolicies: readonly PolicyDefault[] = [
  { name: 'admin_required', check: 'role:admin or is_admin:1' },
  { name: 'service_role', check: 'role:service' },
  { name: 'service_or_admin', check: 'rule:admin_required or rule:service_role' },
  { name: 'owner', check: 'user_id:%(user_id)s' },
  { name: 'admin_or_owner', check: 'rule:admin_required or rule:owner' },
  { name: 'token_subject', check: 'user_id:%(target.token.user_id)s' },
  { name: 'admin_or_token_subject', check: 'rule:admin_required or rule:token_subject' },
  { name: 'service_admin_or_token_subject', check: 'rule:service_or_admin or rule:token_subject' },
  {
    name: 'identity:get_access_rule',
    check: '(role:reader and system_scope:all) or user_id:%(target.user.id)s',
  },
  {
    name: 'identity:list_access_rules',
    check: '(role:reader and system_scope:all) or user_id:%(target.user.id)s',
  },
  {
    name: 'identity:delete_access_rule',
    check: '(role:admin and system_scope:all) or user_id:%(target.user.id)s',
  },
  { name: 'identity:authorize_request_token', check: 'rule:admin_required' },
  { name: 'identity:get_access_token', check: 'rule:admin_required' },
  { name: 'identity:get_access_token_role', check: 'rule:admin_required' },
  { name: 'identity:list_access_tokens', check: 'rule:admin_required' },
  { name: 'identity:list_access_token_roles', check: 'rule:admin_required' },
  { name: 'identity:delete_access_token', check: 'rule:admin_required' },
  {
    name: 'identity:get_application_credential',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or rule:owner) or (rule:admin_or_owner)',
  },
  {
    name: 'identity:list_application_credentials',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or rule:owner) or (rule:admin_or_owner)',
  },
  { name: 'identity:create_application_credential', check: 'user_id:%(user_id)s' },
  { name: 'identity:delete_application_credential', check: 'rule:admin_or_owner' },
  { name: 'identity:get_auth_catalog', check: '' },
  { name: 'identity:get_auth_projects', check: '' },
  { name: 'identity:get_auth_domains', check: '' },
  { name: 'identity:get_auth_system', check: '' },
  {
    name: 'identity:get_consumer',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_consumers',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:create_consumer', check: 'rule:admin_required' },
  { name: 'identity:update_consumer', check: 'rule:admin_required' },
  { name: 'identity:delete_consumer', check: 'rule:admin_required' },
  {
    name: 'identity:get_credential',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or user_id:%(target.credential.user_id)s) or (rule:admin_required)',
  },
  {
    name: 'identity:list_credentials',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or user_id:%(target.credential.user_id)s) or (rule:admin_required)',
  },
  {
    name: 'identity:create_credential',
    check:
      '((rule:admin_required) or user_id:%(target.credential.user_id)s) or (rule:admin_required)',
  },
  {
    name: 'identity:update_credential',
    check:
      '((rule:admin_required) or user_id:%(target.credential.user_id)s) or (rule:admin_required)',
  },
  {
    name: 'identity:delete_credential',
    check:
      '((rule:admin_required) or user_id:%(target.credential.user_id)s) or (rule:admin_required)',
  },
  {
    name: 'identity:get_domain',
    check:
      '(rule:admin_required or (role:reader and system_scope:all) or token.domain.id:%(target.domain.id)s or token.project.domain.id:%(target.domain.id)s) or (rule:admin_required or token.project.domain.id:%(target.domain.id)s)',
  },
  {
    name: 'identity:list_domains',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:create_domain', check: 'rule:admin_required' },
  { name: 'identity:update_domain', check: 'rule:admin_required' },
  { name: 'identity:delete_domain', check: 'rule:admin_required' },
  { name: 'identity:create_domain_config', check: 'rule:admin_required' },
  {
    name: 'identity:get_domain_config',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:get_security_compliance_domain_config', check: '' },
  { name: 'identity:update_domain_config', check: 'rule:admin_required' },
  { name: 'identity:delete_domain_config', check: 'rule:admin_required' },
  {
    name: 'identity:get_domain_config_default',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:ec2_get_credential',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or user_id:%(target.credential.user_id)s) or (rule:admin_required or (rule:owner and user_id:%(target.credential.user_id)s))',
  },
  {
    name: 'identity:ec2_list_credentials',
    check:
      '((rule:admin_required) or (role:member and user_id:%(target.credential.user_id)s)) or (rule:admin_or_owner)',
  },
  {
    name: 'identity:ec2_create_credential',
    check:
      '((rule:admin_required) or (role:member and user_id:%(target.credential.user_id)s)) or (rule:admin_or_owner)',
  },
  {
    name: 'identity:ec2_delete_credential',
    check:
      '((rule:admin_required) or user_id:%(target.credential.user_id)s) or (rule:admin_required or (rule:owner and user_id:%(target.credential.user_id)s))',
  },
  {
    name: 'identity:get_endpoint',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_endpoints',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:create_endpoint', check: 'rule:admin_required' },
  { name: 'identity:update_endpoint', check: 'rule:admin_required' },
  { name: 'identity:delete_endpoint', check: 'rule:admin_required' },
  { name: 'identity:create_endpoint_group', check: 'rule:admin_required' },
  {
    name: 'identity:list_endpoint_groups',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:get_endpoint_group',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:update_endpoint_group', check: 'rule:admin_required' },
  { name: 'identity:delete_endpoint_group', check: 'rule:admin_required' },
  {
    name: 'identity:list_projects_associated_with_endpoint_group',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_endpoints_associated_with_endpoint_group',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:get_endpoint_group_in_project',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_endpoint_groups_for_project',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:add_endpoint_group_to_project', check: 'rule:admin_required' },
  { name: 'identity:remove_endpoint_group_from_project', check: 'rule:admin_required' },
  {
    name: 'identity:check_grant',
    check:
      '((rule:admin_required) or ((role:reader and system_scope:all) or ((role:reader and domain_id:%(target.user.domain_id)s and domain_id:%(target.project.domain_id)s) or (role:reader and domain_id:%(target.user.domain_id)s and domain_id:%(target.domain.id)s) or (role:reader and domain_id:%(target.group.domain_id)s and domain_id:%(target.project.domain_id)s) or (role:reader and domain_id:%(target.group.domain_id)s and domain_id:%(target.domain.id)s)) and (domain_id:%(target.role.domain_id)s or None:%(target.role.domain_id)s))) or (rule:admin_required)',
  },
  {
    name: 'identity:list_grants',
    check:
      '((rule:admin_required) or ((role:reader and system_scope:all) or (role:reader and domain_id:%(target.user.domain_id)s and domain_id:%(target.project.domain_id)s) or (role:reader and domain_id:%(target.user.domain_id)s and domain_id:%(target.domain.id)s) or (role:reader and domain_id:%(target.group.domain_id)s and domain_id:%(target.project.domain_id)s) or (role:reader and domain_id:%(target.group.domain_id)s and domain_id:%(target.domain.id)s))) or (rule:admin_required)',
  },
  {
    name: 'identity:create_grant',
    check:
      '((rule:admin_required) or ((role:admin and domain_id:%(target.user.domain_id)s and domain_id:%(target.project.domain_id)s) or (role:admin and domain_id:%(target.user.domain_id)s and domain_id:%(target.domain.id)s) or (role:admin and domain_id:%(target.group.domain_id)s and domain_id:%(target.project.domain_id)s) or (role:admin and domain_id:%(target.group.domain_id)s and domain_id:%(target.domain.id)s)) and (domain_id:%(target.role.domain_id)s or None:%(target.role.domain_id)s)) or (rule:admin_required)',
  },
  {
    name: 'identity:revoke_grant',
    check:
      '((rule:admin_required) or ((role:admin and domain_id:%(target.user.domain_id)s and domain_id:%(target.project.domain_id)s) or (role:admin and domain_id:%(target.user.domain_id)s and domain_id:%(target.domain.id)s) or (role:admin and domain_id:%(target.group.domain_id)s and domain_id:%(target.project.domain_id)s) or (role:admin and domain_id:%(target.group.domain_id)s and domain_id:%(target.domain.id)s)) and (domain_id:%(target.role.domain_id)s or None:%(target.role.domain_id)s)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_system_grants_for_user',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:check_system_grant_for_user',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:create_system_grant_for_user', check: 'rule:admin_required' },
  { name: 'identity:revoke_system_grant_for_user', check: 'rule:admin_required' },
  {
    name: 'identity:list_system_grants_for_group',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:check_system_grant_for_group',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:create_system_grant_for_group', check: 'rule:admin_required' },
  { name: 'identity:revoke_system_grant_for_group', check: 'rule:admin_required' },
  {
    name: 'identity:get_group',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.group.domain_id)s)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_groups',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.group.domain_id)s)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_groups_for_user',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.user.domain_id)s) or user_id:%(user_id)s) or (rule:admin_or_owner)',
  },
  { name: 'identity:create_group', check: 'rule:admin_required' },
  { name: 'identity:update_group', check: 'rule:admin_required' },
  { name: 'identity:delete_group', check: 'rule:admin_required' },
  {
    name: 'identity:list_users_in_group',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.group.domain_id)s)) or (rule:admin_required)',
  },
  { name: 'identity:remove_user_from_group', check: 'rule:admin_required' },
  {
    name: 'identity:check_user_in_group',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.group.domain_id)s and domain_id:%(target.user.domain_id)s)) or (rule:admin_required)',
  },
  { name: 'identity:add_user_to_group', check: 'rule:admin_required' },
  { name: 'identity:create_identity_provider', check: 'rule:admin_required' },
  {
    name: 'identity:list_identity_providers',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:get_identity_provider',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:update_identity_provider', check: 'rule:admin_required' },
  { name: 'identity:delete_identity_provider', check: 'rule:admin_required' },
  {
    name: 'identity:get_implied_role',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_implied_roles',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:create_implied_role', check: 'rule:admin_required' },
  { name: 'identity:delete_implied_role', check: 'rule:admin_required' },
  {
    name: 'identity:list_role_inference_rules',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:check_implied_role',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:get_limit_model', check: '' },
  {
    name: 'identity:get_limit',
    check:
      'rule:admin_required or (role:reader and system_scope:all) or (domain_id:%(target.limit.domain.id)s or domain_id:%(target.limit.project.domain_id)s) or (project_id:%(target.limit.project_id)s and not None:%(target.limit.project_id)s)',
  },
  { name: 'identity:list_limits', check: '' },
  { name: 'identity:create_limits', check: 'rule:admin_required' },
  { name: 'identity:update_limit', check: 'rule:admin_required' },
  { name: 'identity:delete_limit', check: 'rule:admin_required' },
  { name: 'identity:create_mapping', check: 'rule:admin_required' },
  {
    name: 'identity:get_mapping',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_mappings',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:delete_mapping', check: 'rule:admin_required' },
  { name: 'identity:update_mapping', check: 'rule:admin_required' },
  {
    name: 'identity:get_policy',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_policies',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:create_policy', check: 'rule:admin_required' },
  { name: 'identity:update_policy', check: 'rule:admin_required' },
  { name: 'identity:delete_policy', check: 'rule:admin_required' },
  { name: 'identity:create_policy_association_for_endpoint', check: 'rule:admin_required' },
  {
    name: 'identity:check_policy_association_for_endpoint',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:delete_policy_association_for_endpoint', check: 'rule:admin_required' },
  { name: 'identity:create_policy_association_for_service', check: 'rule:admin_required' },
  {
    name: 'identity:check_policy_association_for_service',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:delete_policy_association_for_service', check: 'rule:admin_required' },
  {
    name: 'identity:create_policy_association_for_region_and_service',
    check: 'rule:admin_required',
  },
  {
    name: 'identity:check_policy_association_for_region_and_service',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:delete_policy_association_for_region_and_service',
    check: 'rule:admin_required',
  },
  {
    name: 'identity:get_policy_for_endpoint',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_endpoints_for_policy',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:get_project',
    check:
      '((role:reader and system_scope:all) or (role:reader and domain_id:%(target.project.domain_id)s) or project_id:%(target.project.id)s) or (rule:admin_required or project_id:%(target.project.id)s)',
  },
  {
    name: 'identity:list_projects',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.domain_id)s)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_user_projects',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.user.domain_id)s) or user_id:%(target.user.id)s) or (rule:admin_or_owner)',
  },
  { name: 'identity:create_project', check: 'rule:admin_required' },
  { name: 'identity:update_project', check: 'rule:admin_required' },
  { name: 'identity:delete_project', check: 'rule:admin_required' },
  {
    name: 'identity:list_project_tags',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.project.domain_id)s) or project_id:%(target.project.id)s) or (rule:admin_required or project_id:%(target.project.id)s)',
  },
  {
    name: 'identity:get_project_tag',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.project.domain_id)s) or project_id:%(target.project.id)s) or (rule:admin_required or project_id:%(target.project.id)s)',
  },
  { name: 'identity:update_project_tags', check: 'rule:admin_required' },
  { name: 'identity:create_project_tag', check: 'rule:admin_required' },
  { name: 'identity:delete_project_tags', check: 'rule:admin_required' },
  { name: 'identity:delete_project_tag', check: 'rule:admin_required' },
  {
    name: 'identity:list_projects_for_endpoint',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:add_endpoint_to_project', check: 'rule:admin_required' },
  {
    name: 'identity:check_endpoint_in_project',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_endpoints_for_project',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:remove_endpoint_from_project', check: 'rule:admin_required' },
  { name: 'identity:create_protocol', check: 'rule:admin_required' },
  { name: 'identity:update_protocol', check: 'rule:admin_required' },
  {
    name: 'identity:get_protocol',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_protocols',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:delete_protocol', check: 'rule:admin_required' },
  { name: 'identity:get_region', check: '' },
  { name: 'identity:list_regions', check: '' },
  { name: 'identity:create_region', check: 'rule:admin_required' },
  { name: 'identity:update_region', check: 'rule:admin_required' },
  { name: 'identity:delete_region', check: 'rule:admin_required' },
  { name: 'identity:get_registered_limit', check: '' },
  { name: 'identity:list_registered_limits', check: '' },
  { name: 'identity:create_registered_limits', check: 'rule:admin_required' },
  { name: 'identity:update_registered_limit', check: 'rule:admin_required' },
  { name: 'identity:delete_registered_limit', check: 'rule:admin_required' },
  { name: 'identity:list_revoke_events', check: 'rule:service_or_admin' },
  {
    name: 'identity:get_role',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_roles',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:create_role', check: 'rule:admin_required' },
  { name: 'identity:update_role', check: 'rule:admin_required' },
  { name: 'identity:delete_role', check: 'rule:admin_required' },
  {
    name: 'identity:get_domain_role',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_domain_roles',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:create_domain_role', check: 'rule:admin_required' },
  { name: 'identity:update_domain_role', check: 'rule:admin_required' },
  { name: 'identity:delete_domain_role', check: 'rule:admin_required' },
  {
    name: 'identity:list_role_assignments',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.domain_id)s and not None:%(target.domain_id)s)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_role_assignments_for_tree',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.domain_id)s and not None:%(target.domain_id)s)) or (rule:admin_required)',
  },
  { name: 'identity:s3tokens_validate', check: 'rule:service_or_admin' },
  { name: 'identity:ec2tokens_validate', check: 'rule:service_or_admin' },
  {
    name: 'identity:get_service',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_services',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:create_service', check: 'rule:admin_required' },
  { name: 'identity:update_service', check: 'rule:admin_required' },
  { name: 'identity:delete_service', check: 'rule:admin_required' },
  { name: 'identity:create_service_provider', check: 'rule:admin_required' },
  {
    name: 'identity:list_service_providers',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:get_service_provider',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  { name: 'identity:update_service_provider', check: 'rule:admin_required' },
  { name: 'identity:delete_service_provider', check: 'rule:admin_required' },
  { name: 'identity:revocation_list', check: 'rule:service_or_admin' },
  {
    name: 'identity:check_token',
    check:
      '(rule:admin_required or (role:reader and system_scope:all) or rule:token_subject) or (rule:admin_or_token_subject)',
  },
  {
    name: 'identity:validate_token',
    check:
      '(rule:admin_required or (role:reader and system_scope:all) or rule:service_role or rule:token_subject) or (rule:service_admin_or_token_subject)',
  },
  {
    name: 'identity:revoke_token',
    check: '(rule:admin_required or rule:token_subject) or (rule:admin_or_token_subject)',
  },
  { name: 'identity:create_trust', check: 'user_id:%(target.trust.trustor_user_id)s' },
  {
    name: 'identity:list_trusts',
    check: '(rule:admin_required or (role:reader and system_scope:all)) or (rule:admin_required)',
  },
  {
    name: 'identity:list_trusts_for_trustor',
    check:
      '(rule:admin_required) or (role:reader and system_scope:all or user_id:%(target.trust.trustor_user_id)s)',
  },
  {
    name: 'identity:list_trusts_for_trustee',
    check:
      '(rule:admin_required) or (role:reader and system_scope:all or user_id:%(target.trust.trustee_user_id)s)',
  },
  {
    name: 'identity:list_roles_for_trust',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all or user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s)) or (user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s)',
  },
  {
    name: 'identity:get_role_for_trust',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all or user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s)) or (user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s)',
  },
  {
    name: 'identity:delete_trust',
    check:
      '(rule:admin_required or user_id:%(target.trust.trustor_user_id)s) or (user_id:%(target.trust.trustor_user_id)s)',
  },
  {
    name: 'identity:get_trust',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all or user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s)) or (user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s)',
  },
  {
    name: 'identity:get_user',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or (role:reader and token.domain.id:%(target.user.domain_id)s) or user_id:%(target.user.id)s) or (rule:admin_or_owner)',
  },
  {
    name: 'identity:list_users',
    check:
      '((rule:admin_required) or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.domain_id)s)) or (rule:admin_required)',
  },
  { name: 'identity:list_projects_for_user', check: '' },
  { name: 'identity:list_domains_for_user', check: '' },
  { name: 'identity:create_user', check: 'rule:admin_required' },
  { name: 'identity:update_user', check: 'rule:admin_required' },
  { name: 'identity:delete_user', check: 'rule:admin_required' },
]
