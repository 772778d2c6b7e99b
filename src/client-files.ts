/** @module clouds.yaml and openrc for the admin, written to the data dir at every start. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from './config.js'

export interface ClientFiles {
  cloudsYaml: string
  openrc: string
}

export function writeClientFiles(config: Config, authUrl: string): ClientFiles {
  const dir = config.DEFAULT.dataDir
  mkdirSync(dir, { recursive: true })
  const id = config.identity
  const quote = (s: string) => `'${s.replaceAll("'", "''")}'`
  const cloudsYaml = [
    '# Written by ostack at start. Use: OS_CLIENT_CONFIG_FILE=<this file> OS_CLOUD=ostack openstack ...',
    'clouds:',
    '  ostack:',
    '    auth:',
    `      auth_url: ${quote(authUrl)}`,
    `      username: ${quote(id.adminUser)}`,
    `      password: ${quote(id.adminPassword)}`,
    `      project_name: ${quote(id.adminProject)}`,
    "      user_domain_name: 'Default'",
    "      project_domain_name: 'Default'",
    `    region_name: ${quote(id.region)}`,
    '    interface: public',
    '    identity_api_version: 3',
    '',
  ].join('\n')
  const sh = (s: string) => `'${s.replaceAll("'", `'"'"'`)}'`
  const openrc = [
    '# Written by ostack at start. Use: source <this file>',
    `export OS_AUTH_URL=${sh(authUrl)}`,
    `export OS_USERNAME=${sh(id.adminUser)}`,
    `export OS_PASSWORD=${sh(id.adminPassword)}`,
    `export OS_PROJECT_NAME=${sh(id.adminProject)}`,
    `export OS_TENANT_NAME=${sh(id.adminProject)}`,
    'export OS_USER_DOMAIN_NAME=Default',
    'export OS_PROJECT_DOMAIN_NAME=Default',
    `export OS_REGION_NAME=${sh(id.region)}`,
    'export OS_IDENTITY_API_VERSION=3',
    'export OS_AUTH_TYPE=password',
    '',
  ].join('\n')
  const files = { cloudsYaml: join(dir, 'clouds.yaml'), openrc: join(dir, 'openrc') }
  writeFileSync(files.cloudsYaml, cloudsYaml, { mode: 0o600 })
  writeFileSync(files.openrc, openrc, { mode: 0o600 })
  return files
}
