/** @module What identity core functions need, passed explicitly (no globals). */
import type { Kysely } from 'kysely'
import type { Clock } from '../../lib/clock/clock.js'
import type { DialectName } from '../../lib/db/open-database.js'
import type { Logger } from '../../lib/log/logger.js'
import type { ConfigOf } from '../../lib/config/options.js'
import type { identitySection, securityComplianceSection } from '../config.js'
import type { IdentityTables } from '../db/tables.js'
import type { FernetKeys } from './fernet.js'
import type { RevocationList } from './revocations.js'

export type IdentityConfig = ConfigOf<typeof identitySection>

export interface IdentityDeps {
  db: Kysely<IdentityTables>
  dialect: DialectName
  config: IdentityConfig
  /** [security_compliance]: password rules and lockout. */
  compliance: ConfigOf<typeof securityComplianceSection>
  clock: Clock
  log: Logger
  /** Encrypts tokens (key repository). */
  tokenKeys: FernetKeys
  /** Encrypts stored credential blobs (credential key repository). */
  credentialKeys: FernetKeys
  revocations: RevocationList
}
