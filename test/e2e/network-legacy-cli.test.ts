/**
 * nova-network's FlatDHCP mode from the operator's and the user's side: `ostack network
 * legacy-create` and `floating-create` (as nova-manage) beside a running `ostack serve`, then the
 * real `openstack` CLI sees a flat provider network on br100, boots a server that gets .2, and
 * gives it a floating IP from the legacy pool.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type CloudProcess, startCloud } from '../support/cloud-process.js'
import { openstack } from '../support/openstack-cli.js'

const run = promisify(execFile)
const bin = join(import.meta.dirname, '..', '..', 'bin', 'ostack.js')

describe('e2e: nova-network flat_dhcp through ostack and the openstack CLI', () => {
  let cloud: CloudProcess
  let env: Record<string, string>
  const os = (...args: string[]) => openstack(args, env)
  const ostack = async (...args: string[]) =>
    (await run(process.execPath, [bin, ...args, '--config', cloud.configFile])).stdout

  before(async () => {
    cloud = await startCloud({ extraConfig: 'manager = flat_dhcp\n' })
    env = cloud.clientEnv
  })
  after(async () => {
    await cloud.stop()
  })

  it('makes the network as nova-manage does and boots the first instance on .2', async () => {
    const made = await ostack('network', 'legacy-create', '10.0.0.0/24', '--label', 'private')
    assert.match(
      made,
      /private 10\.0\.0\.0\/24 gateway 10\.0\.0\.1 dhcp_start 10\.0\.0\.2 bridge br100/,
    )
    await assert.rejects(
      ostack('network', 'legacy-create', '10.0.0.0/25', '--label', 'clash'),
      /conflicts with existing cidr/,
    )
    const listed = await ostack('network', 'legacy-list')
    assert.match(listed, /10\.0\.0\.0\/24\tNone\t10\.0\.0\.2\t8\.8\.4\.4/)

    const net = await os('network', 'show', 'private', '-f', 'json')
    assert.equal(net['provider:network_type'], 'flat')
    assert.equal(net['provider:physical_network'], 'br100')
    assert.equal(net.shared, true)

    const dir = mkdtempSync(join(tmpdir(), 'ostack-legacy-'))
    const file = join(dir, 'disk.raw')
    writeFileSync(file, Buffer.alloc(64 * 1024, 1))
    const image = await os(
      'image',
      'create',
      '--file',
      file,
      '--disk-format',
      'raw',
      '--container-format',
      'bare',
      '--public',
      'cirros',
      '-f',
      'json',
    )
    const server = await os(
      'server',
      'create',
      '--image',
      image.id,
      '--flavor',
      'm1.tiny',
      '--network',
      'private',
      '--wait',
      'vm1',
      '-f',
      'json',
    )
    assert.equal(server.status, 'ACTIVE')
    assert.deepEqual(server.addresses, { private: ['10.0.0.2'] })

    await ostack('network', 'floating-create', '172.24.4.0/29')
    const fip = await os('floating', 'ip', 'create', 'nova', '-f', 'json')
    assert.equal(fip.floating_ip_address, '172.24.4.1')
    await os('server', 'add', 'floating', 'ip', 'vm1', '172.24.4.1')
    const shown = await os('server', 'show', 'vm1', '-f', 'json')
    assert.deepEqual(shown.addresses, { private: ['10.0.0.2', '172.24.4.1'] })
    const floating = await ostack('network', 'floating-list')
    assert.match(floating, new RegExp(`172\\.24\\.4\\.1\\t${String(server.id)}\\tnova\\teth0`))

    await os('server', 'delete', '--wait', 'vm1')
    await os('floating', 'ip', 'delete', '172.24.4.1')
    await ostack('network', 'floating-delete', '172.24.4.0/29')
    await ostack('network', 'legacy-delete', String(net.id))
    assert.equal((await os('network', 'list', '-f', 'json')).length, 0)
  })
})
