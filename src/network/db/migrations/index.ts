/** The network migrations, in order. */
import type { Migration } from 'kysely'
import { initial } from './0001-initial.js'
import { portIpAllocation } from './0002-port-ip-allocation.js'
import { floatingIpPerNetwork } from './0004-floating-ip-per-network.js'
import { subnetpools } from './0005-subnetpools.js'
import { legacyNetworks } from './0006-legacy-networks.js'

export const networkMigrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-port-ip-allocation': portIpAllocation,
  '0004-floating-ip-per-network': floatingIpPerNetwork,
  '0005-subnetpools': subnetpools,
  '0006-legacy-networks': legacyNetworks,
}
