/**
 * @module L2 segments (ML2's type drivers): provider segments checked against the configured
 * physical networks and id ranges, project networks given the lowest free id of the first
 * tenant network type. An insert under a unique index is the allocation, so concurrent
 * creates never share a VNI or VLAN.
 */
import type { Kysely } from 'kysely'
import { uuid } from '../../lib/ids/ids.js'
import { insertIfAbsent } from '../../lib/db/errors.js'
import type { DialectName } from '../../lib/db/open-database.js'
import type { NetworkTables } from '../db/tables.js'
import { networkErrors } from '../errors.js'
import type { NetworkConfig } from './deps.js'

export const NETWORK_TYPES = ['flat', 'vlan', 'vxlan', 'gre', 'local'] as const
export type NetworkType = (typeof NETWORK_TYPES)[number]

export interface SegmentRequest {
  network_type?: string | undefined
  physical_network?: string | null | undefined
  segmentation_id?: number | null | undefined
}

export interface Segment {
  network_type: NetworkType
  physical_network: string | null
  segmentation_id: number | null
}

const MAX_ID: Readonly<Record<string, number>> = { vlan: 4094, vxlan: 16777215, gre: 4294967295 }

/** Overhead of each encapsulation over the physical MTU (Neutron's IP + UDP/GRE headers). */
const OVERHEAD: Readonly<Record<string, number>> = { vxlan: 50, gre: 42 }

export function mtuFor(config: NetworkConfig, type: NetworkType): number {
  const base = config.pathMtu > 0 ? config.pathMtu : config.globalPhysnetMtu
  return type in OVERHEAD ? base - (OVERHEAD[type] ?? 0) : config.globalPhysnetMtu
}

function parseRanges(entries: readonly string[]): [number, number][] {
  return entries.flatMap((e) => {
    const [a, b] = e.split(':').map(Number)
    return a !== undefined && b !== undefined && Number.isInteger(a) && Number.isInteger(b)
      ? [[a, b] as [number, number]]
      : []
  })
}

/** physnet -> its VLAN ranges (empty when only named, i.e. provider networks only). */
function vlanRanges(config: NetworkConfig): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>()
  for (const entry of config.networkVlanRanges) {
    const [physnet = '', min, max] = entry.split(':')
    const list = out.get(physnet) ?? []
    if (min !== undefined && max !== undefined) list.push([Number(min), Number(max)])
    out.set(physnet, list)
  }
  return out
}

const invalid = (detail: string) => networkErrors.invalidInput(detail)

/** Validates a provider request (admin-only attributes) into a segment to allocate. */
export function checkProviderSegment(config: NetworkConfig, req: SegmentRequest): SegmentRequest {
  const type = req.network_type
  if (!type || !(NETWORK_TYPES as readonly string[]).includes(type))
    throw invalid(`network_type value '${String(type)}' not supported`)
  const physnet = req.physical_network ?? null
  const segId = req.segmentation_id ?? null
  if (type === 'flat') {
    if (segId !== null) throw invalid('segmentation_id specified for flat provider network')
    if (!physnet) throw invalid('physical_network required for flat provider network')
    if (!config.flatNetworks.includes('*') && !config.flatNetworks.includes(physnet))
      throw invalid(`physical_network '${physnet}' unknown for flat provider network`)
  } else if (type === 'vlan') {
    if (!physnet) throw invalid('physical_network required for VLAN provider network')
    if (!vlanRanges(config).has(physnet))
      throw invalid(`physical_network '${physnet}' unknown for VLAN provider network`)
    if (segId !== null && (segId < 1 || segId > 4094))
      throw invalid(`segmentation_id out of range (1 through 4094)`)
  } else if (type === 'local') {
    if (physnet || segId !== null)
      throw invalid('physical_network and segmentation_id prohibited for local provider network')
  } else {
    if (physnet) throw invalid(`provider:physical_network specified for ${type} network`)
    const max = MAX_ID[type] ?? 0
    if (segId !== null && (segId < 1 || segId > max))
      throw invalid(
        `${type === 'vxlan' ? 'VXLAN' : 'GRE'} tunnel ID ${segId} out of range (1 through ${max})`,
      )
  }
  return { network_type: type, physical_network: physnet, segmentation_id: segId }
}

