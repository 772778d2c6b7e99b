/**
 * @module The metadata definitions schemas: what GET /v2/schemas/metadefs/* serves and what
 * request bodies are validated against. Structure, types, limits and required lists are
 * Glance's; the descriptions are ours.
 */

type Doc = Record<string, unknown>

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string', null]

const timestamp = (description: string): Doc => ({
  type: 'string',
  readOnly: true,
  description,
  format: 'date-time',
})
const link: Doc = { readOnly: true, type: 'string' }

/** The fields of one property definition (a JSON-schema fragment). */
const PROPERTY_FIELDS: Doc = {
  name: { type: 'string', maxLength: 80 },
  title: { type: 'string' },
  description: { type: 'string' },
  operators: { type: 'array', items: { type: 'string' } },
  type: { type: 'string', enum: TYPES },
  required: { $ref: '#/definitions/stringArray' },
  minimum: { type: 'number' },
  maximum: { type: 'number' },
  maxLength: { $ref: '#/definitions/positiveInteger' },
  minLength: { $ref: '#/definitions/positiveIntegerDefault0' },
  pattern: { type: 'string', format: 'regex' },
  enum: { type: 'array' },
  readonly: { type: 'boolean' },
  default: {},
  items: {
    type: 'object',
    properties: { type: { type: 'string', enum: TYPES }, enum: { type: 'array' } },
  },
  maxItems: { $ref: '#/definitions/positiveInteger' },
  minItems: { $ref: '#/definitions/positiveIntegerDefault0' },
  uniqueItems: { type: 'boolean', default: false },
  additionalItems: { type: 'boolean' },
}

function baseDefinitions(stringArrayMinItems: boolean): Doc {
  return {
    positiveInteger: { type: 'integer', minimum: 0 },
    positiveIntegerDefault0: {
      allOf: [{ $ref: '#/definitions/positiveInteger' }, { default: 0 }],
    },
    stringArray: {
      type: 'array',
      items: { type: 'string' },
      ...(stringArrayMinItems ? { minItems: 1 } : {}),
      uniqueItems: true,
    },
  }
}

/** Namespaces and objects embed property definitions keyed by name. */
const DEFINITIONS: Doc = {
  ...baseDefinitions(false),
  property: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['title', 'type'],
      properties: PROPERTY_FIELDS,
    },
  },
}

const NAMESPACE_PROPERTIES: Doc = {
  namespace: { type: 'string', description: 'Unique name of the namespace.', maxLength: 80 },
  display_name: {
    type: 'string',
    description: 'Name shown to people, e.g. in a dashboard.',
    maxLength: 80,
  },
  description: {
    type: 'string',
    description: 'What the namespace defines, in words.',
    maxLength: 500,
  },
  visibility: {
    type: 'string',
    description: 'Who may see the namespace.',
    enum: ['public', 'private'],
  },
  protected: { type: 'boolean', description: 'Whether the namespace is kept from deletion.' },
  owner: { type: 'string', description: 'Project that owns the namespace.', maxLength: 255 },
  created_at: timestamp('When the namespace was created.'),
  updated_at: timestamp('When the namespace last changed.'),
  schema: link,
  self: link,
  resource_type_associations: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        prefix: { type: 'string' },
        properties_target: { type: 'string' },
      },
    },
  },
  properties: { $ref: '#/definitions/property' },
  objects: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        description: { type: 'string' },
        required: { $ref: '#/definitions/stringArray' },
        properties: { $ref: '#/definitions/property' },
      },
    },
  },
  tags: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
}

const RESOURCE_TYPE_PROPERTIES: Doc = {
  name: {
    type: 'string',
    description:
      'Resource type name, the Heat resource type where there is one (e.g. OS::Nova::Server).',
    maxLength: 80,
  },
  prefix: {
    type: 'string',
    description:
      'Prepended to property names when applied to this resource type; ends with its separator, e.g. "hw:".',
    maxLength: 80,
  },
  properties_target: {
    type: 'string',
    description:
      'Which set of key/value pairs of the resource the properties go to, e.g. "image" for volume image metadata.',
    maxLength: 80,
  },
  created_at: timestamp('When the association was created.'),
  updated_at: timestamp('When the association last changed.'),
}

