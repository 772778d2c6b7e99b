/**
 * @module Drives Debian's `hey` load generator (the one the Keystone anchor used) and reads its
 * per-request CSV into req/s and latency percentiles.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface LoadResult {
  requests: number
  errors: number
  reqPerSec: number
  p50Ms: number
  p99Ms: number
}

export interface LoadSpec {
  url: string
  method?: string
  headers?: Record<string, string>
  body?: string
  requests: number
  concurrency: number
  /** Status that counts as success. */
  expect: number
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

export function runHey(spec: LoadSpec): LoadResult {
  const args = [
    '-n',
    String(spec.requests),
    '-c',
    String(spec.concurrency),
    '-m',
    spec.method ?? 'GET',
    '-o',
    'csv',
  ]
  for (const [k, v] of Object.entries(spec.headers ?? {})) args.push('-H', `${k}: ${v}`)
  if (spec.body !== undefined) {
    const file = join(mkdtempSync(join(tmpdir(), 'hey-')), 'body.json')
    writeFileSync(file, spec.body)
    args.push('-D', file, '-T', 'application/json')
  }
  args.push(spec.url)
  const r = spawnSync('hey', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  if (r.status !== 0) throw new Error(`hey failed: ${r.stderr}`)
  const lines = r.stdout.trim().split('\n').slice(1)
  const latencies: number[] = []
  let errors = 0
  let first = Infinity
  let last = 0
  for (const line of lines) {
    const cols = line.split(',')
    const seconds = Number(cols[0])
    const status = Number(cols[6])
    const offset = Number(cols[7])
    if (status !== spec.expect) errors++
    latencies.push(seconds * 1000)
    first = Math.min(first, offset)
    last = Math.max(last, offset + seconds)
  }
  latencies.sort((a, b) => a - b)
  const ok = lines.length - errors
  return {
    requests: lines.length,
    errors,
    reqPerSec: ok / Math.max(1e-9, last - first),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  }
}
