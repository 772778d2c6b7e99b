/**
 * @module The image service's tables (Glance's model, simplified): images with their extra
 * properties, tags and members, import tasks, and the metadata definitions catalog.
 * Booleans are 0/1, JSON is text, timestamps ISO strings (lib/db/values.ts).
 */

export const IMAGE_STATUSES = [
  'queued',
  'saving',
  'active',
  'killed',
  'deleted',
  'pending_delete',
  'deactivated',
  'uploading',
  'importing',
] as const
export type ImageStatus = (typeof IMAGE_STATUSES)[number]

export const VISIBILITIES = ['public', 'private', 'shared', 'community'] as const
export type Visibility = (typeof VISIBILITIES)[number]

export interface ImageTable {
  id: string
  name: string | null
  disk_format: string | null
  container_format: string | null
  size: number | null
  virtual_size: number | null
  status: ImageStatus
  visibility: Visibility
  checksum: string | null
  os_hash_algo: string | null
  os_hash_value: string | null
  min_disk: number
  min_ram: number
  protected: number
  os_hidden: number
  owner: string | null
  /** Where the store keeps the data (e.g. file:///...); null until uploaded. */
  location: string | null
  /** Staged data of the interoperable import (glance-direct). */
  staged_path: string | null
  created_at: string
  updated_at: string
}

export interface ImagePropertyTable {
  image_id: string
  name: string
  value: string
}

export interface ImageTagTable {
  image_id: string
  value: string
}

export const MEMBER_STATUSES = ['pending', 'accepted', 'rejected'] as const
export type MemberStatus = (typeof MEMBER_STATUSES)[number]

export interface ImageMemberTable {
  image_id: string
  member: string
  status: MemberStatus
  created_at: string
  updated_at: string
}

export const TASK_STATUSES = ['pending', 'processing', 'success', 'failure'] as const
export type TaskStatus = (typeof TASK_STATUSES)[number]

export interface TaskTable {
  id: string
  type: string
  status: TaskStatus
  owner: string
  image_id: string | null
  request_id: string | null
  user_id: string | null
  input: string
  result: string | null
  message: string
  expires_at: string | null
  created_at: string
  updated_at: string
}

export interface ImageTables {
  image: ImageTable
  image_property: ImagePropertyTable
  image_tag: ImageTagTable
  image_member: ImageMemberTable
  task: TaskTable
  metadef_namespace: MetadefNamespaceTable
  metadef_resource_type: MetadefResourceTypeTable
  metadef_namespace_resource_type: MetadefNamespaceResourceTypeTable
  metadef_object: MetadefObjectTable
  metadef_property: MetadefPropertyTable
  metadef_tag: MetadefTagTable
}

/** A metadata definitions namespace; every other metadef row belongs to one. */
export interface MetadefNamespaceTable {
  id: string
  namespace: string
  display_name: string | null
  description: string | null
  visibility: 'public' | 'private'
  protected: number
  owner: string | null
  created_at: string
  updated_at: string
}

/** Kinds of cloud resources a namespace applies to (OS::Glance::Image, ...). */
export interface MetadefResourceTypeTable {
  id: string
  name: string
  /** Seeded system types cannot be removed. */
  protected: number
  created_at: string
  updated_at: string
}

export interface MetadefNamespaceResourceTypeTable {
  namespace_id: string
  resource_type_id: string
  prefix: string | null
  properties_target: string | null
  created_at: string
  updated_at: string
}

export interface MetadefObjectTable {
  id: string
  namespace_id: string
  name: string
  description: string | null
  /** JSON array of required property names, or null. */
  required: string | null
  /** JSON object: property name -> property definition. */
  json_schema: string
  created_at: string
  updated_at: string
}

export interface MetadefPropertyTable {
  id: string
  namespace_id: string
  name: string
  /** JSON object: the property definition as the client gave it. */
  json_schema: string
  created_at: string
  updated_at: string
}

export interface MetadefTagTable {
  id: string
  namespace_id: string
  name: string
  created_at: string
  updated_at: string
}
