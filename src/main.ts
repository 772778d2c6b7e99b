/**
 * @module The `ostack` command: serve the all-in-one, migrate databases, rotate token keys,
 * print the sample config.
 */
import { Command } from 'commander'
import { systemClock } from './lib/clock/clock.js'
import { ConfigError } from './lib/config/load-config.js'
import { renderSample } from './lib/config/sample.js'
import { createLogger } from './lib/log/logger.js'
import { type Config, configSections, loadOstackConfig } from './config.js'
import { startPlatform } from './platform.js'
import { keyRepositories, openIdentityDatabase } from './identity/service.js'
import { openImageDatabase } from './image/service.js'
import { openComputeDatabase } from './compute/service.js'
import { openNetworkDatabase } from './network/service.js'
import { registerLegacyNetworkCommands } from './network/legacy/manage.js'

function readConfig(file: string | undefined): Config {
  return loadOstackConfig({ file: file ?? process.env.OSTACK_CONF, env: process.env })
}

async function serve(options: { config?: string }): Promise<void> {
  const config = readConfig(options.config)
  const log = createLogger({ level: config.DEFAULT.logLevel, file: config.DEFAULT.logFile })
  const started = performance.now()
  const platform = await startPlatform(config, { log, clock: systemClock })
  const ms = Math.round(performance.now() - started)
  const endpoints = Object.entries(platform.endpoints)
    .map(([name, url]) => `${name}=${url}`)
    .join(' ')
  process.stdout.write(
    `ready in ${ms} ms: ${endpoints} clouds.yaml=${platform.clientFiles.cloudsYaml} openrc=${platform.clientFiles.openrc}\n`,
  )
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping')
    platform
      .stop()
      .then(() => {
        log.flush()
        process.exit(0)
      })
      .catch((err: unknown) => {
        log.error({ err }, 'stop failed')
        process.exit(1)
      })
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('ostack').description('An OpenStack-compatible cloud in one process.')
  program
    .command('serve')
    .description(
      'Run the all-in-one cloud in the foreground; prints "ready ..." once every API answers.',
    )
    .option('-c, --config <file>', 'INI config file (default: $OSTACK_CONF)')
    .action(serve)
  const db = program.command('db').description('Database maintenance.')
  db.command('sync')
    .description('Apply every service’s migrations.')
    .option('-c, --config <file>', 'INI config file (default: $OSTACK_CONF)')
    .action(async (options: { config?: string }) => {
      const config = readConfig(options.config)
      const log = createLogger({ level: 'warn' })
      const identity = await openIdentityDatabase({ config, log, clock: systemClock })
      process.stdout.write(`identity: migrated (${identity.location})\n`)
      await identity.close()
      const image = await openImageDatabase({ config, log })
      process.stdout.write(`image: migrated (${image.location})\n`)
      await image.close()
      const compute = await openComputeDatabase({ config, log })
      process.stdout.write(`compute: migrated (${compute.location})\n`)
      await compute.close()
      const network = await openNetworkDatabase({ config, log })
      process.stdout.write(`network: migrated (${network.location})\n`)
      await network.close()
    })
  registerLegacyNetworkCommands(program, readConfig)
  const token = program.command('token').description('Token key repository.')
  token
    .command('setup')
    .description('Create the token and credential key repositories if missing.')
    .option('-c, --config <file>', 'INI config file (default: $OSTACK_CONF)')
    .action((options: { config?: string }) => {
      const keys = keyRepositories(readConfig(options.config))
      keys.tokens.ensure()
      keys.credentials.ensure()
      process.stdout.write(`keys in ${keys.tokens.dir} and ${keys.credentials.dir}\n`)
    })
  token
    .command('rotate')
    .description(
      'Promote the staged key to primary and stage a new one (as keystone-manage fernet_rotate).',
    )
    .option('-c, --config <file>', 'INI config file (default: $OSTACK_CONF)')
    .action((options: { config?: string }) => {
      const config = readConfig(options.config)
      const { tokens } = keyRepositories(config)
      const primary = tokens.rotate(config.identity.maxActiveKeys)
      process.stdout.write(
        `rotated: primary key is now ${primary} in ${tokens.dir}; running clouds pick it up within a second\n`,
      )
    })
  program
    .command('config')
    .description('Configuration helpers.')
    .command('sample')
    .description('Print the documented sample config.')
    .action(() => {
      process.stdout.write(renderSample(configSections))
    })
  try {
    await program.parseAsync(argv)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
}
