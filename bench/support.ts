/** @module What the bench scripts share: an admin token, a job pool, percentiles, a table. */
import { readFileSync } from 'node:fs'

export async function adminToken(authUrl: string): Promise<string> {
  const res = await fetch(`${authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', domain: { id: 'default' }, password: 'secret' } },
        },
        scope: { project: { name: 'admin', domain: { id: 'default' } } },
      },
    }),
  })
  return res.headers.get('x-subject-token') ?? ''
}

/** Runs `n` jobs `c` at a time; returns per-job latencies (ms, sorted) and the wall time (s). */
export async function pool(n: number, c: number, job: (i: number) => Promise<void>) {
  const latencies: number[] = []
  let next = 0
  const start = performance.now()
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < n) {
        const i = next++
        const t = performance.now()
        await job(i)
        latencies.push(performance.now() - t)
      }
    }),
  )
  return { latencies: latencies.sort((a, b) => a - b), wallS: (performance.now() - start) / 1000 }
}

export const pct = (xs: number[], p: number): number =>
  xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : 0
}

/** Prints rows of [scenario, ops/s, p50 ms, p95 ms]. */
export function printTable(rows: string[][]): void {
  process.stdout.write(
    `${'scenario'.padEnd(40)}${'ops/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p95 ms'.padStart(10)}\n`,
  )
  for (const r of rows)
    process.stdout.write(
      `${(r[0] ?? '').padEnd(40)}${(r[1] ?? '').padStart(10)}${(r[2] ?? '').padStart(10)}${(r[3] ?? '').padStart(10)}\n`,
    )
}
