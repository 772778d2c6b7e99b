#!/usr/bin/env node
// `npm run up`: installs what is missing, builds, then runs the all-in-one in the foreground
// (bootstrapping on first start) with etc/ostack.conf when present. Ctrl-C stops it.
import { spawnSync, spawn } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(import.meta.url), '..', '..')
process.chdir(root)
const step = (title, cmd, args) => {
  process.stdout.write(`== ${title}\n`)
  const r = spawnSync(cmd, args, { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
if (
  !existsSync('node_modules/.package-lock.json') ||
  statSync('package-lock.json').mtimeMs > statSync('node_modules/.package-lock.json').mtimeMs
)
  step('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'])
step('build', process.execPath, ['scripts/build.mjs'])
const args = ['bin/ostack.js', 'serve']
const config =
  process.env.OSTACK_CONF ?? (existsSync('etc/ostack.conf') ? 'etc/ostack.conf' : undefined)
if (config) args.push('--config', config)
process.stdout.write(
  `== starting the all-in-one${config ? ` with ${config}` : ' with the defaults (data in ./data)'}\n`,
)
const child = spawn(process.execPath, args, { stdio: ['inherit', 'pipe', 'inherit'] })
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  const text = chunk.toString()
  const match = /clouds\.yaml=(\S+)/.exec(text)
  if (text.startsWith('ready') && match)
    process.stdout.write(
      `\nTry it:\n  export OS_CLIENT_CONFIG_FILE=${match[1]} OS_CLOUD=ostack\n  openstack token issue\n  openstack catalog list\n(Ctrl-C stops the cloud.)\n`,
    )
})
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code) => process.exit(code ?? 0))
