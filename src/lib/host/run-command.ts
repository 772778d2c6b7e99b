/**
 * @module The one door to the host: every ip, bridge, iptables, dnsmasq, qemu or losetup call
 * goes through a CommandRunner, so it is logged, can run inside a network namespace, and can be
 * recorded instead of run in unit tests.
 */
import { spawn } from 'node:child_process'
import type { Logger } from '../log/logger.js'
import { AppError } from '../errors/app-error.js'

export interface CommandOptions {
  /** Run inside this network namespace (`ip netns exec <netns> ...`). */
  netns?: string
  /** Written to the command's stdin. */
  input?: string
  /** When false, a non-zero exit is returned instead of thrown. Default true. */
  check?: boolean
  timeoutMs?: number
}

export interface CommandResult {
  argv: readonly string[]
  code: number
  stdout: string
  stderr: string
}

export interface CommandRunner {
  run(argv: readonly string[], options?: CommandOptions): Promise<CommandResult>
}

export class HostCommandError extends AppError {
  readonly result: CommandResult
  constructor(result: CommandResult) {
    super({
      code: 'HOST_COMMAND_FAILED',
      kind: 'Unavailable',
      status: 500,
      message: `Command "${result.argv.join(' ')}" exited with ${result.code}: ${result.stderr.trim()}`,
    })
    this.result = result
  }
}

function withNetns(argv: readonly string[], netns: string | undefined): readonly string[] {
  return netns === undefined ? argv : ['ip', 'netns', 'exec', netns, ...argv]
}

/** Runs commands for real, logging each at debug and failures at warn. */
export class HostCommandRunner implements CommandRunner {
  readonly #log: Logger
  constructor(log: Logger) {
    this.#log = log
  }

  run(argv: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    const full = withNetns(argv, options.netns)
    const [file, ...args] = full
    if (file === undefined) throw new Error('empty command')
    this.#log.debug({ argv: full }, 'host command')
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: options.timeoutMs,
      })
      let stdout = ''
      let stderr = ''
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
      child.on('error', (err) => {
        resolve({ argv: full, code: 127, stdout, stderr: stderr + err.message })
      })
      child.on('close', (code) => {
        const result = { argv: full, code: code ?? 128, stdout, stderr }
        if (result.code !== 0 && options.check !== false) {
          this.#log.warn({ argv: full, code: result.code, stderr }, 'host command failed')
          reject(new HostCommandError(result))
        } else resolve(result)
      })
      // A command that never started or exited early closes its stdin: its exit code says why.
      child.stdin.on('error', () => undefined)
      child.stdin.end(options.input ?? '')
    })
  }
}

/** Records commands and answers them from a script: for unit tests of host-touching code. */
export class RecordingCommandRunner implements CommandRunner {
  readonly calls: { argv: readonly string[]; options: CommandOptions }[] = []
  readonly #answer: (argv: readonly string[]) => Partial<CommandResult> | undefined

  constructor(
    answer: (argv: readonly string[]) => Partial<CommandResult> | undefined = () => undefined,
  ) {
    this.#answer = answer
  }

  run(argv: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    const full = withNetns(argv, options.netns)
    this.calls.push({ argv: full, options })
    const result = { argv: full, code: 0, stdout: '', stderr: '', ...this.#answer(full) }
    if (result.code !== 0 && options.check !== false)
      return Promise.reject(new HostCommandError(result))
    return Promise.resolve(result)
  }
}
