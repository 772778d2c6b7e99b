/**
 * Runs OpenStack's Tempest (Debian's, through the workplace harness run.sh) against a freshly
 * started all-in-one and gates on the pass rate of the tests that ran.
 * Usage: tsx test/tempest/run-tempest.ts identity [min-pass-percent]
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CloudProcess, startCloud } from '../support/cloud-process.js'

interface Area {
  regex: string
  services: string
  /** INI appended to the cloud's config. */
  cloudConfig?: string
  /** INI merged over the generated tempest.conf (TEMPEST_EXTRA_CONF), or made from the cloud. */
  tempestConfig?: string | ((cloud: CloudProcess) => Promise<string>)
  /** Tempest workers (default 2, the machine's cores). */
  concurrency?: number
  /** Makes what the tests need in the started cloud; returns extra env for run.sh. */
  prepare?: (cloud: CloudProcess) => Promise<Record<string, string>>
}

async function adminToken(cloud: CloudProcess): Promise<string> {
  const res = await fetch(`${cloud.authUrl}/auth/tokens`, {
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
  const token = res.headers.get('x-subject-token')
  if (!token) throw new Error(`cannot get an admin token: ${res.status}`)
  return token
}

/** A public raw image of a few KiB: the fake hypervisors boot anything. */
async function uploadImage(cloud: CloudProcess, token: string, name: string): Promise<string> {
  const created = await fetch(`${cloud.imageUrl}/v2/images`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    body: JSON.stringify({
      name,
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'public',
    }),
  })
  // SAFETY: Glance's image create answers the image.
  const { id } = (await created.json()) as { id: string }
  const put = await fetch(`${cloud.imageUrl}/v2/images/${id}/file`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'x-auth-token': token },
    body: Buffer.alloc(64 * 1024, 7),
  })
  if (put.status !== 204) throw new Error(`image upload failed: ${put.status}`)
  return id
}

