/**
 * @module The image schema: what GET /v2/schemas/image serves (clients such as
 * python-glanceclient validate images with it) and what create and PATCH values are checked
 * against. Types, enums and patterns are Glance's; the descriptions are ours.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'

export const CONTAINER_FORMATS = [
  'ami',
  'ari',
  'aki',
  'bare',
  'ovf',
  'ova',
  'docker',
  'compressed',
] as const
export const DISK_FORMATS = [
  'ami',
  'ari',
  'aki',
  'vhd',
  'vhdx',
  'vmdk',
  'raw',
  'qcow2',
  'vdi',
  'iso',
  'ploop',
] as const
export type DiskFormat = (typeof DISK_FORMATS)[number]

const UUID =
  '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$'
const nullableString = (description: string, extra: object = {}) => ({
  type: ['null', 'string'],
  description,
  ...extra,
})
const readOnly = (type: unknown, description: string, extra: object = {}) => ({
  type,
  readOnly: true,
  description,
  ...extra,
})

/** Image properties with a meaning in the schema but stored as extra properties. */
const CUSTOM_PROPERTIES = {
  kernel_id: nullableString(
    'ID of the image stored in the image service to be used as the kernel when booting an AMI-style image.',
    { pattern: UUID, is_base: false },
  ),
  ramdisk_id: nullableString(
    'ID of the image stored in the image service to be used as the ramdisk when booting an AMI-style image.',
    { pattern: UUID, is_base: false },
  ),
  instance_uuid: {
    type: 'string',
    description: 'The server this image is a snapshot of.',
    is_base: false,
  },
  architecture: {
    type: 'string',
    description: 'CPU architecture the guest needs, e.g. x86_64.',
    is_base: false,
  },
  os_distro: {
    type: 'string',
    description: 'Common name of the operating system distribution, e.g. ubuntu.',
    is_base: false,
  },
  os_version: {
    type: 'string',
    description: 'Version of the operating system distribution.',
    is_base: false,
  },
  description: { type: 'string', description: 'What the image is, in words.', is_base: false },
  cinder_encryption_key_id: {
    type: 'string',
    description: 'Key of an encrypted volume image.',
    is_base: false,
  },
  cinder_encryption_key_deletion_policy: {
    type: 'string',
    enum: ['on_image_deletion', 'do_not_delete'],
    description: 'Whether the key goes with the image.',
    is_base: false,
  },
}

export const IMAGE_SCHEMA = {
  name: 'image',
  properties: {
    id: { type: 'string', description: 'An identifier for the image.', pattern: UUID },
    name: nullableString('Descriptive name for the image.', { maxLength: 255 }),
    status: readOnly('string', 'Status of the image.', {
      enum: [
        'queued',
        'saving',
        'active',
        'killed',
        'deleted',
        'uploading',
        'importing',
        'pending_delete',
        'deactivated',
      ],
    }),
    visibility: {
      type: 'string',
      description: 'Who may see the image.',
      enum: ['community', 'public', 'private', 'shared'],
    },
    protected: { type: 'boolean', description: 'Whether the image may be deleted.' },
    os_hidden: {
      type: 'boolean',
      description: 'Whether the image is left out of lists by default.',
    },
    checksum: readOnly(['null', 'string'], 'MD5 of the image data.', { maxLength: 32 }),
    os_hash_algo: readOnly(['null', 'string'], 'Algorithm of os_hash_value.', { maxLength: 64 }),
    os_hash_value: readOnly(['null', 'string'], 'Secure hash of the image data.', {
      maxLength: 128,
    }),
    owner: nullableString('Project that owns the image.', { maxLength: 255 }),
    size: readOnly(['null', 'integer'], 'Size of the image data, in bytes.'),
    virtual_size: readOnly(
      ['null', 'integer'],
      'Virtual size of the disk the image holds, in bytes.',
    ),
    container_format: {
      type: ['null', 'string'],
      description: 'Format of the container.',
      enum: [null, ...CONTAINER_FORMATS],
    },
    disk_format: {
      type: ['null', 'string'],
      description: 'Format of the disk.',
      enum: [null, ...DISK_FORMATS],
    },
    created_at: readOnly('string', 'When the image was created.'),
    updated_at: readOnly('string', 'When the image was last changed.'),
    tags: {
      type: 'array',
      description: 'Strings attached to the image.',
      items: { type: 'string', maxLength: 255 },
    },
    direct_url: readOnly('string', 'URL of the image data in its store.'),
    min_ram: { type: 'integer', description: 'RAM (MB) needed to boot the image.' },
    min_disk: { type: 'integer', description: 'Disk (GB) needed to boot the image.' },
    self: readOnly('string', 'Link to the image.'),
    file: readOnly('string', 'Link to the image data.'),
    stores: readOnly('string', 'Stores holding the image data.'),
    schema: readOnly('string', 'Link to this schema.'),
    locations: {
      type: 'array',
      description: 'Where the image data is.',
      items: {
        type: 'object',
        properties: {
          url: { type: 'string', maxLength: 255 },
          metadata: { type: 'object' },
          validation_data: {
            description: 'Values for the image hashes.',
            type: 'object',
            writeOnly: true,
            additionalProperties: false,
            properties: {
              checksum: { type: 'string', minLength: 32, maxLength: 32 },
              os_hash_algo: { type: 'string', maxLength: 64 },
              os_hash_value: { type: 'string', maxLength: 128 },
            },
            required: ['os_hash_algo', 'os_hash_value'],
          },
        },
        required: ['url', 'metadata'],
      },
    },
    ...CUSTOM_PROPERTIES,
  },
  additionalProperties: { type: 'string' },
  links: [
    { rel: 'self', href: '{self}' },
    { rel: 'enclosure', href: '{file}' },
    { rel: 'describedby', href: '{schema}' },
  ],
}

