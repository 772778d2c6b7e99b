/**
 * @module The whole configuration: the platform sections and every service's own section.
 * The only place that knows all sections (with services.ts, which knows all services).
 */
import { type ConfigFrom, loadConfig, type LoadConfigOptions } from './lib/config/load-config.js'
import { identitySection, securityComplianceSection } from './identity/config.js'
import { imageSection } from './image/config.js'
import { computeSection, fakeSection, quotaSection } from './compute/config.js'
import { networkSection } from './network/config.js'
import { databaseSection, defaultSection, transportSection } from './platform-config.js'

export const configSections = {
  DEFAULT: defaultSection,
  database: databaseSection,
  transport: transportSection,
  identity: identitySection,
  security_compliance: securityComplianceSection,
  image: imageSection,
  compute: computeSection,
  network: networkSection,
  fake: fakeSection,
  quota: quotaSection,
}

export type Config = ConfigFrom<typeof configSections>

export function loadOstackConfig(options: LoadConfigOptions): Config {
  return loadConfig(configSections, options)
}

/** The database URL a service uses: its own override, else [database] connection, else SQLite in data_dir. */
export function connectionFor(config: Config, serviceOverride: string | undefined): string {
  return serviceOverride ?? config.database.connection ?? `sqlite:///${config.DEFAULT.dataDir}`
}
