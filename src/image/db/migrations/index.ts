/** The image migrations, in order. */
import type { Migration } from 'kysely'
import { initial } from './0001-initial.js'
import { metadefs } from './0002-metadefs.js'

export const imageMigrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-metadefs': metadefs,
}
