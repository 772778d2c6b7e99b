/**
 * bench/network: the network control plane as Rally's create_and_delete_ports and
 * create_and_list_ports measure Neutron: one `ostack serve` (SQLite, in-process bus), ports
 * created and deleted through the API at concurrency 1 and 16 on a /16 subnet, then 10,000
 * ports listed whole and with filters (network, device owner, fixed IP).
 * Usage: npx tsx bench/network.ts [--ports N]   (prints a table; never asserts)
 */
import { startCloud } from '../test/support/cloud-process.js'
import { adminToken, pct, pool, printTable, rssMb } from './support.js'

const arg = process.argv.indexOf('--ports')
const total = arg > 0 ? Number(process.argv[arg + 1]) : 10_000

const cloud = await startCloud({
  extraConfig: '[network]\nquota_port = -1\nquota_network = -1\nquota_subnet = -1\n',
})
const pid = cloud.child.pid ?? 0
const rssIdle = rssMb(pid)
const token = await adminToken(cloud.authUrl)
const headers = { 'x-auth-token': token, 'content-type': 'application/json' }
const api = `${cloud.networkUrl}/v2.0`

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${api}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return res.status === 204 ? undefined : res.json()
}

const net = (await call('POST', '/networks', { network: { name: 'bench' } })).network
await call('POST', '/subnets', {
  subnet: { network_id: net.id, ip_version: 4, cidr: '10.0.0.0/16', name: 'bench' },
})
const other = (await call('POST', '/networks', { network: { name: 'other' } })).network
await call('POST', '/subnets', {
  subnet: { network_id: other.id, ip_version: 4, cidr: '10.1.0.0/20', name: 'other' },
})

const rows: string[][] = []
for (const c of [1, 16]) {
  const n = c === 1 ? 200 : 1000
  const ids: string[] = []
  const create = await pool(n, c, async (i) => {
    const body = { port: { network_id: net.id, name: `p${c}-${i}` } }
    ids.push((await call('POST', '/ports', body)).port.id)
  })
  rows.push([
    `port create c=${c}`,
    (n / create.wallS).toFixed(1),
    pct(create.latencies, 0.5).toFixed(1),
    pct(create.latencies, 0.95).toFixed(1),
  ])
  const del = await pool(ids.length, c, async (i) => {
    await call('DELETE', `/ports/${ids[i] ?? ''}`)
  })
  rows.push([
    `port delete c=${c}`,
    (n / del.wallS).toFixed(1),
    pct(del.latencies, 0.5).toFixed(1),
    pct(del.latencies, 0.95).toFixed(1),
  ])
}

// 10,000 ports: nine in ten on the bench network as compute ports, the rest on the other one.
const bulk = 100
const fill = await pool(Math.ceil(total / bulk), 4, async (b) => {
  const ports = Array.from({ length: Math.min(bulk, total - b * bulk) }, (_, i) => {
    const k = b * bulk + i
    return k % 10 === 0
      ? { network_id: other.id, name: `o${k}` }
      : { network_id: net.id, name: `b${k}`, device_owner: 'compute:nova', device_id: `vm-${k}` }
  })
  if (ports.length > 0) await call('POST', '/ports', { ports })
})
rows.push([`bulk create ${total} ports (100/request)`, (total / fill.wallS).toFixed(1), '', ''])

const lists: [string, string][] = [
  [`list all ${total} ports`, '/ports'],
  ['list ports ?network_id=other (1,000)', `/ports?network_id=${other.id}`],
  [
    'list ports ?device_owner=compute:nova',
    '/ports?device_owner=compute:nova&fields=id&fields=fixed_ips',
  ],
  ['list ports ?device_id=vm-4242', '/ports?device_id=vm-4242'],
  ['list ports ?fixed_ips=ip_address=…', '/ports?fixed_ips=ip_address%3D10.0.10.10'],
]
for (const [name, path] of lists) {
  const r = await pool(5, 1, async () => {
    await call('GET', path)
  })
  rows.push([
    name,
    (5 / r.wallS).toFixed(2),
    pct(r.latencies, 0.5).toFixed(0),
    pct(r.latencies, 0.95).toFixed(0),
  ])
}
const rssLoaded = rssMb(pid)

process.stdout.write(`\nbench/network: ostack serve, SQLite, ${total} ports\n\n`)
printTable(rows)
process.stdout.write(
  `\nRSS idle ${rssIdle.toFixed(0)} MB, with ${total} ports ${rssLoaded.toFixed(0)} MB\n`,
)
await cloud.stop()
