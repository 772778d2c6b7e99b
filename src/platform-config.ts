/** @module The sections every process reads, whatever services it runs. */
import { choice, int, optionalStr, section, str } from './lib/config/options.js'
import { LOG_LEVELS } from './lib/log/logger.js'

export const defaultSection = section(
  'DEFAULT',
  'Where the cloud keeps its state and how it is addressed.',
  {
    dataDir: str({
      default: './data',
      help: 'Everything the cloud writes (databases, keys, images, logs) lives here.',
    }),
    bindHost: str({ default: '127.0.0.1', help: 'Address every API listens on.' }),
    publicHost: str({
      default: '127.0.0.1',
      help: 'Host name or address put in catalog URLs; what clients use to reach the APIs.',
    }),
    logLevel: choice(LOG_LEVELS, { default: 'info', help: 'Lowest level written to the log.' }),
    logFile: optionalStr({ help: 'Append JSON log lines to this file instead of stderr.' }),
    tokenCacheTime: int({
      default: 300,
      min: 0,
      help:
        'Seconds a service other than identity may reuse a validated token (keystonemiddleware token_cache_time). ' +
        'In one process, revocations also clear the cache at once.',
    }),
  },
)

export const databaseSection = section('database', 'Where services keep their tables.', {
  connection: optionalStr({
    sampleDefault: 'sqlite:///<data_dir>',
    help:
      'sqlite:///<dir> (one SQLite file per service in <dir>), postgresql://user:pass@host/db (a schema per service) ' +
      'or mysql://user:pass@host/db (a database <db>_<service> per service). [<service>] database_connection overrides it for one service.',
  }),
})

export const transportSection = section(
  'transport',
  'How the roles of a service talk to each other.',
  {
    url: str({
      default: 'inproc://',
      help: 'inproc:// for the all-in-one in-process bus, or amqp://guest:guest@127.0.0.1:5672/ for RabbitMQ.',
    }),
  },
)