async function call(
  url: string,
  token: string,
  method: string,
  body?: unknown,
): Promise<Record<string, any>> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`)
  // SAFETY: OpenStack APIs answer JSON objects.
  return (await res.json()) as Record<string, any>
}

/** The external network Tempest's floating IP and router tests use, as devstack makes it. */
async function publicNetwork(cloud: CloudProcess, token: string): Promise<string> {
  const { network } = await call(`${cloud.networkUrl}/v2.0/networks`, token, 'POST', {
    network: {
      name: 'public',
      'router:external': true,
      'provider:network_type': 'flat',
      'provider:physical_network': 'public',
    },
  })
  await call(`${cloud.networkUrl}/v2.0/subnets`, token, 'POST', {
    subnet: {
      network_id: network.id,
      name: 'public-subnet',
      ip_version: 4,
      cidr: '172.24.4.0/24',
      gateway_ip: '172.24.4.1',
      enable_dhcp: false,
    },
  })
  return String(network.id)
}

/**
 * What devstack makes for get-me-a-network: `public` as the default external network and
 * shared default subnet pools (10.0.0.0/22 in /26s, an IPv6 /56 in /64s).
 */
async function autoAllocationDefaults(
  cloud: CloudProcess,
  token: string,
  publicId: string,
): Promise<void> {
  await call(`${cloud.networkUrl}/v2.0/networks/${publicId}`, token, 'PUT', {
    network: { is_default: true },
  })
  for (const [name, prefix, size] of [
    ['shared-default-subnetpool-v4', '10.0.0.0/22', 26],
    ['shared-default-subnetpool-v6', 'fd2a:6c71:1f5e::/56', 64],
  ] as const)
    await call(`${cloud.networkUrl}/v2.0/subnetpools`, token, 'POST', {
      subnetpool: {
        name,
        prefixes: [prefix],
        default_prefixlen: size,
        shared: true,
        is_default: true,
      },
    })
}

/** Tempest's api_extensions: exactly what the server lists (devstack writes the same). */
async function networkExtensions(cloud: CloudProcess): Promise<string> {
  const token = await adminToken(cloud)
  const { extensions } = await call(`${cloud.networkUrl}/v2.0/extensions`, token, 'GET')
  const aliases = (extensions as { alias: string }[]).map((e) => e.alias).join(',')
  return `[network-feature-enabled]\napi_extensions = ${aliases}\n`
}

const AREAS: Record<string, Area> = {
  identity: {
    regex: '^tempest\\.api\\.identity\\.',
    services: 'identity',
    // Keystone ships [security_compliance] off; we support it, so its 4 tests run too, with
    // the values Keystone's own gate uses.
    cloudConfig:
      '[security_compliance]\nlockout_failure_attempts = 2\nlockout_duration = 5\nunique_last_password_count = 2\n',
    tempestConfig:
      '[identity-feature-enabled]\nsecurity_compliance = true\n[identity]\nuser_lockout_failure_attempts = 2\nuser_lockout_duration = 5\nuser_unique_last_password_count = 2\n',
  },
  image: {
    regex: '^tempest\\.api\\.image\\.',
    services: 'identity,image',
    // We reserve os_glance_* properties as Glance does, so Tempest may check it.
    tempestConfig: '[image-feature-enabled]\nos_glance_reserved = true\n',
  },
  network: {
    regex: '^tempest\\.api\\.network\\.',
    services: 'identity,network',
    // Tempest's subnet delete sleeps 10 s: more workers than cores keep the run short.
    concurrency: 4,
    tempestConfig: networkExtensions,
    prepare: async (cloud) => ({
      PUBLIC_NETWORK_ID: await publicNetwork(cloud, await adminToken(cloud)),
    }),
  },
  // nova-network's FlatDHCP mode, as devstack ran it: Tempest without Neutron, so the tests
  // of the Nova proxies and of nova-network's own APIs (fixed IPs, floating IP ranges) run.
  'compute-legacy': {
    regex:
      '^tempest\\.api\\.compute\\.(admin\\.test_fixed_ips|admin\\.test_floating_ips_bulk|admin\\.test_networks|test_networks|floating_ips\\.|security_groups\\.|servers\\.test_virtual_interfaces|servers\\.test_server_addresses|servers\\.test_attach_interfaces)',
    services: 'identity,compute,image',
    cloudConfig: '[network]\nmanager = flat_dhcp\n[fake]\nhosts = compute1,compute2\n',
    tempestConfig:
      '[compute]\nfixed_network_name = private\n[network]\nfloating_network_name = nova\n[network-feature-enabled]\nfloating_ips = true\n[validation]\nfloating_ip_range = 172.24.5.0/29\n',
    prepare: async (cloud) => {
      ostackCommand(cloud, ['network', 'legacy-create', '10.0.0.0/24', '--label', 'private'])
      ostackCommand(cloud, ['network', 'floating-create', '172.24.4.0/24'])
      const token = await adminToken(cloud)
      return {
        IMAGE_REF: await uploadImage(cloud, token, 'tempest-image'),
        IMAGE_REF_ALT: await uploadImage(cloud, token, 'tempest-image-alt'),
        FLAVOR_REF: '1',
        FLAVOR_REF_ALT: '2',
        COMPUTE_MAX_MICROVERSION: '2.35',
      }
    },
  },
  compute: {
    regex: '^tempest\\.api\\.compute\\.',
    // With the network service: servers get ports on the per-project networks Tempest makes.
    services: 'identity,compute,image,network',
    // Two fake hypervisors, so migrations and (anti-)affinity have somewhere to go.
    // devstack names its external network `public` and makes it Nova's default pool.
    cloudConfig: '[fake]\nhosts = compute1,compute2\n[compute]\ndefault_floating_pool = public\n',
    // Our scheduler runs these filters (Tempest's default list lacks Same/DifferentHost).
    tempestConfig: async (cloud) =>
      '[compute-feature-enabled]\nscheduler_enabled_filters = ComputeFilter,AvailabilityZoneFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter,ServerGroupAntiAffinityFilter,ServerGroupAffinityFilter,SameHostFilter,DifferentHostFilter,AggregateInstanceExtraSpecsFilter,AggregateMultiTenancyIsolation,JsonFilter\n' +
      (await networkExtensions(cloud)),
    prepare: async (cloud) => {
      const token = await adminToken(cloud)
      const publicId = await publicNetwork(cloud, token)
      await autoAllocationDefaults(cloud, token, publicId)
      return {
        PUBLIC_NETWORK_ID: publicId,
        IMAGE_REF: await uploadImage(cloud, token, 'tempest-image'),
        IMAGE_REF_ALT: await uploadImage(cloud, token, 'tempest-image-alt'),
        FLAVOR_REF: '1',
        FLAVOR_REF_ALT: '2',
        MIN_COMPUTE_NODES: '2',
        // The microversion tests run up to what we advertise.
        COMPUTE_MAX_MICROVERSION: process.env.COMPUTE_MAX_MICROVERSION ?? '2.79',
      }
    },
  },
}

/** Runs `ostack <args>` beside the running cloud, with its config (as nova-manage beside Nova). */
function ostackCommand(cloud: CloudProcess, args: string[]): void {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'ostack.js')
  const r = spawnSync(process.execPath, [bin, ...args, '--config', cloud.configFile], {
    encoding: 'utf8',
  })
  if (r.status !== 0) throw new Error(`ostack ${args.join(' ')} failed: ${r.stderr}`)
}

function harness(): string | undefined {
  const candidates = [
    process.env.OSTACK_TEMPEST_RUN,
    join(import.meta.dirname, '..', '..', '..', 'shared', 'tempest', 'run.sh'),
    '/work/shared/tempest/run.sh',
  ]
  return candidates.find((c): c is string => c !== undefined && existsSync(c))
}

const area = process.argv[2] ?? 'identity'
const minPercent = Number(process.argv[3] ?? '90')
const spec = AREAS[area]
const regex = process.env.TEMPEST_REGEX ?? spec?.regex
if (!spec) throw new Error(`unknown area ${area}`)
const runSh = harness()
if (!runSh) {
  process.stdout.write(
    'tempest: SKIPPED: the Tempest harness (shared/tempest/run.sh) is not on this machine; set OSTACK_TEMPEST_RUN\n',
  )
  process.exit(0)
}

const cloud = await startCloud(
  spec.cloudConfig === undefined ? {} : { extraConfig: spec.cloudConfig },
)
const scratch = mkdtempSync(join(tmpdir(), 'ostack-tempest-'))
const workspace = join(scratch, 'ws')
const extraConf = join(scratch, 'extra.conf')
try {
  const prepared = spec.prepare ? await spec.prepare(cloud) : {}
  const tempestConfig = spec.tempestConfig
  writeFileSync(
    extraConf,
    typeof tempestConfig === 'function' ? await tempestConfig(cloud) : (tempestConfig ?? ''),
  )
  const r = spawnSync(runSh, [regex ?? spec.regex], {
    stdio: 'inherit',
    env: {
      ...process.env,
      OS_AUTH_URL: cloud.authUrl,
      OS_PASSWORD: 'secret',
      ENABLED_SERVICES: spec.services,
      TEMPEST_WORKSPACE: workspace,
      TEMPEST_EXTRA_CONF: extraConf,
      TEMPEST_CONCURRENCY: process.env.TEMPEST_CONCURRENCY ?? String(spec.concurrency ?? 2),
      ...prepared,
    },
  })
  if (r.status === 2 || !existsSync(join(workspace, 'summary.txt')))
    throw new Error('tempest could not run (setup error)')
  const last = readFileSync(join(workspace, 'summary.txt'), 'utf8').trim().split('\n').pop() ?? ''
  const m = /(\d+) passed, (\d+) failed, (\d+) skipped/.exec(last)
  if (!m) throw new Error(`cannot read the tempest summary: ${last}`)
  const [passed, failed, skipped] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const rate = passed + failed === 0 ? 0 : (100 * passed) / (passed + failed)
  process.stdout.write(
    `tempest ${area}: ${passed} passed, ${failed} failed, ${skipped} skipped: ${rate.toFixed(1)}% of non-skipped pass (gate ${minPercent}%)\n`,
  )
  process.exitCode = rate >= minPercent ? 0 : 1
} finally {
  await cloud.stop()
}
