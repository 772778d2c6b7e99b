// What the test phases need from the machine: Debian packages (installed with apt when we are
// root) and the PostgreSQL and MariaDB servers (started when installed but stopped).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import net from 'node:net'

function sh(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', ...opts })
}

export function isInstalled(pkg) {
  const r = sh('dpkg-query', ['-W', '-f=${Status}', pkg])
  return r.status === 0 && r.stdout.includes('install ok installed')
}

let aptUpdated = false
/** Installs the missing packages; returns those still missing. */
export function ensureDebianPackages(pkgs) {
  const missing = pkgs.filter((p) => !isInstalled(p))
  if (missing.length === 0) return []
  if (process.getuid?.() !== 0) return missing
  process.stdout.write(`\n== apt-get install ${missing.join(' ')}\n`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  if (!aptUpdated) {
    sh('flock', ['/tmp/apt.lock', 'apt-get', 'update', '-qq'], { stdio: 'inherit', env })
    aptUpdated = true
  }
  sh(
    'flock',
    ['/tmp/apt.lock', 'apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing],
    { stdio: 'inherit', env },
  )
  return missing.filter((p) => !isInstalled(p))
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port })
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
    s.setTimeout(1000, () => {
      s.destroy()
      resolve(false)
    })
  })
}

async function waitFor(port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await canConnect(port)) return true
    await new Promise((r) => setTimeout(r, 250))
  }
  return false
}

/** Makes PostgreSQL (5432) and MariaDB (3306) answer when possible; says why when not. */
export async function ensureDatabases() {
  const out = { postgres: false, mysql: false, why: {} }
  if (!(await canConnect(5432))) {
    if (!isInstalled('postgresql')) ensureDebianPackages(['postgresql'])
    if (existsSync('/etc/postgresql')) {
      const version = readdirSync('/etc/postgresql')[0]
      if (version)
        sh('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], {
          stdio: 'inherit',
        })
    }
  }
  out.postgres = await waitFor(5432, 20)
  if (!out.postgres)
    out.why.postgres = 'PostgreSQL is not installed or does not listen on 127.0.0.1:5432'
  else if (
    sh('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-c', 'select 1'], { stdio: 'ignore' })
      .status !== 0
  ) {
    out.postgres = false
    out.why.postgres =
      'PostgreSQL at 127.0.0.1:5432 refuses user postgres without a password (trust auth expected)'
  }
  if (!(await canConnect(3306))) {
    if (!isInstalled('mariadb-server')) ensureDebianPackages(['mariadb-server'])
    if (existsSync('/usr/sbin/mariadbd'))
      sh(
        'start-stop-daemon',
        ['--start', '--oknodo', '--background', '--exec', '/usr/sbin/mariadbd'],
        { stdio: 'inherit' },
      )
  }
  out.mysql = await waitFor(3306, 20)
  if (!out.mysql) out.why.mysql = 'MariaDB is not installed or does not listen on 127.0.0.1:3306'
  return out
}
