/** The compute migrations, in order. */
import type { Migration } from 'kysely'
import { initial } from './0001-initial.js'
import { defaultFlavors } from './0002-default-flavors.js'
import { instanceInfoCache } from './0003-instance-info-cache.js'

export const computeMigrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-default-flavors': defaultFlavors,
  '0003-instance-info-cache': instanceInfoCache,
}
