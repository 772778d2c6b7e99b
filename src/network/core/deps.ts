/** @module What network core functions need, passed explicitly. */
import type { Kysely } from 'kysely'
import type { Clock } from '../../lib/clock/clock.js'
import type { ConfigOf } from '../../lib/config/options.js'
import type { DialectName } from '../../lib/db/open-database.js'
import type { Logger } from '../../lib/log/logger.js'
import type { Bus } from '../../lib/rpc/bus.js'
import type { Notifier } from '../../lib/rpc/notifier.js'
import type { networkSection } from '../config.js'
import type { NetworkTables } from '../db/tables.js'
import type { ComputeEventSink } from './nova-notifier.js'

export type NetworkConfig = ConfigOf<typeof networkSection>

export interface NetworkDeps {
  db: Kysely<NetworkTables>
  dialect: DialectName
  config: NetworkConfig
  clock: Clock
  log: Logger
  bus: Bus
  notifier: Notifier
  /** Where compute hears of port changes (Neutron's nova notifier); absent without compute. */
  computeEvents?: ComputeEventSink
  /** The public endpoint, e.g. `http://host:9696`, for links. */
  publicUrl: string
}

/** Who is calling, as core functions see it. */
export interface Caller {
  projectId: string | undefined
  userId: string
  isAdmin: boolean
  requestId: string
}

/** Neutron's timestamps: seconds, UTC, "Z". */
export function neutronTime(clock: Clock): string {
  return `${clock.now().toISOString().slice(0, 19)}Z`
}
