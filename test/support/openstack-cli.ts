/** @module Runs the real `openstack` CLI (Debian python3-openstackclient) and parses its JSON output. */
import { spawn } from 'node:child_process'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export function openstackRaw(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    // stdin is /dev/null: `image create` reads image data from a piped stdin.
    const child = spawn('openstack', args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? 1, stdout, stderr })
    })
  })
}

/** Runs `openstack <args>` and returns the parsed output of `-f json` commands; throws on failure. */
// CLI JSON is whatever the command prints: callers read it like any API answer.
export async function openstack(args: string[], env: Record<string, string>): Promise<any> {
  const r = await openstackRaw(args, env)
  if (r.code !== 0) throw new Error(`openstack ${args.join(' ')} failed (${r.code}): ${r.stderr}`)
  // Only `-f json` output is parsed; other commands print tables or nothing.
  const text = r.stdout.trim()
  return args.includes('json') && text !== '' ? JSON.parse(text) : undefined
}
