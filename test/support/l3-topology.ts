/**
 * @module The typical tenant setup of OPENSTACK-NOTES for router and floating IP tests: a
 * member's private network 192.168.0.0/24 (gateway .1, DNS 8.8.8.8) and the admin's external
 * network `public` 172.24.1.0/24 (gateway .1, pool .100-.200, no DHCP).
 */
import assert from 'node:assert/strict'
import type { NetworkHarness } from './network-harness.js'

export interface Topology {
  member: { userId: string; projectId: string; token: string }
  privateNet: string
  privateSubnet: string
  publicNet: string
  publicSubnet: string
}

type Body = Record<string, unknown>

/** POSTs and returns the created member, failing the test with the body otherwise. */
export async function made(
  h: NetworkHarness,
  path: string,
  body: Body,
  token?: string,
): Promise<Body> {
  const res = await h.request('POST', path, { body, ...(token !== undefined ? { token } : {}) })
  assert.equal(res.status, 201, `${path}: ${res.text}`)
  return Object.values(res.body as Record<string, Body>)[0] as Body
}

export async function privateNetwork(
  h: NetworkHarness,
  token: string,
  name: string,
  cidr: string,
  gateway: string,
): Promise<{ network: string; subnet: string }> {
  const net = await made(h, '/v2.0/networks', { network: { name } }, token)
  const subnet = await made(
    h,
    '/v2.0/subnets',
    {
      subnet: {
        network_id: net.id,
        name: `${name}-subnet`,
        cidr,
        ip_version: 4,
        gateway_ip: gateway,
        dns_nameservers: ['8.8.8.8'],
      },
    },
    token,
  )
  return { network: String(net.id), subnet: String(subnet.id) }
}

export async function tenantTopology(h: NetworkHarness, memberName: string): Promise<Topology> {
  const member = await h.member(memberName)
  const priv = await privateNetwork(h, member.token, 'private', '192.168.0.0/24', '192.168.0.1')
  const pub = await made(h, '/v2.0/networks', {
    network: { name: 'public', 'router:external': true },
  })
  const pubSubnet = await made(h, '/v2.0/subnets', {
    subnet: {
      network_id: pub.id,
      name: 'public-subnet',
      cidr: '172.24.1.0/24',
      ip_version: 4,
      gateway_ip: '172.24.1.1',
      allocation_pools: [{ start: '172.24.1.100', end: '172.24.1.200' }],
      enable_dhcp: false,
    },
  })
  return {
    member,
    privateNet: priv.network,
    privateSubnet: priv.subnet,
    publicNet: String(pub.id),
    publicSubnet: String(pubSubnet.id),
  }
}

/** Rows of the tables that must not leak when a request is refused. */
export async function portAndIpCounts(h: NetworkHarness): Promise<{ ports: number; ips: number }> {
  const count = async (table: 'port' | 'ip_allocation') => {
    const row = await h.service.deps.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }
  return { ports: await count('port'), ips: await count('ip_allocation') }
}
