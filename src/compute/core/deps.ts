/** @module What compute core functions need, passed explicitly. */
import type { Kysely } from 'kysely'
import type { Clock } from '../../lib/clock/clock.js'
import type { ConfigOf } from '../../lib/config/options.js'
import type { Logger } from '../../lib/log/logger.js'
import type { Bus } from '../../lib/rpc/bus.js'
import type { Notifier } from '../../lib/rpc/notifier.js'
import type { computeSection, fakeSection, quotaSection } from '../config.js'
import type { ComputeTables } from '../db/tables.js'
import type { ImageClient } from '../image-client.js'
import type { NetworkClient } from '../network-client.js'

export type ComputeConfig = ConfigOf<typeof computeSection>
export type FakeConfig = ConfigOf<typeof fakeSection>
export type QuotaConfig = ConfigOf<typeof quotaSection>

export interface ComputeDeps {
  db: Kysely<ComputeTables>
  config: ComputeConfig
  quotaDefaults: QuotaConfig
  clock: Clock
  log: Logger
  bus: Bus
  notifier: Notifier
  images: ImageClient
  /** The network service; absent when it is disabled (servers then get no ports). */
  network?: NetworkClient | undefined
  projects: ProjectDirectory
  /** Public URLs compute hands to clients (image Location headers, console URLs). */
  endpoints: ComputeEndpoints
}

export interface ComputeEndpoints {
  /** The image service's public endpoint, e.g. `http://host:9292`. */
  image: string
  /** Nova's [vnc] novncproxy_base_url. */
  novncProxyBase: string
}

/** What compute asks identity about projects (Nova asks Keystone before quota and flavor access changes). */
export interface ProjectDirectory {
  /** False when identity says the project does not exist. */
  exists(projectId: string): Promise<boolean>
}

/** Who is calling, as compute sees it (Nova's RequestContext). */
export interface Caller {
  projectId: string
  userId: string
  roles: readonly string[]
  isAdmin: boolean
  requestId: string
}
