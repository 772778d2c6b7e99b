/** @module What image core functions need, passed explicitly. */
import type { Kysely } from 'kysely'
import type { Clock } from '../../lib/clock/clock.js'
import type { ConfigOf } from '../../lib/config/options.js'
import type { Logger } from '../../lib/log/logger.js'
import type { Notifier } from '../../lib/rpc/notifier.js'
import type { imageSection } from '../config.js'
import type { ImageTables } from '../db/tables.js'
import type { ImageStore } from '../stores/store.js'

export type ImageConfig = ConfigOf<typeof imageSection>

/** Unified limits, read from identity (as oslo.limit reads Keystone). */
export type LimitReader = (projectId: string, resourceName: string) => Promise<number | undefined>

export interface ImageDeps {
  db: Kysely<ImageTables>
  config: ImageConfig
  clock: Clock
  log: Logger
  store: ImageStore
  stagingDir: string
  notifier: Notifier
  limits: LimitReader
}

/** Who is calling, as the image service sees it. */
export interface Caller {
  projectId: string | undefined
  userId: string
  isAdmin: boolean
  requestId: string
}
