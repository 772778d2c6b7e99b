/**
 * @module Request bodies of /servers for each microversion band (nova/api/openstack/compute/
 * schemas/servers.py): fields come and go with the microversion, and every band is strict.
 */
import { type TProperties, Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { mv } from './compute-api.js'
import * as p from './parameter-types.js'

const networkItem = (withTag: boolean) =>
  Type.Object(
    {
      uuid: Type.Optional(Type.String()),
      port: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      fixed_ip: Type.Optional(Type.String({ anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] })),
      ...(withTag ? { tag: Type.Optional(p.tag) } : {}),
    },
    { additionalProperties: false },
  )

const bdmV2Item = (v: { tag: boolean; volumeType: boolean }) =>
  Type.Object(
    {
      virtual_name: Type.Optional(Type.String({ maxLength: 255 })),
      volume_id: Type.Optional(p.uuid),
      snapshot_id: Type.Optional(p.uuid),
      volume_size: Type.Optional(
        Type.Union([
          Type.Integer({ minimum: 1, maximum: 2147483647 }),
          Type.String({ pattern: '^[0-9]+$' }),
          Type.Null(),
        ]),
      ),
      device_name: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9._/-]*$', maxLength: 255 })),
      delete_on_termination: Type.Optional(p.boolean),
      no_device: Type.Optional(Type.Unknown()),
      connection_info: Type.Optional(Type.String({ maxLength: 16777215 })),
      source_type: Type.Optional(Type.String({ enum: ['volume', 'image', 'snapshot', 'blank'] })),
      uuid: Type.Optional(
        Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9._-]*$' }),
      ),
      image_id: Type.Optional(p.uuid),
      destination_type: Type.Optional(Type.String({ enum: ['local', 'volume'] })),
      guest_format: Type.Optional(Type.String({ maxLength: 255 })),
      device_type: Type.Optional(Type.String({ maxLength: 255 })),
      disk_bus: Type.Optional(Type.String({ maxLength: 255 })),
      boot_index: Type.Optional(
        Type.Union([Type.Integer(), Type.String({ pattern: '^-?[0-9]+$' }), Type.Null()]),
      ),
      ...(v.tag ? { tag: Type.Optional(p.tag) } : {}),
      ...(v.volumeType
        ? {
            volume_type: Type.Optional(
              Type.Union([Type.String({ minLength: 0, maxLength: 255 }), Type.Null()]),
            ),
          }
        : {}),
    },
    { additionalProperties: false },
  )

function createSchema(req: FastifyRequest) {
  const at = (v: string) => mv(req, v)
  const server: TProperties = {
    name: p.name,
    imageRef: Type.Optional(Type.Union([p.uuid, Type.String({ maxLength: 0 })])),
    flavorRef: Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 1 })]),
    adminPass: Type.Optional(Type.String()),
    metadata: Type.Optional(p.metadata),
    availability_zone: Type.Optional(p.name),
    'OS-DCF:diskConfig': Type.Optional(p.diskConfig),
    accessIPv4: Type.Optional(p.accessIPv4),
    accessIPv6: Type.Optional(p.accessIPv6),
    block_device_mapping: Type.Optional(Type.Array(bdmV2Item({ tag: false, volumeType: false }))),
    block_device_mapping_v2: Type.Optional(
      Type.Array(
        bdmV2Item({ tag: at('2.32') && (at('2.42') || !at('2.33')), volumeType: at('2.67') }),
      ),
    ),
    config_drive: Type.Optional(p.boolean),
    key_name: Type.Optional(p.name),
    min_count: Type.Optional(p.positiveInteger),
    max_count: Type.Optional(p.positiveInteger),
    return_reservation_id: Type.Optional(p.boolean),
    security_groups: Type.Optional(
      Type.Array(Type.Object({ name: Type.String() }, { additionalProperties: false })),
    ),
    user_data: Type.Optional(Type.String({ format: 'byte', maxLength: 65535 })),
  }
  if (at('2.37'))
    server.networks = Type.Union([
      Type.Array(networkItem(at('2.42'))),
      Type.String({ enum: ['none', 'auto'] }),
    ])
  else server.networks = Type.Optional(Type.Array(networkItem(at('2.32') && !at('2.37'))))
  if (!at('2.57')) server.personality = Type.Optional(p.personality)
  if (at('2.19')) server.description = Type.Optional(p.description)
  if (at('2.52')) server.tags = Type.Optional(Type.Array(p.tag, { maxItems: 50 }))
  if (at('2.63'))
    server.trusted_image_certificates = Type.Optional(
      Type.Union([
        Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 50, uniqueItems: true }),
        Type.Null(),
      ]),
    )
  if (at('2.74')) {
    server.host = Type.Optional(p.fqdn)
    server.hypervisor_hostname = Type.Optional(p.fqdn)
  }
  const hints = Type.Optional(Type.Record(Type.String(), Type.Unknown()))
  return Type.Object(
    {
      server: Type.Object(server, { additionalProperties: false }),
      'os:scheduler_hints': hints,
      'OS-SCH-HNT:scheduler_hints': hints,
    },
    { additionalProperties: false },
  )
}

const createSchemas = new Map<string, ReturnType<typeof createSchema>>()

/** The create body schema of the request's microversion band (built once per band). */
export function serverCreateSchema(req: FastifyRequest): ReturnType<typeof createSchema> {
  const band = ['2.19', '2.32', '2.33', '2.37', '2.42', '2.52', '2.57', '2.63', '2.67', '2.74']
    .filter((v) => mv(req, v))
    .join(',')
  let schema = createSchemas.get(band)
  if (!schema) {
    schema = createSchema(req)
    createSchemas.set(band, schema)
  }
  return schema
}

function updateSchema(req: FastifyRequest) {
  const server: TProperties = {
    name: Type.Optional(p.name),
    'OS-DCF:diskConfig': Type.Optional(p.diskConfig),
    accessIPv4: Type.Optional(p.accessIPv4),
    accessIPv6: Type.Optional(p.accessIPv6),
  }
  if (mv(req, '2.19')) server.description = Type.Optional(p.description)
  return Type.Object(
    { server: Type.Object(server, { additionalProperties: false }) },
    { additionalProperties: false },
  )
}

const updateSchemas = new Map<boolean, ReturnType<typeof updateSchema>>()

export function serverUpdateSchema(req: FastifyRequest): ReturnType<typeof updateSchema> {
  const band = mv(req, '2.19')
  let schema = updateSchemas.get(band)
  if (!schema) {
    schema = updateSchema(req)
    updateSchemas.set(band, schema)
  }
  return schema
}
