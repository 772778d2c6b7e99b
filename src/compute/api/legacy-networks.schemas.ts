/**
 * @module Bodies of nova-network's administration APIs (served with a legacy [network]
 * manager), as Nova's schemas had them: os-networks create, os-tenant-networks create,
 * os-fixed-ips actions and os-floating-ips-bulk.
 */
import { Type } from '@sinclair/typebox'

const STR = Type.String({ minLength: 1, maxLength: 255 })
const OPT_STR = Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()]))
const BOOLISH = Type.Optional(Type.Union([Type.Boolean(), Type.String()]))
const INTISH = Type.Optional(Type.Union([Type.Integer(), Type.String({ pattern: '^[0-9]+$' })]))

export const NETWORK_CREATE = Type.Object(
  {
    network: Type.Object(
      {
        label: STR,
        cidr: OPT_STR,
        cidr_v6: OPT_STR,
        gateway: OPT_STR,
        gateway_v6: OPT_STR,
        bridge: OPT_STR,
        bridge_interface: OPT_STR,
        dns1: OPT_STR,
        dns2: OPT_STR,
        dhcp_server: OPT_STR,
        enable_dhcp: BOOLISH,
        share_address: BOOLISH,
        multi_host: BOOLISH,
        mtu: INTISH,
        priority: INTISH,
        project_id: OPT_STR,
        vlan: INTISH,
        vlan_start: INTISH,
        vpn_start: INTISH,
        num_networks: INTISH,
        network_size: INTISH,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

export const TENANT_NETWORK_CREATE = Type.Object(
  {
    network: Type.Object(
      {
        label: STR,
        cidr: STR,
        ipam: BOOLISH,
        vlan_start: INTISH,
        num_networks: INTISH,
        network_size: INTISH,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

export const NETWORK_ADD = Type.Object(
  { id: Type.Union([Type.String({ maxLength: 255 }), Type.Null()]) },
  { additionalProperties: false },
)

export const FLOATING_BULK_CREATE = Type.Object(
  {
    floating_ips_bulk_create: Type.Object(
      {
        ip_range: Type.String({ maxLength: 255 }),
        pool: Type.Optional(STR),
        interface: Type.Optional(STR),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

export const FLOATING_BULK_DELETE = Type.Object(
  { ip_range: Type.String({ maxLength: 255 }) },
  { additionalProperties: false },
)