function inUse(seg: Segment): Error {
  if (seg.network_type === 'flat')
    return networkErrors.conflict(
      'FlatNetworkInUse',
      `Unable to create the flat network. Physical network ${seg.physical_network ?? ''} is in use.`,
    )
  if (seg.network_type === 'vlan')
    return networkErrors.conflict(
      'VlanIdInUse',
      `Unable to create the network. The VLAN ${seg.segmentation_id ?? ''} on physical network ${seg.physical_network ?? ''} is in use.`,
    )
  return networkErrors.conflict(
    'TunnelIdInUse',
    `Unable to create the network. The tunnel ID ${seg.segmentation_id ?? ''} is in use.`,
  )
}

function noFreeSegment(): Error {
  return networkErrors.conflict(
    'NoNetworkAvailable',
    'Unable to create the network. No tenant network is available for allocation.',
  )
}

/**
 * Records the network's segment: the requested one (provider), else the lowest free id of the
 * first tenant network type that has one.
 */
export async function allocateSegment(
  db: Kysely<NetworkTables>,
  dialect: DialectName,
  config: NetworkConfig,
  networkId: string,
  now: string,
  requested: SegmentRequest | undefined,
): Promise<Segment> {
  const insert = (seg: Segment) =>
    insertIfAbsent(
      db.insertInto('network_segment').values({
        id: uuid(),
        network_id: networkId,
        name: null,
        network_type: seg.network_type,
        physical_network: seg.physical_network ?? '',
        segmentation_id: seg.segmentation_id ?? 0,
        segment_index: 0,
        description: '',
        created_at: now,
        updated_at: now,
        revision_number: 0,
      }),
      dialect,
    )
  if (requested) {
    const type = requested.network_type as NetworkType
    const physnet = requested.physical_network ?? null
    if (
      (type === 'vlan' || type === 'vxlan' || type === 'gre') &&
      requested.segmentation_id == null
    ) {
      const ranges =
        type === 'vlan'
          ? (vlanRanges(config).get(physnet ?? '') ?? [])
          : parseRanges(type === 'vxlan' ? config.vniRanges : config.tunnelIdRanges)
      const seg = await allocateFromRanges(db, type, physnet, ranges, insert)
      if (!seg) throw noFreeSegment()
      return seg
    }
    const seg: Segment = {
      network_type: type,
      physical_network: physnet,
      segmentation_id:
        type === 'flat' || type === 'local' ? null : (requested.segmentation_id ?? null),
    }
    if (type !== 'local' && !(await insert(seg))) throw inUse(seg)
    return seg
  }
  for (const type of config.tenantNetworkTypes) {
    if (type === 'vlan') {
      for (const [physnet, ranges] of vlanRanges(config)) {
        const seg = await allocateFromRanges(db, 'vlan', physnet, ranges, insert)
        if (seg) return seg
      }
    } else if (type === 'vxlan' || type === 'gre') {
      const ranges = parseRanges(type === 'vxlan' ? config.vniRanges : config.tunnelIdRanges)
      const seg = await allocateFromRanges(db, type, null, ranges, insert)
      if (seg) return seg
    } else if (type === 'local') {
      return { network_type: 'local', physical_network: null, segmentation_id: null }
    }
  }
  throw noFreeSegment()
}

async function allocateFromRanges(
  db: Kysely<NetworkTables>,
  type: NetworkType,
  physnet: string | null,
  ranges: [number, number][],
  insert: (seg: Segment) => Promise<boolean>,
): Promise<Segment | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const used = new Set(
      (
        await db
          .selectFrom('network_segment')
          .select('segmentation_id')
          .where('network_type', '=', type)
          .where('physical_network', '=', physnet ?? '')
          .execute()
      ).map((r) => r.segmentation_id),
    )
    let candidate: number | undefined
    for (const [min, max] of ranges) {
      for (let id = min; id <= max; id++)
        if (!used.has(id)) {
          candidate = id
          break
        }
      if (candidate !== undefined) break
    }
    if (candidate === undefined) return undefined
    const seg: Segment = {
      network_type: type,
      physical_network: physnet,
      segmentation_id: candidate,
    }
    if (await insert(seg)) return seg
  }
  return undefined
}