export const IMAGES_SCHEMA = {
  name: 'images',
  properties: {
    images: {
      type: 'array',
      items: {
        name: 'image',
        properties: IMAGE_SCHEMA.properties,
        additionalProperties: { type: 'string' },
      },
    },
    schema: { type: 'string' },
    first: { type: 'string' },
    next: { type: 'string' },
  },
  links: [
    { rel: 'first', href: '{first}' },
    { rel: 'next', href: '{next}' },
    { rel: 'describedby', href: '{schema}' },
  ],
}

const MEMBER_PROPERTIES = {
  member_id: { type: 'string', description: 'The project the image is shared with.' },
  image_id: { type: 'string', description: 'The shared image.', pattern: UUID },
  created_at: { type: 'string', description: 'When the membership was created.' },
  updated_at: { type: 'string', description: 'When the membership last changed.' },
  status: {
    type: 'string',
    description: 'Whether the member accepted the image.',
    enum: ['pending', 'accepted', 'rejected'],
  },
  schema: { readOnly: true, type: 'string' },
}

export const MEMBER_SCHEMA = { name: 'member', properties: MEMBER_PROPERTIES }
export const MEMBERS_SCHEMA = {
  name: 'members',
  properties: { members: { type: 'array', items: MEMBER_SCHEMA }, schema: { type: 'string' } },
  links: [{ rel: 'describedby', href: '{schema}' }],
}

const TASK_PROPERTIES = {
  id: { type: 'string', description: 'An identifier for the task.', pattern: UUID },
  type: {
    type: 'string',
    description: 'What the task does.',
    enum: ['import', 'api_image_import'],
  },
  status: {
    type: 'string',
    description: 'Status of the task.',
    enum: ['pending', 'processing', 'success', 'failure'],
  },
  input: { type: ['null', 'object'], description: 'Parameters of the task.' },
  result: { type: ['null', 'object'], description: 'Result of the task.' },
  owner: { type: 'string', description: 'Project that owns the task.' },
  message: { type: 'string', description: 'What went wrong, when it failed.' },
  image_id: { type: 'string', description: 'Image the task works on.' },
  request_id: { type: 'string', description: 'Request that started the task.' },
  user_id: { type: 'string', description: 'User who started the task.' },
  expires_at: { type: ['null', 'string'], description: 'When the task record goes away.' },
  created_at: { type: 'string', description: 'When the task was created.' },
  updated_at: { type: 'string', description: 'When the task last changed.' },
  self: { readOnly: true, type: 'string' },
  schema: { readOnly: true, type: 'string' },
}

export const TASK_SCHEMA = { name: 'task', properties: TASK_PROPERTIES }
const { input: _input, result: _result, message: _message, ...TASK_STUB } = TASK_PROPERTIES
export const TASKS_SCHEMA = {
  name: 'tasks',
  properties: {
    tasks: { type: 'array', items: { name: 'task', properties: TASK_STUB } },
    schema: { type: 'string' },
    first: { type: 'string' },
    next: { type: 'string' },
  },
  links: [
    { rel: 'first', href: '{first}' },
    { rel: 'next', href: '{next}' },
    { rel: 'describedby', href: '{schema}' },
  ],
}

const ajv = new Ajv({ strict: false, allErrors: false, verbose: true })
let validator: ValidateFunction | undefined

function describe(e: ErrorObject): string {
  const field = e.instancePath.replace(/^\//, '')
  if (e.keyword === 'enum')
    return `${JSON.stringify(e.data)} is not one of ${JSON.stringify(e.schema)}`
  return `${field === '' ? 'value' : `'${field}'`} ${e.message ?? 'is invalid'}`
}

/** A one-sentence reason when `value` does not fit the image schema, else undefined. */
export function imageSchemaError(value: Record<string, unknown>): string | undefined {
  validator ??= ajv.compile({
    type: 'object',
    properties: IMAGE_SCHEMA.properties,
    additionalProperties: IMAGE_SCHEMA.additionalProperties,
  })
  if (validator(value)) return undefined
  const e = validator.errors?.[0]
  return `Provided object does not match schema 'image': ${e ? describe(e) : 'invalid'}`
}
