import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { insertMigration } from '../support/compute-rows.js'

type Migration = Record<string, unknown> & { id: number; uuid?: string }

const KEYS_21 = [
  'created_at',
  'dest_compute',
  'dest_host',
  'dest_node',
  'id',
  'instance_uuid',
  'new_instance_type_id',
  'old_instance_type_id',
  'source_compute',
  'source_node',
  'status',
  'updated_at',
]

describe('compute migrations list', () => {
  let h: ComputeHarness
  const uuids: string[] = []
  const live = randomUUID()
  before(async () => {
    h = await startComputeHarness()
    const d = h.service.deps
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes)).toISOString()
    uuids.push(await insertMigration(d, { created_at: at(0), updated_at: at(0) }))
    uuids.push(
      await insertMigration(d, {
        created_at: at(10),
        updated_at: at(10),
        status: 'running',
        migration_type: 'live-migration',
        instance_uuid: live,
      }),
    )
    uuids.push(
      await insertMigration(d, {
        created_at: at(20),
        updated_at: at(20),
        source_compute: 'compute2',
        dest_compute: 'compute1',
        migration_type: 'migration',
        status: 'error',
      }),
    )
  })
  after(async () => h.close())

  const list = (query = '', microversion?: string, token?: string) =>
    h.request('GET', `/v2.1/os-migrations${query}`, {
      ...(microversion ? { microversion } : {}),
      ...(token ? { token } : {}),
    })

  it('lists at 2.1 without migration_type, uuid or links', async () => {
    const res = await list()
    assert.equal(res.status, 200)
    const migrations = res.body.migrations as Migration[]
    assert.equal(migrations.length, 3)
    assert.deepEqual(Object.keys(migrations[0] ?? {}).sort(), KEYS_21)
    assert.equal(migrations[0]?.old_instance_type_id, 1)
    assert.equal(migrations[0].new_instance_type_id, 2)
    assert.equal(migrations[0].created_at, '2026-01-01T12:00:00.000000')
  })

  it('adds migration_type and live-migration links at 2.23, uuid at 2.59', async () => {
    const v223 = (await list('', '2.23')).body.migrations as Migration[]
    const running = v223.find((m) => m.instance_uuid === live)
    assert.equal(running?.migration_type, 'live-migration')
    const links = running.links as { rel: string; href: string }[]
    assert.ok(links[0]?.href.endsWith(`/v2.1/servers/${live}/migrations/${String(running.id)}`))
    assert.equal(v223.find((m) => m.instance_uuid !== live)?.links, undefined)
    assert.equal(running.uuid, undefined)
    const v259 = (await list('', '2.59')).body.migrations as Migration[]
    assert.deepEqual(
      v259.map((m) => m.uuid),
      [...uuids].reverse(),
      'newest first',
    )
  })

  it('filters by host, status, type, instance and source', async () => {
    const host = (await list('?host=compute2')).body.migrations as Migration[]
    assert.equal(host.length, 3)
    const source = (await list('?source_compute=compute2')).body.migrations as Migration[]
    assert.equal(source.length, 1)
    assert.equal(((await list('?status=running')).body.migrations as Migration[]).length, 1)
    assert.equal(((await list('?migration_type=resize')).body.migrations as Migration[]).length, 1)
    assert.equal(((await list(`?instance_uuid=${live}`)).body.migrations as Migration[]).length, 1)
    assert.equal(((await list('?hidden=1')).body.migrations as Migration[]).length, 0)
    assert.equal(((await list('?hidden=0&whatever=1')).body.migrations as Migration[]).length, 3)
  })

  it('pages and filters by time from 2.59 / 2.66', async () => {
    const page = await list('?limit=2', '2.59')
    assert.equal(page.body.migrations.length, 2)
    const next = page.body.migrations_links[0]
    assert.ok(String(next.href).includes(`marker=${String(uuids[1])}`))
    const rest = await list(`?limit=2&marker=${String(uuids[1])}`, '2.59')
    assert.deepEqual(
      rest.body.migrations.map((m: Migration) => m.uuid),
      [uuids[0]],
    )
    assert.equal(rest.body.migrations_links, undefined)
    const unknown = await list(`?marker=${randomUUID()}`, '2.59')
    assert.equal(unknown.status, 400)
    const since = await list('?changes-since=2026-01-01T12:05:00Z', '2.59')
    assert.equal(since.body.migrations.length, 2)
    const before = await list('?changes-before=2026-01-01T12:15:00', '2.66')
    assert.equal(before.body.migrations.length, 2)
    const both = await list(
      '?changes-since=2026-01-01T12:15:00Z&changes-before=2026-01-01T12:05:00Z',
      '2.66',
    )
    assert.equal(both.status, 400)
    assert.equal(
      both.body.badRequest.message,
      'The value of changes-since must be less than or equal to changes-before.',
    )
    assert.equal((await list('?changes-since=yesterday', '2.59')).status, 400)
    assert.equal((await list('?changes-before=2026-01-01', '2.59')).status, 400, 'not before 2.66')
    assert.equal((await list('?whatever=1', '2.59')).status, 400)
    assert.equal((await list('?limit=0', '2.59')).body.migrations.length, 0)
  })

  it('is admin only', async () => {
    const member = await h.member('mig-member')
    assert.equal((await list('', undefined, member.token)).status, 403)
  })
})
