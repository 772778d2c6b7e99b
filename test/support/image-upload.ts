/** @module Streams bytes to a Glance-compatible image API from Node (what uploads do in e2e tests and benchmarks). */
import { createReadStream, readFileSync } from 'node:fs'
import http from 'node:http'
import type { Readable } from 'node:stream'

export interface UploadResult {
  status: number
  body: string
}

/** PUT /v2/images/{id}/file with a chunked body read from `source`. */
export function uploadImageData(
  baseUrl: string,
  token: string,
  imageId: string,
  source: Readable | string,
): Promise<UploadResult> {
  const stream =
    typeof source === 'string' ? createReadStream(source, { highWaterMark: 1024 * 1024 }) : source
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${baseUrl}/v2/images/${imageId}/file`,
      {
        method: 'PUT',
        headers: { 'x-auth-token': token, 'content-type': 'application/octet-stream' },
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (d: string) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    stream.pipe(req)
  })
}

/** Process RSS in MiB, from /proc (read synchronously, so sampling never waits behind I/O). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : 0
}
