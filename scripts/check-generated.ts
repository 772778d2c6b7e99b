// Fails when a committed generated file drifts from the code that generates it
// (Fastify's integrity check): etc/ostack.conf.sample. `--write` regenerates.
import { readFileSync, writeFileSync } from 'node:fs'
import { renderSample } from '../src/lib/config/sample.js'
import { configSections } from '../src/config.js'

const files: Record<string, string> = { 'etc/ostack.conf.sample': renderSample(configSections) }
let drift = false
for (const [path, content] of Object.entries(files)) {
  if (process.argv.includes('--write')) {
    writeFileSync(path, content)
    continue
  }
  let current = ''
  try {
    current = readFileSync(path, 'utf8')
  } catch {
    current = ''
  }
  if (current !== content) {
    drift = true
    process.stderr.write(
      `${path} is out of date: run \`npx tsx scripts/check-generated.ts --write\`\n`,
    )
  }
}
process.exit(drift ? 1 : 0)
