import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type LegacyDefaults, LegacyPlanError, planLegacyNetworks } from './plan.js'

const defaults = (over: Partial<LegacyDefaults> = {}): LegacyDefaults => ({
  manager: 'flat_dhcp',
  numNetworks: 1,
  networkSize: 256,
  flatNetworkBridge: 'br100',
  flatInterface: 'eth1',
  flatNetworkDns: '8.8.4.4',
  vlanStart: 100,
  vlanInterface: 'eth1',
  vpnStart: 1000,
  cntVpnClients: 0,
  multiHost: false,
  shareDhcpAddress: false,
  ...over,
})
const none = { cidrs: [], vlans: [] }

describe('legacy network plans (nova-manage network create)', () => {
  it('reserves network, gateway and broadcast in flat modes: instances start at .2', () => {
    const [net] = planLegacyNetworks({ label: 'private', cidr: '10.0.0.0/24' }, defaults(), none)
    assert.equal(net?.gateway, '10.0.0.1')
    assert.equal(net.dhcpServer, '10.0.0.1')
    assert.equal(net.dhcpStart, '10.0.0.2')
    assert.equal(net.broadcast, '10.0.0.255')
    assert.equal(net.netmask, '255.255.255.0')
    assert.deepEqual(net.pools, [['10.0.0.2', '10.0.0.254']])
    assert.equal(net.bridge, 'br100')
    assert.equal(net.enableDhcp, true)
    assert.equal(net.dns1, '8.8.4.4')
    const [flat] = planLegacyNetworks(
      { label: 'p', cidr: '10.0.0.0/24' },
      defaults({ manager: 'flat' }),
      none,
    )
    assert.equal(flat?.enableDhcp, false, 'flat injects addresses instead of serving DHCP')
  })

  it('shrinks an oversized range to network_size and carves several networks', () => {
    const one = planLegacyNetworks({ label: 'big', cidr: '10.0.0.0/16' }, defaults(), none)
    assert.deepEqual(
      one.map((n) => n.cidr),
      ['10.0.0.0/24'],
    )
    const three = planLegacyNetworks(
      { label: 'n', cidr: '10.1.0.0/16', numNetworks: 3, networkSize: 64 },
      defaults(),
      { cidrs: ['10.1.0.64/26'], vlans: [] },
    )
    assert.deepEqual(
      three.map((n) => [n.label, n.cidr]),
      [
        ['n_0', '10.1.0.0/26'],
        ['n_1', '10.1.0.128/26'],
        ['n_2', '10.1.0.192/26'],
      ],
    )
  })

  it('gives each vlan network its VLAN, bridge, VPN address and port', () => {
    const nets = planLegacyNetworks(
      { label: 'vl', cidr: '10.2.0.0/16', numNetworks: 2 },
      defaults({ manager: 'vlan', cntVpnClients: 2 }),
      { cidrs: ['192.168.0.0/24'], vlans: [101] },
    )
    assert.deepEqual(
      nets.map((n) => [n.cidr, n.vlan, n.bridge, n.bridgeInterface, n.vpnPublicPort]),
      [
        ['10.2.0.0/24', 102, 'br102', 'eth1', 1001],
        ['10.2.1.0/24', 103, 'br103', 'eth1', 1002],
      ],
    )
    assert.equal(nets[0]?.vpnPrivateAddress, '10.2.0.2')
    assert.equal(nets[0].dhcpStart, '10.2.0.3')
    assert.deepEqual(nets[0].pools, [['10.2.0.3', '10.2.0.252']])
  })

  it('refuses what nova-network refused, with its words', () => {
    const refused = (fn: () => unknown, re: RegExp) =>
      assert.throws(fn, (e: unknown) => e instanceof LegacyPlanError && re.test(e.message))
    refused(
      () => planLegacyNetworks({ label: 'x', cidr: 'nope' }, defaults(), none),
      /is not a valid IP network/,
    )
    refused(
      () =>
        planLegacyNetworks({ label: 'x', cidr: '10.0.0.0/24' }, defaults(), {
          cidrs: ['10.0.0.0/16'],
          vlans: [],
        }),
      /conflicts with existing cidr \(10\.0\.0\.0\/16\)/,
    )
    refused(
      () =>
        planLegacyNetworks(
          { label: 'x', cidr: '10.0.0.0/24', numNetworks: 4 },
          defaults({ manager: 'vlan' }),
          none,
        ),
      /not big enough to fit 4 networks/,
    )
    refused(
      () =>
        planLegacyNetworks(
          { label: 'x', cidr: '10.0.0.0/16', vlan: 5000 },
          defaults({ manager: 'vlan' }),
          none,
        ),
      /cannot be greater than 4094/,
    )
    refused(
      () =>
        planLegacyNetworks(
          { label: 'x', cidr: '10.0.0.0/16', numNetworks: 10, vlanStart: 4090 },
          defaults({ manager: 'vlan' }),
          none,
        ),
      /vlan start cannot be greater than 4094/,
    )
  })
})
