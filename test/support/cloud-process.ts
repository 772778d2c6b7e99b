/**
 * @module Starts `ostack serve` as a child process on free ports with its own data dir, waits for
 * its "ready" line, and stops it with SIGTERM: what e2e suites, Tempest runs and benchmarks use.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface CloudProcess {
  dataDir: string
  /** The config file it runs with (for `ostack` commands beside it). */
  configFile: string
  authUrl: string
  /** The image API's base URL. */
  imageUrl: string
  /** The compute API's versioned URL (as in the catalog). */
  computeUrl: string
  /** The network API's base URL. */
  networkUrl: string
  cloudsYaml: string
  /** Environment for the `openstack` CLI and openstacksdk. */
  clientEnv: Record<string, string>
  /** Milliseconds from spawn to the ready line. */
  startMs: number
  child: ChildProcess
  stop(): Promise<number | null>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

export interface StartOptions {
  /** Extra INI text appended to the generated config. */
  extraConfig?: string
  identityPort?: number
  keepDataDir?: boolean
}

/**
 * A cloud that is already running (OSTACK_E2E_AUTH_URL, admin/secret in project admin): used to
 * run the same e2e suite against real OpenStack and check the suite's expectations.
 */
function externalCloud(authUrl: string): CloudProcess {
  const dataDir = mkdtempSync(join(tmpdir(), 'ostack-external-'))
  const cloudsYaml = join(dataDir, 'clouds.yaml')
  writeFileSync(
    cloudsYaml,
    `clouds:\n  ostack:\n    auth:\n      auth_url: '${authUrl}'\n      username: admin\n      password: ${process.env.OSTACK_E2E_PASSWORD ?? 'secret'}\n      project_name: admin\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n    identity_api_version: 3\n`,
  )
  return {
    dataDir,
    configFile: '',
    authUrl,
    imageUrl: process.env.OSTACK_E2E_IMAGE_URL ?? '',
    computeUrl: process.env.OSTACK_E2E_COMPUTE_URL ?? '',
    networkUrl: process.env.OSTACK_E2E_NETWORK_URL ?? '',
    cloudsYaml,
    startMs: 0,
    child: spawn('true'),
    clientEnv: { OS_CLIENT_CONFIG_FILE: cloudsYaml, OS_CLOUD: 'ostack' },
    stop: () => Promise.resolve(0),
  }
}

/** Distinct free ports: all held open at once, so none is handed out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const srv = createServer()
          srv.once('error', reject)
          srv.listen(0, '127.0.0.1', () => resolve(srv))
        }),
    ),
  )
  const ports = servers.map((srv) => {
    const addr = srv.address()
    return typeof addr === 'object' && addr ? addr.port : 0
  })
  await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))))
  return ports
}

export async function startCloud(options: StartOptions = {}): Promise<CloudProcess> {
  const external = process.env.OSTACK_E2E_AUTH_URL
  if (external !== undefined && external !== '') return externalCloud(external)
  // A free port may be taken by another process before ours binds it: try again with others.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCloudOnce(options)
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('EADDRINUSE')) throw err
    }
  }
}

async function startCloudOnce(options: StartOptions): Promise<CloudProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ostack-cloud-'))
  const [identityPort = 0, imagePort = 0, computePort = 0, networkPort = 0] = await freePorts(4)
  const port = options.identityPort ?? identityPort
  const configFile = join(dataDir, 'ostack.conf')
  writeFileSync(
    configFile,
    `[DEFAULT]\ndata_dir = ${dataDir}/data\nlog_file = ${dataDir}/ostack.log\n\n[identity]\nport = ${port}\n\n[image]\nport = ${imagePort}\n\n[compute]\nport = ${computePort}\n\n[network]\nport = ${networkPort}\n${options.extraConfig ?? ''}\n`,
  )
  const root = join(import.meta.dirname, '..', '..')
  const started = performance.now()
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'ostack.js'), 'serve', '--config', configFile],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`ostack serve did not get ready in 60 s:\n${output}`)),
      60_000,
    )
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString()
      if (/^ready/m.test(output)) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      // A start that failed leaves nothing behind (after `ready`, stop() decides).
      if (!/^ready/m.test(output)) rmSync(dataDir, { recursive: true, force: true })
      reject(new Error(`ostack serve exited with ${code}:\n${output}`))
    })
  })
  const startMs = performance.now() - started
  const authUrl = `http://127.0.0.1:${port}/v3`
  const cloudsYaml = join(dataDir, 'data', 'clouds.yaml')
  return {
    dataDir,
    configFile,
    authUrl,
    imageUrl: `http://127.0.0.1:${imagePort}`,
    computeUrl: `http://127.0.0.1:${computePort}/v2.1`,
    networkUrl: `http://127.0.0.1:${networkPort}`,
    cloudsYaml,
    startMs,
    child,
    clientEnv: { OS_CLIENT_CONFIG_FILE: cloudsYaml, OS_CLOUD: 'ostack' },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve(child.exitCode)
          return
        }
        child.once('exit', (code) => {
          if (options.keepDataDir !== true) rmSync(dataDir, { recursive: true, force: true })
          resolve(code)
        })
        child.kill('SIGTERM')
      }),
  }
}
