/**
 * bench/identity: token issue and validation, project and user lists, at concurrency 1 and 16,
 * against the all-in-one on SQLite; then cold start time and memory.
 * Usage: npx tsx bench/identity.ts [--scale N]   (prints a table; never asserts)
 * The Keystone figures beside ours come from ../shared/anchors/keystone/RESULTS.md (same machine
 * kind, same scenarios, `hey` too): Keystone 22, fernet, 2 uWSGI workers, MariaDB + memcached.
 */
import { readFileSync } from 'node:fs'
import { runHey, type LoadResult } from './hey.js'
import bcrypt from 'bcrypt'
import { startCloud } from '../test/support/cloud-process.js'

const scaleArg = process.argv.indexOf('--scale')
const scale = scaleArg > 0 ? Number(process.argv[scaleArg + 1]) : 1

const KEYSTONE: Record<string, string> = {
  'issue c=1': '3.4',
  'issue c=16': '7.2',
  'validate c=1': '46.7',
  'validate c=16': '72.5',
  'projects c=1': '36.6',
  'projects c=16': '81.9',
  'users c=1': '29.8',
  'users c=16': '86.1',
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const m = /VmRSS:\s+(\d+) kB/.exec(status)
  return m ? Number(m[1]) / 1024 : 0
}

async function token(authUrl: string): Promise<string> {
  const res = await fetch(`${authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(issueBody),
  })
  const t = res.headers.get('x-subject-token')
  if (res.status !== 201 || t === null) throw new Error(`token: ${res.status}`)
  return t
}

const issueBody = {
  auth: {
    identity: {
      methods: ['password'],
      password: { user: { name: 'admin', domain: { id: 'default' }, password: 'secret' } },
    },
    scope: { project: { name: 'admin', domain: { id: 'default' } } },
  },
}

/** Median time of one bcrypt cost-12 check here: the floor of a password token issue. */
async function bcryptMs(): Promise<number> {
  const stored = await bcrypt.hash('secret', 12)
  const times: number[] = []
  for (let i = 0; i < 9; i++) {
    const t = performance.now()
    await bcrypt.compare('secret', stored)
    times.push(performance.now() - t)
  }
  return times.sort((a, b) => a - b)[4] ?? 0
}

const bcryptCheckMs = await bcryptMs()
const cold = await startCloud()
const coldStartMs = cold.startMs
await cold.stop()

const cloud = await startCloud()
const warmStartMs = cloud.startMs
const pid = cloud.child.pid ?? 0
const rssIdle = rssMb(pid)
try {
  const admin = await token(cloud.authUrl)
  const subject = await token(cloud.authUrl)
  const rows: [string, LoadResult][] = []
  for (const c of [1, 16]) {
    const n = (base: number) => Math.ceil((base * scale) / c) * c
    rows.push([
      `issue c=${c}`,
      runHey({
        url: `${cloud.authUrl}/auth/tokens`,
        method: 'POST',
        body: JSON.stringify(issueBody),
        requests: n(c === 1 ? 30 : 96),
        concurrency: c,
        expect: 201,
      }),
    ])
    rows.push([
      `validate c=${c}`,
      runHey({
        url: `${cloud.authUrl}/auth/tokens`,
        headers: { 'X-Auth-Token': admin, 'X-Subject-Token': subject },
        requests: n(c === 1 ? 2000 : 8000),
        concurrency: c,
        expect: 200,
      }),
    ])
    rows.push([
      `projects c=${c}`,
      runHey({
        url: `${cloud.authUrl}/projects`,
        headers: { 'X-Auth-Token': admin },
        requests: n(c === 1 ? 2000 : 8000),
        concurrency: c,
        expect: 200,
      }),
    ])
    rows.push([
      `users c=${c}`,
      runHey({
        url: `${cloud.authUrl}/users`,
        headers: { 'X-Auth-Token': admin },
        requests: n(c === 1 ? 2000 : 8000),
        concurrency: c,
        expect: 200,
      }),
    ])
  }
  const rssLoaded = rssMb(pid)
  const pad = (s: string, w: number) => s.padEnd(w)
  process.stdout.write(
    `\nbench/identity: ostack all-in-one on SQLite (bcrypt cost 12), load from hey on the same 2-core machine\n\n`,
  )
  process.stdout.write(
    `${pad('scenario', 16)}${pad('n', 7)}${pad('err', 5)}${pad('req/s', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}keystone req/s\n`,
  )
  for (const [name, r] of rows) {
    process.stdout.write(
      `${pad(name, 16)}${pad(String(r.requests), 7)}${pad(String(r.errors), 5)}${pad(r.reqPerSec.toFixed(1), 10)}${pad(r.p50Ms.toFixed(2), 9)}${pad(r.p99Ms.toFixed(2), 9)}${KEYSTONE[name] ?? ''}\n`,
    )
  }
  const issue1 = rows.find(([n]) => n === 'issue c=1')?.[1]
  if (issue1)
    process.stdout.write(
      `\nissue c=1: p50 ${issue1.p50Ms.toFixed(1)} ms = bcrypt cost-12 check ${bcryptCheckMs.toFixed(1)} ms + ${(issue1.p50Ms - bcryptCheckMs).toFixed(1)} ms of our own (HTTP included)`,
    )
  process.stdout.write(
    `\nstart (fresh data dir, bootstrap) to ready: ${coldStartMs.toFixed(0)} ms; restart-free second start: ${warmStartMs.toFixed(0)} ms (keystone: 4390 ms)\n`,
  )
  process.stdout.write(
    `RSS: ${rssIdle.toFixed(0)} MB idle, ${rssLoaded.toFixed(0)} MB after load (keystone: 284 MB + MariaDB 145 MB + memcached 11 MB)\n`,
  )
} finally {
  await cloud.stop()
}
