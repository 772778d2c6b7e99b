/**
 * @module First-start setup, like `keystone-manage bootstrap`: the default domain, the admin
 * project, user and roles (admin implies member implies reader), the service project, the
 * region, and catalog entries. Idempotent: it only creates what is missing, so it runs at every
 * start without touching what an operator changed.
 */
import { toFlag, toJson } from '../../lib/db/values.js'
import { hexId } from '../../lib/ids/ids.js'
import { DOMAIN_ROOT, GLOBAL_ROLE_DOMAIN } from '../db/tables.js'
import type { IdentityDeps } from './deps.js'
import { hashPassword } from './passwords.js'

export const DEFAULT_DOMAIN_ID = 'default'

async function ensureDomain(deps: IdentityDeps): Promise<void> {
  const found = await deps.db
    .selectFrom('project')
    .select('id')
    .where('id', '=', DEFAULT_DOMAIN_ID)
    .executeTakeFirst()
  if (found) return
  await deps.db
    .insertInto('project')
    .values({
      id: DEFAULT_DOMAIN_ID,
      name: 'Default',
      domain_id: DOMAIN_ROOT,
      parent_id: null,
      description: 'The default domain',
      enabled: 1,
      is_domain: 1,
      extra: '{}',
      options: '{}',
    })
    .execute()
}

async function ensureProject(
  deps: IdentityDeps,
  name: string,
  description: string,
): Promise<string> {
  const found = await deps.db
    .selectFrom('project')
    .select('id')
    .where('domain_id', '=', DEFAULT_DOMAIN_ID)
    .where('name', '=', name)
    .executeTakeFirst()
  if (found) return found.id
  const id = hexId()
  await deps.db
    .insertInto('project')
    .values({
      id,
      name,
      domain_id: DEFAULT_DOMAIN_ID,
      parent_id: DEFAULT_DOMAIN_ID,
      description,
      enabled: 1,
      is_domain: 0,
      extra: '{}',
      options: '{}',
    })
    .execute()
  return id
}

/** The roles bootstrap creates are immutable, as Keystone's are: they cannot be changed or deleted by accident. */
async function ensureRole(deps: IdentityDeps, name: string): Promise<string> {
  const found = await deps.db
    .selectFrom('role')
    .select('id')
    .where('name', '=', name)
    .where('domain_id', '=', GLOBAL_ROLE_DOMAIN)
    .executeTakeFirst()
  if (found) return found.id
  const id = hexId()
  await deps.db
    .insertInto('role')
    .values({
      id,
      name,
      domain_id: GLOBAL_ROLE_DOMAIN,
      description: null,
      options: '{"immutable":true}',
      extra: '{}',
    })
    .execute()
  return id
}

async function ensureImplied(deps: IdentityDeps, prior: string, implied: string): Promise<void> {
  const found = await deps.db
    .selectFrom('implied_role')
    .select('prior_role_id')
    .where('prior_role_id', '=', prior)
    .where('implied_role_id', '=', implied)
    .executeTakeFirst()
  if (!found)
    await deps.db
      .insertInto('implied_role')
      .values({ prior_role_id: prior, implied_role_id: implied })
      .execute()
}

async function ensureGrant(
  deps: IdentityDeps,
  type: 'UserProject' | 'UserSystem',
  actorId: string,
  targetId: string,
  roleId: string,
): Promise<void> {
  const found = await deps.db
    .selectFrom('assignment')
    .select('role_id')
    .where('type', '=', type)
    .where('actor_id', '=', actorId)
    .where('target_id', '=', targetId)
    .where('role_id', '=', roleId)
    .where('inherited', '=', 0)
    .executeTakeFirst()
  if (!found)
    await deps.db
      .insertInto('assignment')
      .values({ type, actor_id: actorId, target_id: targetId, role_id: roleId, inherited: 0 })
      .execute()
}

async function ensureUser(
  deps: IdentityDeps,
  name: string,
  password: string,
  projectId: string,
): Promise<string> {
  const found = await deps.db
    .selectFrom('user')
    .select('id')
    .where('domain_id', '=', DEFAULT_DOMAIN_ID)
    .where('name', '=', name)
    .executeTakeFirst()
  if (found) return found.id
  const id = hexId()
  const now = deps.clock.now().toISOString()
  await deps.db
    .insertInto('user')
    .values({
      id,
      domain_id: DEFAULT_DOMAIN_ID,
      name,
      enabled: 1,
      default_project_id: projectId,
      extra: '{}',
      options: '{}',
      password_hash: await hashPassword(password, deps.config.passwordHashRounds),
      password_created_at: now,
      password_expires_at: null,
      created_at: now,
      last_active_at: null,
      failed_auth_count: null,
      failed_auth_at: null,
    })
    .execute()
  return id
}

async function ensureRegion(deps: IdentityDeps, id: string): Promise<void> {
  const found = await deps.db
    .selectFrom('region')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst()
  if (!found)
    await deps.db
      .insertInto('region')
      .values({ id, description: '', parent_region_id: null, extra: '{}' })
      .execute()
}

export async function bootstrap(deps: IdentityDeps): Promise<void> {
  const { config } = deps
  await ensureDomain(deps)
  const adminProject = await ensureProject(
    deps,
    config.adminProject,
    'Bootstrap project for initializing the cloud.',
  )
  await ensureProject(deps, 'service', 'Project for the services of the cloud.')
  const reader = await ensureRole(deps, 'reader')
  const member = await ensureRole(deps, 'member')
  const admin = await ensureRole(deps, 'admin')
  await ensureRole(deps, 'service')
  await ensureImplied(deps, admin, member)
  await ensureImplied(deps, member, reader)
  const adminUser = await ensureUser(deps, config.adminUser, config.adminPassword, adminProject)
  await ensureGrant(deps, 'UserProject', adminUser, adminProject, admin)
  await ensureGrant(deps, 'UserSystem', adminUser, 'system', admin)
  await ensureRegion(deps, config.region)
}

export interface CatalogRegistration {
  type: string
  name: string
  description?: string
  /** interface -> URL (public, internal, admin). */
  urls: Readonly<Record<'public' | 'internal' | 'admin', string>>
  region: string
}

/**
 * Registers (or corrects) a service and its endpoints in the catalog. An endpoint whose URL
 * changed (new host or port) is updated; endpoints an operator added are left alone.
 */
export async function registerCatalogService(
  deps: IdentityDeps,
  reg: CatalogRegistration,
): Promise<void> {
  await ensureRegion(deps, reg.region)
  let service = await deps.db
    .selectFrom('service')
    .selectAll()
    .where('type', '=', reg.type)
    .executeTakeFirst()
  if (!service) {
    service = {
      id: hexId(),
      type: reg.type,
      enabled: toFlag(true),
      extra: toJson({ name: reg.name, description: reg.description ?? '' }),
    }
    await deps.db.insertInto('service').values(service).execute()
  }
  const serviceId = service.id
  const existing = await deps.db
    .selectFrom('endpoint')
    .selectAll()
    .where('service_id', '=', serviceId)
    .execute()
  for (const [iface, url] of Object.entries(reg.urls)) {
    const current = existing.find((e) => e.interface === iface && e.region_id === reg.region)
    if (!current) {
      await deps.db
        .insertInto('endpoint')
        .values({
          id: hexId(),
          interface: iface,
          service_id: serviceId,
          url,
          region_id: reg.region,
          enabled: 1,
          extra: '{}',
        })
        .execute()
    } else if (current.url !== url) {
      await deps.db.updateTable('endpoint').set({ url }).where('id', '=', current.id).execute()
    }
  }
}
