// Real images from qemu-img (Debian's qemu-utils) and genisoimage, fed in random chunks.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatMismatch, type InspectionResult } from './inspector.js'
import { feedInChunks } from './test-images.js'

const MiB = 1024 * 1024
const hasQemuImg = spawnSync('qemu-img', ['--version']).status === 0
const hasGenisoimage = spawnSync('genisoimage', ['-version']).status === 0
const SEEDS = [1, 7, 4242]

interface RealImage {
  name: string
  /** qemu-img create/convert arguments after the output format; `$` is the image path. */
  make: (path: string, dir: string) => void
  /** Format for `qemu-img info -f`. */
  qemuFormat: string
  detected: InspectionResult['detected']
  unsafe?: RegExp
}

function qemuImg(...args: string[]): void {
  execFileSync('qemu-img', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

function randomFile(path: string, bytes: number): void {
  const data = Buffer.alloc(bytes)
  for (let i = 0; i + 4 <= bytes; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i)
  writeFileSync(path, data)
}

const realImages: RealImage[] = [
  {
    name: 'qcow2 version 2',
    make: (p) => qemuImg('create', '-f', 'qcow2', '-o', 'compat=0.10', p, '1G'),
    qemuFormat: 'qcow2',
    detected: 'qcow2',
  },
  {
    name: 'qcow2 version 3 holding 6 MiB of data',
    make: (p, dir) => {
      randomFile(join(dir, 'data6.raw'), 6 * MiB)
      qemuImg('convert', '-f', 'raw', '-O', 'qcow2', '-o', 'compat=1.1', join(dir, 'data6.raw'), p)
    },
    qemuFormat: 'qcow2',
    detected: 'qcow2',
  },
  {
    name: 'qcow2 with extended L2 entries',
    make: (p) => qemuImg('create', '-f', 'qcow2', '-o', 'extended_l2=on', p, '64M'),
    qemuFormat: 'qcow2',
    detected: 'qcow2',
  },
  {
    name: 'qcow2 with a backing file',
    make: (p, dir) => {
      qemuImg('create', '-f', 'raw', join(dir, 'base.raw'), '1M')
      qemuImg('create', '-f', 'qcow2', '-b', join(dir, 'base.raw'), '-F', 'raw', p)
    },
    qemuFormat: 'qcow2',
    detected: 'qcow2',
    unsafe: /has a backing file/,
  },
  {
    name: 'qcow2 with an external data file',
    make: (p, dir) =>
      qemuImg('create', '-f', 'qcow2', '-o', `data_file=${join(dir, 'ext.data')}`, p, '64M'),
    qemuFormat: 'qcow2',
    detected: 'qcow2',
    unsafe: /external data file/,
  },
  {
    name: 'vmdk monolithicSparse',
    make: (p) => qemuImg('create', '-f', 'vmdk', '-o', 'subformat=monolithicSparse', p, '100M'),
    qemuFormat: 'vmdk',
    detected: 'vmdk',
  },
  {
    name: 'vmdk streamOptimized holding 6 MiB of data',
    make: (p, dir) => {
      randomFile(join(dir, 'data6b.raw'), 6 * MiB)
      qemuImg(
        'convert',
        '-O',
        'vmdk',
        '-o',
        'subformat=streamOptimized',
        join(dir, 'data6b.raw'),
        p,
      )
    },
    qemuFormat: 'vmdk',
    detected: 'vmdk',
  },
  {
    name: 'vmdk monolithicFlat descriptor',
    make: (p) => qemuImg('create', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', p, '10M'),
    qemuFormat: 'vmdk',
    detected: 'vmdk',
    unsafe: /descriptor file/,
  },
  {
    name: 'vhd dynamic',
    make: (p) => qemuImg('create', '-f', 'vpc', '-o', 'subformat=dynamic', p, '100M'),
    qemuFormat: 'vpc',
    detected: 'vhd',
  },
  {
    name: 'vhd fixed (footer past the first 4 MiB)',
    make: (p) => qemuImg('create', '-f', 'vpc', '-o', 'subformat=fixed', p, '9M'),
    qemuFormat: 'vpc',
    detected: 'vhd',
  },
  {
    name: 'vhd with force_size (size from current_size)',
    make: (p) => qemuImg('create', '-f', 'vpc', '-o', 'subformat=fixed,force_size=on', p, '5M'),
    qemuFormat: 'vpc',
    detected: 'vhd',
  },
  {
    name: 'vhdx',
    make: (p) => qemuImg('create', '-f', 'vhdx', p, '100M'),
    qemuFormat: 'vhdx',
    detected: 'vhdx',
  },
  {
    name: 'vdi',
    make: (p) => qemuImg('create', '-f', 'vdi', p, '100M'),
    qemuFormat: 'vdi',
    detected: 'vdi',
  },
  {
    name: 'qed',
    make: (p) => qemuImg('create', '-f', 'qed', p, '100M'),
    qemuFormat: 'qed',
    detected: 'qed',
    unsafe: /QED images are not supported/,
  },
  {
    // qemu-img rounds a raw size up to whole sectors, so this one is a multiple of 512.
    name: 'raw with data',
    make: (p) => randomFile(p, 5 * MiB + 1536),
    qemuFormat: 'raw',
    detected: 'raw',
  },
]

describe(
  'inspecting images made by qemu-img',
  { skip: hasQemuImg ? false : 'qemu-img is not installed (Debian package qemu-utils)' },
  () => {
    let dir = ''
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'ostack-formats-'))
    })
    after(() => rmSync(dir, { recursive: true, force: true }))

    for (const image of realImages) {
      it(`${image.name}: format, virtual size as qemu-img reports, safety`, () => {
        const path = join(dir, image.name.replace(/\W+/g, '-'))
        image.make(path, dir)
        const info = JSON.parse(
          execFileSync('qemu-img', ['info', '-f', image.qemuFormat, '--output', 'json', path], {
            encoding: 'utf8',
          }),
        )
        const data = readFileSync(path)
        for (const seed of SEEDS) {
          const result = feedInChunks(data, seed)
          assert.equal(result.detected, image.detected, `seed ${seed}`)
          assert.equal(result.virtualSize, info['virtual-size'], `seed ${seed}`)
          if (image.unsafe) assert.match(result.unsafe.join(' '), image.unsafe)
          else assert.deepEqual(result.unsafe, [], `seed ${seed}`)
        }
      })
    }

    it('a fixed vhd declared raw is refused (the footer is found in the tail)', () => {
      const path = join(dir, 'refused.vhd')
      qemuImg('create', '-f', 'vpc', '-o', 'subformat=fixed', path, '6M')
      const result = feedInChunks(readFileSync(path), 9)
      assert.equal(
        formatMismatch('raw', result),
        'Image data is vhd, not raw as its disk_format says.',
      )
      assert.equal(formatMismatch('vhd', result), undefined)
    })
  },
)

describe(
  'inspecting ISO images made by genisoimage',
  { skip: hasGenisoimage ? false : 'genisoimage is not installed (Debian package genisoimage)' },
  () => {
    it('reads the volume size from the primary volume descriptor', () => {
      const dir = mkdtempSync(join(tmpdir(), 'ostack-iso-'))
      try {
        writeFileSync(join(dir, 'hello.txt'), 'hello\n')
        const path = join(dir, 'out.iso')
        execFileSync('genisoimage', ['-quiet', '-o', path, join(dir, 'hello.txt')])
        const data = readFileSync(path)
        assert.deepEqual(feedInChunks(data, 2), {
          detected: 'iso',
          virtualSize: data.length,
          unsafe: [],
        })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  },
)
