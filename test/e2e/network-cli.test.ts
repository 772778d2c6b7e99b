/**
 * The real `openstack` CLI against the network service of `ostack serve`: the tenant setup of
 * OPENSTACK-NOTES (private network and subnet, a router onto the external `public` network,
 * a floating IP), a server on the private network with the floating IP, security group
 * rules, ports by server and the network quotas.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CloudProcess, startCloud } from '../support/cloud-process.js'
import { openstack } from '../support/openstack-cli.js'

describe('e2e: openstack CLI against the network service', () => {
  let cloud: CloudProcess
  let env: Record<string, string>
  const os = (...args: string[]) => openstack(args, env)

  before(async () => {
    cloud = await startCloud()
    env = cloud.clientEnv
  })
  after(async () => {
    await cloud.stop()
  })

  it('builds the tenant network, router and external gateway', async () => {
    const net = await os(
      'network',
      'create',
      '--provider-network-type',
      'vxlan',
      '--provider-segment',
      '1',
      'private',
      '-f',
      'json',
    )
    assert.equal(net['provider:network_type'], 'vxlan')
    assert.equal(net['provider:segmentation_id'], 1)
    assert.equal(net.mtu, 1450)
    const subnet = await os(
      'subnet',
      'create',
      '--network',
      'private',
      '--subnet-range',
      '192.168.0.0/24',
      '--gateway',
      '192.168.0.1',
      '--dns-nameserver',
      '8.8.8.8',
      'private-subnet',
      '-f',
      'json',
    )
    assert.equal(subnet.cidr, '192.168.0.0/24')
    assert.deepEqual(subnet.allocation_pools, [{ start: '192.168.0.2', end: '192.168.0.254' }])
    assert.deepEqual(subnet.dns_nameservers, ['8.8.8.8'])
    const router = await os('router', 'create', 'router1', '-f', 'json')
    assert.equal(router.status, 'ACTIVE')
    await os('router', 'add', 'subnet', 'router1', 'private-subnet')
    const pub = await os('network', 'create', 'public', '--external', '-f', 'json')
    assert.equal(pub['router:external'], true)
    const pubSubnet = await os(
      'subnet',
      'create',
      '--network',
      'public',
      '--subnet-range',
      '172.24.1.0/24',
      '--allocation-pool',
      'start=172.24.1.100,end=172.24.1.200',
      '--no-dhcp',
      '--gateway',
      '172.24.1.1',
      'public-subnet',
      '-f',
      'json',
    )
    assert.equal(pubSubnet.enable_dhcp, false)
    await os('router', 'set', '--external-gateway', 'public', 'router1')
    const shown = await os('router', 'show', 'router1', '-f', 'json')
    const gw = shown.external_gateway_info
    assert.equal(gw.network_id, pub.id)
    assert.equal(gw.enable_snat, true)
    assert.match(gw.external_fixed_ips[0].ip_address, /^172\.24\.1\.(1\d\d|200)$/)
    const ports = await os('port', 'list', '--router', 'router1', '-f', 'json')
    assert.equal(ports.length, 2)
  })

  it('allocates a floating IP and adds it to a server on the private network', async () => {
    const fip = await os('floating', 'ip', 'create', 'public', '-f', 'json')
    assert.match(fip.floating_ip_address, /^172\.24\.1\.(1\d\d|200)$/)
    assert.equal(fip.status, 'DOWN')
    const dir = mkdtempSync(join(tmpdir(), 'ostack-network-e2e-'))
    const file = join(dir, 'disk.raw')
    writeFileSync(file, Buffer.alloc(64 * 1024, 1))
    await os(
      'image',
      'create',
      '--file',
      file,
      '--disk-format',
      'raw',
      '--container-format',
      'bare',
      'cirros',
    )
    const server = await os(
      'server',
      'create',
      '--flavor',
      'm1.tiny',
      '--image',
      'cirros',
      '--network',
      'private',
      '--wait',
      'vm1',
      '-f',
      'json',
    )
    assert.equal(server.status, 'ACTIVE')
    assert.match(JSON.stringify(server.addresses), /192\.168\.0\.\d+/)
    await os('server', 'add', 'floating', 'ip', 'vm1', fip.floating_ip_address)
    const after = await os('floating', 'ip', 'show', fip.id, '-f', 'json')
    assert.equal(after.status, 'ACTIVE')
    assert.match(after.fixed_ip_address, /^192\.168\.0\.\d+$/)
    const shown = await os('server', 'show', 'vm1', '-f', 'json')
    assert.ok(JSON.stringify(shown.addresses).includes(fip.floating_ip_address))
    const ports = await os('port', 'list', '--server', 'vm1', '-f', 'json')
    assert.equal(ports.length, 1)
    assert.match(ports[0]['MAC Address'], /^fa:16:3e(:[0-9a-f]{2}){3}$/)
  })

  it('adds ssh and icmp rules to the default security group', async () => {
    const tcp = await os(
      'security',
      'group',
      'rule',
      'create',
      '--protocol',
      'tcp',
      '--dst-port',
      '22',
      'default',
      '-f',
      'json',
    )
    assert.equal(tcp.port_range_min, 22)
    assert.equal(tcp.port_range_max, 22)
    assert.equal(tcp.remote_ip_prefix, '0.0.0.0/0')
    const icmp = await os(
      'security',
      'group',
      'rule',
      'create',
      '--protocol',
      'icmp',
      'default',
      '-f',
      'json',
    )
    assert.equal(icmp.protocol, 'icmp')
    const rules = await os('security', 'group', 'rule', 'list', 'default', '-f', 'json')
    assert.equal(rules.length, 6)
  })

  it('shows the network quotas', async () => {
    const quota = await os('quota', 'show', '-f', 'json')
    assert.equal(quota.networks, 10)
    assert.equal(quota.ports, 50)
    assert.equal(quota['floating-ips'], 50)
    assert.equal(quota['secgroup-rules'], 100)
  })
})
