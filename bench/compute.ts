/**
 * bench/compute: the compute control plane on the fake driver, as Rally's boot_and_delete and
 * boot_and_list measure Nova: one `ostack serve` presenting 100 fake hypervisors (SQLite, in-process
 * bus), servers booted through the API at concurrency 1 and 16 until ACTIVE, listed in detail,
 * then deleted until gone; start time and memory with the fleet.
 * Usage: npx tsx bench/compute.ts [--servers N]   (prints a table; never asserts)
 * Nova's figure beside ours: Mitaka, 1000 fake computes on 26 hosts, Rally boot_and_delete
 * ≈ 5.4 boot+delete/s with boot median 6.2 s (performance-docs, see ../shared/API-NOTES.md).
 */
import { startCloud } from '../test/support/cloud-process.js'
import { adminToken, pct, pool, printTable, rssMb } from './support.js'

const arg = process.argv.indexOf('--servers')
const total = arg > 0 ? Number(process.argv[arg + 1]) : 200

const cloud = await startCloud({
  extraConfig:
    '[fake]\nhosts = node[001-100]\nvcpus = 64\nmemory_mb = 262144\n[quota]\ninstances = -1\ncores = -1\nram = -1\n',
})
const pid = cloud.child.pid ?? 0
const rssIdle = rssMb(pid)

const token = await adminToken(cloud.authUrl)
const headers = { 'x-auth-token': token, 'content-type': 'application/json' }
const created = await fetch(`${cloud.imageUrl}/v2/images`, {
  method: 'POST',
  headers,
  body: JSON.stringify({
    name: 'bench',
    disk_format: 'raw',
    container_format: 'bare',
    visibility: 'public',
  }),
})
// SAFETY: Glance's image create answers the image.
const { id: image } = (await created.json()) as { id: string }
await fetch(`${cloud.imageUrl}/v2/images/${image}/file`, {
  method: 'PUT',
  headers: { ...headers, 'content-type': 'application/octet-stream' },
  body: Buffer.alloc(4096),
})

async function status(id: string): Promise<{ code: number; status?: string }> {
  const res = await fetch(`${cloud.computeUrl}/servers/${id}`, { headers })
  if (res.status !== 200) return { code: res.status }
  // SAFETY: Nova's server show body.
  const body = (await res.json()) as { server: { status: string } }
  return { code: 200, status: body.server.status }
}

async function until(id: string, done: (s: { code: number; status?: string }) => boolean) {
  for (;;) {
    const s = await status(id)
    if (done(s)) return s
    await new Promise((r) => setTimeout(r, 20))
  }
}

const rows: string[][] = []
const ids: string[] = []

for (const c of [1, 16]) {
  const n = c === 1 ? Math.min(50, total) : total
  const boot = await pool(n, c, async (i) => {
    const res = await fetch(`${cloud.computeUrl}/servers`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ server: { name: `b${c}-${i}`, imageRef: image, flavorRef: '1' } }),
    })
    // SAFETY: Nova's create answer.
    const body = (await res.json()) as { server: { id: string } }
    ids.push(body.server.id)
    const s = await until(body.server.id, (x) => x.status === 'ACTIVE' || x.status === 'ERROR')
    if (s.status !== 'ACTIVE') throw new Error(`boot failed: ${JSON.stringify(s)}`)
  })
  rows.push([
    `boot to ACTIVE c=${c}`,
    (n / boot.wallS).toFixed(1),
    pct(boot.latencies, 0.5).toFixed(1),
    pct(boot.latencies, 0.95).toFixed(1),
  ])
}

const list = await pool(20, 1, async () => {
  const res = await fetch(`${cloud.computeUrl}/servers/detail`, { headers })
  await res.arrayBuffer()
})
rows.push([
  `list detail (${ids.length} servers) c=1`,
  (20 / list.wallS).toFixed(1),
  pct(list.latencies, 0.5).toFixed(1),
  pct(list.latencies, 0.95).toFixed(1),
])
const rssLoaded = rssMb(pid)

const del = await pool(ids.length, 16, async (i) => {
  const id = ids[i] ?? ''
  await fetch(`${cloud.computeUrl}/servers/${id}`, { method: 'DELETE', headers })
  await until(id, (x) => x.code === 404)
})
rows.push([
  'delete until gone c=16',
  (ids.length / del.wallS).toFixed(1),
  pct(del.latencies, 0.5).toFixed(1),
  pct(del.latencies, 0.95).toFixed(1),
])

process.stdout.write(
  `\nbench/compute: ostack serve, 100 fake hypervisors, SQLite, ${total} servers\n\n`,
)
printTable(rows)
process.stdout.write(
  `\nstart to ready with 100 hypervisors: ${cloud.startMs.toFixed(0)} ms; RSS idle ${rssIdle.toFixed(0)} MB, with ${ids.length} servers ${rssLoaded.toFixed(0)} MB\n`,
)
process.stdout.write(
  'Nova (Rally, 1000 fake computes on 26 hosts): boot_and_delete ≈ 5.4/s, boot median 6.2 s\n',
)
await cloud.stop()
