#!/usr/bin/env node
// `npm test`: installs what is missing, then runs every suite in order and stops at the first
// red one. Phases: deps, check (typecheck, lint, format, generated files), unit+functional
// (SQLite), dialects (PostgreSQL, MariaDB), build, e2e (real `openstack` CLI against
// `ostack serve`), tempest (Tempest's identity, image, network and compute suites, with
// pass-rate gates).
// `node scripts/test.mjs --only check,unit` runs a subset.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureDebianPackages, ensureDatabases } from './test-env.mjs'

const root = join(fileURLToPath(import.meta.url), '..', '..')
process.chdir(root)
const onlyArg = process.argv.find((a) => a.startsWith('--only'))
const only = onlyArg
  ? (onlyArg.includes('=')
      ? onlyArg.split('=')[1]
      : process.argv[process.argv.indexOf(onlyArg) + 1]
    ).split(',')
  : undefined
const wants = (phase) => !only || only.includes(phase)

function run(title, cmd, args, opts = {}) {
  const t0 = Date.now()
  process.stdout.write(`\n== ${title}\n`)
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...opts.env } })
  const s = ((Date.now() - t0) / 1000).toFixed(1)
  if (r.status !== 0) {
    process.stdout.write(`\n!! ${title} failed (exit ${r.status ?? r.signal}) after ${s}s\n`)
    process.exit(1)
  }
  process.stdout.write(`== ${title}: ok (${s}s)\n`)
}

function findTests(dir) {
  if (!existsSync(dir)) return []
  const out = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...findTests(p))
    else if (name.endsWith('.test.ts')) out.push(relative(root, p))
  }
  return out.sort()
}

const nodeTest = (files, env) => ['--import', 'tsx', '--test', '--test-concurrency=2', ...files]

// deps
if (
  !existsSync('node_modules/.package-lock.json') ||
  statSync('package-lock.json').mtimeMs > statSync('node_modules/.package-lock.json').mtimeMs
) {
  run('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'])
}

if (wants('check')) {
  run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'])
  run('lint', 'npx', ['eslint', '.'])
  run('format', 'npx', ['prettier', '--check', '.'])
  run('generated files', 'npx', ['tsx', 'scripts/check-generated.ts'])
}

// Real disk images for the format inspector tests come from qemu-img and genisoimage.
ensureDebianPackages(['qemu-utils', 'genisoimage'])
const unitFiles = [...findTests('src'), ...findTests('test/functional')]
if (wants('unit'))
  run(
    `unit + functional tests (${unitFiles.length} files, SQLite)`,
    process.execPath,
    nodeTest(unitFiles),
  )

if (wants('dialects')) {
  const dialects = await ensureDatabases()
  // Identity and network in full; compute's servers, quotas and networking, whose atomic
  // quota checks and IP allocation lean on each dialect's locking and unique indexes.
  const identityFiles = findTests('test/functional').filter(
    (f) =>
      f.includes('identity') ||
      f.includes('network-') ||
      /compute-(servers|quotas|networking)\.test/.test(f),
  )
  for (const dialect of ['postgres', 'mysql']) {
    if (!dialects[dialect]) {
      process.stdout.write(
        `\n== identity + network + compute suites on ${dialect}: SKIPPED (${dialects.why[dialect]})\n`,
      )
      continue
    }
    run(
      `identity + network + compute suites on ${dialect}`,
      process.execPath,
      nodeTest(identityFiles),
      {
        env: { OSTACK_TEST_DIALECT: dialect },
      },
    )
  }
}

if (wants('build') || wants('e2e') || wants('tempest'))
  run('build', process.execPath, ['scripts/build.mjs'])

if (wants('e2e') || wants('tempest')) {
  const missing = ensureDebianPackages([
    'python3-openstackclient',
    'python3-openstacksdk',
    'tempest',
    'python3-tempest',
    'curl',
  ])
  if (missing.length > 0) {
    process.stdout.write(
      `\n!! cannot install Debian packages ${missing.join(', ')}: e2e and tempest need them (run as root with apt).\n`,
    )
    process.exit(1)
  }
}

if (wants('e2e')) {
  const e2eFiles = findTests('test/e2e')
  run(`e2e: real clients against ostack serve (${e2eFiles.length} files)`, process.execPath, [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    ...e2eFiles,
  ])
}

if (wants('tempest'))
  for (const [area, gate] of [
    ['identity', '90'],
    ['image', '90'],
    ['network', '85'],
    ['compute', '85'],
    // nova-network's FlatDHCP mode: the Nova proxies and nova-network's own APIs.
    ['compute-legacy', '90'],
  ])
    run(`tempest ${area} (gate: >= ${gate}% of non-skipped pass)`, 'npx', [
      'tsx',
      'test/tempest/run-tempest.ts',
      area,
      gate,
    ])

process.stdout.write('\nall suites passed\n')
