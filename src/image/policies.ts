/**
 * @module The image service's default policy rules, as Glance 25 (Zed) applies them with
 * enforce_new_defaults off: most rules fall back to "anyone" and the real limits are the
 * owner-or-admin checks in core/; publicizing, copying, tasks and metadef writes are admin's.
 */
import type { PolicyDefault } from '../lib/policy/enforcer.js'

const ADMIN = 'role:admin'
const ANYONE = ''

export const imagePolicies: readonly PolicyDefault[] = [
  { name: 'context_is_admin', check: ADMIN },
  { name: 'default', check: ANYONE },
  { name: 'metadef_admin', check: ADMIN },
  ...[
    'add_image',
    'get_image',
    'get_images',
    'modify_image',
    'delete_image',
    'upload_image',
    'download_image',
    'communitize_image',
    'deactivate',
    'reactivate',
    'add_member',
    'delete_member',
    'get_member',
    'get_members',
    'modify_member',
    'get_task',
    'get_tasks',
    'add_task',
    'modify_task',
    'get_metadef_namespace',
    'get_metadef_namespaces',
    'get_metadef_object',
    'get_metadef_objects',
    'get_metadef_property',
    'get_metadef_properties',
    'get_metadef_tag',
    'get_metadef_tags',
    'list_metadef_resource_types',
    'get_metadef_resource_type',
  ].map((name) => ({ name, check: 'rule:default' })),
  ...[
    'publicize_image',
    'copy_image',
    'tasks_api_access',
    'manage_image_cache',
    'stores_info_detail',
  ].map((name) => ({ name, check: 'rule:context_is_admin' })),
  ...[
    'add_metadef_namespace',
    'modify_metadef_namespace',
    'delete_metadef_namespace',
    'add_metadef_object',
    'modify_metadef_object',
    'delete_metadef_object',
    'add_metadef_property',
    'modify_metadef_property',
    'remove_metadef_property',
    'add_metadef_tag',
    'add_metadef_tags',
    'modify_metadef_tag',
    'delete_metadef_tag',
    'delete_metadef_tags',
    'add_metadef_resource_type_association',
    'remove_metadef_resource_type_association',
  ].map((name) => ({ name, check: 'rule:metadef_admin' })),
]
