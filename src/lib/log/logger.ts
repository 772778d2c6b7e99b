/**
 * @module JSON-lines logging (pino). Messages are constant strings and data goes in fields;
 * passwords, secrets and tokens are redacted here so no caller has to remember.
 */
import { pino, type Logger, type DestinationStream } from 'pino'

export type { Logger } from 'pino'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

const REDACT = [
  'password',
  '*.password',
  '*.*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'req.headers["x-auth-token"]',
  'req.headers["x-subject-token"]',
  'req.headers["x-service-token"]',
  'res.headers["x-subject-token"]',
]

export interface LoggerOptions {
  level: LogLevel
  /** A file to append to; undefined writes to stderr. */
  file?: string | undefined
  destination?: DestinationStream
}

export function createLogger(options: LoggerOptions): Logger {
  const destination =
    options.destination ??
    pino.destination({ dest: options.file ?? 2, sync: false, mkdir: options.file !== undefined })
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: '***' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  )
}

/** A logger that drops everything: for unit tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
