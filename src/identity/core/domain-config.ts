/**
 * @module Domain-specific configuration (Keystone's /v3/domains/{id}/config): only the options
 * Keystone whitelists can be stored; `ldap.password` is stored but never returned. Values keep
 * their JSON type.
 */
import { fromJson, toJson } from '../../lib/db/values.js'
import { forbidden, identityErrors } from '../errors.js'
import type { IdentityDeps } from './deps.js'

/** Whitelisted groups and their options, with Keystone's defaults (for .../config/default). */
export const CONFIG_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  identity: { driver: 'sql', list_limit: null },
  ldap: {
    url: 'ldap://localhost',
    user: null,
    suffix: 'cn=example,cn=com',
    query_scope: 'one',
    page_size: 0,
    alias_dereferencing: 'default',
    debug_level: null,
    chase_referrals: null,
    user_tree_dn: null,
    user_filter: null,
    user_objectclass: 'inetOrgPerson',
    user_id_attribute: 'cn',
    user_name_attribute: 'sn',
    user_mail_attribute: 'mail',
    user_description_attribute: 'description',
    user_pass_attribute: 'userPassword',
    user_enabled_attribute: 'enabled',
    user_enabled_invert: false,
    user_enabled_mask: 0,
    user_enabled_default: 'True',
    user_attribute_ignore: ['default_project_id'],
    user_default_project_id_attribute: null,
    user_enabled_emulation: false,
    user_enabled_emulation_dn: null,
    user_enabled_emulation_use_group_config: false,
    user_additional_attribute_mapping: [],
    group_tree_dn: null,
    group_filter: null,
    group_objectclass: 'groupOfNames',
    group_id_attribute: 'cn',
    group_name_attribute: 'ou',
    group_members_are_ids: false,
    group_member_attribute: 'member',
    group_desc_attribute: 'description',
    group_attribute_ignore: [],
    group_additional_attribute_mapping: [],
    tls_cacertfile: null,
    tls_cacertdir: null,
    use_tls: false,
    tls_req_cert: 'demand',
    use_pool: true,
    pool_size: 10,
    pool_retry_max: 3,
    pool_retry_delay: 0.1,
    pool_connection_timeout: -1,
    pool_connection_lifetime: 600,
    use_auth_pool: true,
    auth_pool_size: 100,
    auth_pool_connection_lifetime: 60,
  },
}

const SENSITIVE: Readonly<Record<string, readonly string[]>> = { ldap: ['password'] }

export type DomainConfig = Record<string, Record<string, unknown>>

function invalid(detail: string): Error {
  return forbidden(`Invalid domain specific configuration: ${detail}.`)
}

function isAllowed(group: string, option: string): boolean {
  return option in (CONFIG_DEFAULTS[group] ?? {}) || (SENSITIVE[group] ?? []).includes(option)
}

/** Checks a whole or partial config: known groups, non-empty objects, whitelisted options. */
export function validateConfig(config: unknown): DomainConfig {
  if (
    typeof config !== 'object' ||
    config === null ||
    Array.isArray(config) ||
    Object.keys(config).length === 0
  )
    throw invalid('the config must be a non-empty object of option groups')
  for (const [group, options] of Object.entries(config as Record<string, unknown>)) {
    if (!(group in CONFIG_DEFAULTS)) throw invalid(`group ${group} is not supported`)
    if (
      typeof options !== 'object' ||
      options === null ||
      Array.isArray(options) ||
      Object.keys(options).length === 0
    )
      throw invalid(`group ${group} must be a non-empty object`)
    for (const option of Object.keys(options))
      if (!isAllowed(group, option))
        throw invalid(`option ${option} in group ${group} is not supported`)
  }
  return config as DomainConfig
}

/** The stored config without sensitive options. */
export async function readConfig(deps: IdentityDeps, domainId: string): Promise<DomainConfig> {
  const rows = await deps.db
    .selectFrom('domain_config')
    .selectAll()
    .where('domain_id', '=', domainId)
    .execute()
  const out: DomainConfig = {}
  for (const r of rows) {
    if (r.sensitive === 1) continue
    ;(out[r.group_name] ??= {})[r.option_name] = fromJson<unknown>(r.value, null)
  }
  return out
}

/** Writes (merges) options. */
export async function writeOptions(
  deps: IdentityDeps,
  domainId: string,
  config: DomainConfig,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    for (const [group, options] of Object.entries(config)) {
      for (const [option, value] of Object.entries(options)) {
        await trx
          .deleteFrom('domain_config')
          .where('domain_id', '=', domainId)
          .where('group_name', '=', group)
          .where('option_name', '=', option)
          .execute()
        await trx
          .insertInto('domain_config')
          .values({
            domain_id: domainId,
            group_name: group,
            option_name: option,
            value: toJson(value),
            sensitive: (SENSITIVE[group] ?? []).includes(option) ? 1 : 0,
          })
          .execute()
      }
    }
  })
}

export async function deleteOptions(
  deps: IdentityDeps,
  domainId: string,
  group?: string,
  option?: string,
): Promise<void> {
  let q = deps.db.deleteFrom('domain_config').where('domain_id', '=', domainId)
  if (group !== undefined) q = q.where('group_name', '=', group)
  if (option !== undefined) q = q.where('option_name', '=', option)
  const res = await q.executeTakeFirst()
  if (Number(res.numDeletedRows) === 0) throw notFoundIn(domainId, option ?? group)
}

export function notFoundIn(domainId: string, what: string | undefined): Error {
  return identityErrors.notFound({
    kind: what === undefined ? 'any options' : what,
    id: `in domain configuration for domain ${domainId}`,
  })
}
