#!/usr/bin/env node
// Runs the bundled CLI; builds it first when dist/ is missing (fresh clone).
import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const entry = join(root, 'dist', 'ostack.mjs')
if (!existsSync(entry)) {
  process.stderr.write('ostack: building (first run)...\n')
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' })
}
const { main } = await import(entry)
await main(process.argv)