const OBJECT_PROPERTIES: Doc = {
  name: { type: 'string', maxLength: 80 },
  description: { type: 'string' },
  required: { $ref: '#/definitions/stringArray' },
  properties: { $ref: '#/definitions/property' },
  schema: link,
  self: link,
  created_at: timestamp('When the object was created.'),
  updated_at: timestamp('When the object last changed.'),
}

const TAG_PROPERTIES: Doc = {
  name: { type: 'string', maxLength: 80 },
  created_at: timestamp('When the tag was created.'),
  updated_at: timestamp('When the tag last changed.'),
}

/** A single-item schema as Glance's Schema.raw() renders it. */
function item(name: string, properties: Doc, required: string[], definitions?: Doc): Doc {
  return {
    name,
    properties,
    additionalProperties: false,
    ...(definitions ? { definitions } : {}),
    required,
  }
}

const PAGING_LINKS = [
  { rel: 'first', href: '{first}' },
  { rel: 'next', href: '{next}' },
  { rel: 'describedby', href: '{schema}' },
]
const PAGING_FIELDS = {
  first: { type: 'string' },
  next: { type: 'string' },
  schema: { type: 'string' },
}

/** A list schema: the item's definitions move to the top, as Glance's CollectionSchema does. */
function collection(name: string, itemSchema: Doc, dict = false): Doc {
  const { definitions, ...itemRest } = itemSchema
  const holder = dict
    ? { type: 'object', additionalProperties: itemRest }
    : { type: 'array', items: itemRest }
  return {
    name,
    properties: { [name]: holder, ...PAGING_FIELDS },
    links: PAGING_LINKS,
    ...(definitions === undefined ? {} : { definitions }),
  }
}

export const NAMESPACE_SCHEMA = item('namespace', NAMESPACE_PROPERTIES, ['namespace'], DEFINITIONS)
export const RESOURCE_TYPE_SCHEMA = item('resource_type_association', RESOURCE_TYPE_PROPERTIES, [
  'name',
])
export const OBJECT_SCHEMA = item('object', OBJECT_PROPERTIES, ['name'], DEFINITIONS)
export const PROPERTY_SCHEMA = item(
  'property',
  PROPERTY_FIELDS,
  ['type', 'title', 'name'],
  baseDefinitions(true),
)
/** A property inside an object or a namespace body: its name is the key. */
export const UNNAMED_PROPERTY_SCHEMA = item(
  'property',
  PROPERTY_FIELDS,
  ['type', 'title'],
  baseDefinitions(true),
)
export const TAG_SCHEMA = item('tag', TAG_PROPERTIES, ['name'])
/** POST .../tags: the body of a multi-create (not served). */
export const TAG_LIST_SCHEMA: Doc = {
  name: 'tags',
  properties: {
    tags: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' } },
        required: ['name'],
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
}

/** GET /v2/schemas/metadefs/<key>. */
export const METADEF_SCHEMAS: Readonly<Record<string, Doc>> = {
  namespace: NAMESPACE_SCHEMA,
  namespaces: collection('namespaces', NAMESPACE_SCHEMA),
  resource_type: RESOURCE_TYPE_SCHEMA,
  resource_types: collection('resource_type_associations', RESOURCE_TYPE_SCHEMA),
  object: OBJECT_SCHEMA,
  objects: collection('objects', OBJECT_SCHEMA),
  property: PROPERTY_SCHEMA,
  properties: collection('properties', UNNAMED_PROPERTY_SCHEMA, true),
  tag: TAG_SCHEMA,
  tags: collection('tags', TAG_SCHEMA),
}
