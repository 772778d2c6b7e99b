/**
 * bench/image: upload and download throughput of a 1 GiB image through the image API (streamed,
 * md5 + sha512 + format inspection on the way in), next to `dd` writing and reading the same
 * amount on the same disk. Prints figures; never asserts.
 * Usage: npx tsx bench/image.ts [--mib 1024]
 */
import { execFileSync } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { startCloud } from '../test/support/cloud-process.js'
import { rssMiB, uploadImageData } from '../test/support/image-upload.js'

const mibArg = process.argv.indexOf('--mib')
const mib = mibArg > 0 ? Number(process.argv[mibArg + 1]) : 1024

function dd(args: string[]): { seconds: number } {
  const t = performance.now()
  execFileSync('dd', args, { stdio: 'ignore' })
  return { seconds: (performance.now() - t) / 1000 }
}

const cloud = await startCloud()
const scratch = mkdtempSync(join(tmpdir(), 'ostack-bench-image-'))
try {
  const source = join(scratch, 'source.raw')
  // Random data, so the hashes and the disk do real work.
  execFileSync('dd', ['if=/dev/urandom', `of=${source}`, 'bs=1M', `count=${mib}`, 'status=none'])
  const ddWrite = dd([
    `if=${source}`,
    `of=${join(scratch, 'dd-copy.raw')}`,
    'bs=1M',
    'conv=fdatasync',
    'status=none',
  ])
  const ddRead = dd([`if=${join(scratch, 'dd-copy.raw')}`, 'of=/dev/null', 'bs=1M', 'status=none'])
  rmSync(join(scratch, 'dd-copy.raw'))

  const auth = await fetch(`${cloud.authUrl}/auth/tokens`, {
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
  const token = auth.headers.get('x-subject-token') ?? ''
  const created = await fetch(`${cloud.imageUrl}/v2/images`, {
    method: 'POST',
    headers: { 'x-auth-token': token, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', disk_format: 'raw', container_format: 'bare' }),
  })
  const { id } = (await created.json()) as { id: string }

  const pid = cloud.child.pid ?? 0
  let peak = rssMiB(pid)
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50)
  let t = performance.now()
  const up = await uploadImageData(cloud.imageUrl, token, id, source)
  const uploadS = (performance.now() - t) / 1000
  clearInterval(sampler)
  if (up.status !== 204) throw new Error(`upload: ${up.status} ${up.body}`)

  t = performance.now()
  await new Promise<void>((resolve, reject) => {
    http.get(
      `${cloud.imageUrl}/v2/images/${id}/file`,
      { headers: { 'x-auth-token': token } },
      (res) => {
        pipeline(res, createWriteStream('/dev/null')).then(resolve, reject)
      },
    )
  })
  const downloadS = (performance.now() - t) / 1000

  const rate = (s: number) => `${(mib / s).toFixed(0)} MB/s`.padEnd(12)
  process.stdout.write(
    `\nbench/image: ${mib} MiB of random data, all-in-one on this machine's disk (${scratch})\n\n`,
  )
  process.stdout.write(`${'operation'.padEnd(48)}throughput  time\n`)
  process.stdout.write(
    `${'dd write (bs=1M, conv=fdatasync)'.padEnd(48)}${rate(ddWrite.seconds)}${ddWrite.seconds.toFixed(2)} s\n`,
  )
  process.stdout.write(
    `${'image upload (PUT /file: md5+sha512+inspect)'.padEnd(48)}${rate(uploadS)}${uploadS.toFixed(2)} s\n`,
  )
  process.stdout.write(
    `${'dd read (bs=1M, page cache warm)'.padEnd(48)}${rate(ddRead.seconds)}${ddRead.seconds.toFixed(2)} s\n`,
  )
  process.stdout.write(
    `${'image download (GET /file)'.padEnd(48)}${rate(downloadS)}${downloadS.toFixed(2)} s\n`,
  )
  process.stdout.write(`\nserver peak RSS during the upload: ${peak.toFixed(0)} MB\n`)
} finally {
  await cloud.stop()
  rmSync(scratch, { recursive: true, force: true })
}
