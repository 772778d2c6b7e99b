/**
 * @module A project's `default` security group, made the first time the project needs one
 * (Neutron makes it on the project's first network, port or security-group call): egress to
 * anywhere and ingress from members of the same group, for IPv4 and IPv6.
 */
import { insertIfAbsent } from '../../lib/db/errors.js'
import { uuid } from '../../lib/ids/ids.js'
import { type NetworkDeps, neutronTime } from './deps.js'

export async function ensureDefaultSecurityGroup(
  deps: Pick<NetworkDeps, 'db' | 'dialect' | 'clock'>,
  projectId: string,
): Promise<string> {
  const found = await deps.db
    .selectFrom('default_security_group')
    .select('security_group_id')
    .where('project_id', '=', projectId)
    .executeTakeFirst()
  if (found) return found.security_group_id
  const id = uuid()
  const now = neutronTime(deps.clock)
  return deps.db.transaction().execute(async (trx) => {
    // The marker row decides the race between two first calls of one project.
    const won = await insertIfAbsent(
      trx
        .insertInto('default_security_group')
        .values({ project_id: projectId, security_group_id: id }),
      deps.dialect,
    )
    if (!won) {
      const row = await trx
        .selectFrom('default_security_group')
        .select('security_group_id')
        .where('project_id', '=', projectId)
        .executeTakeFirstOrThrow()
      return row.security_group_id
    }
    const std = { created_at: now, updated_at: now, revision_number: 0 }
    await trx
      .insertInto('security_group')
      .values({
        id,
        project_id: projectId,
        name: 'default',
        stateful: 1,
        description: 'Default security group',
        ...std,
      })
      .execute()
    const rules = (['IPv4', 'IPv6'] as const).flatMap((ethertype) => [
      { direction: 'egress', ethertype, remote_group_id: null },
      { direction: 'ingress', ethertype, remote_group_id: id },
    ])
    await trx
      .insertInto('security_group_rule')
      .values(
        rules.map((r) => ({
          id: uuid(),
          project_id: projectId,
          security_group_id: id,
          direction: r.direction,
          ethertype: r.ethertype,
          protocol: null,
          port_range_min: null,
          port_range_max: null,
          remote_ip_prefix: null,
          remote_group_id: r.remote_group_id,
          remote_address_group_id: null,
          description: '',
          ...std,
        })),
      )
      .execute()
    return id
  })
}
