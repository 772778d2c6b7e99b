import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { type ImageHarness, startImageHarness } from '../support/image-harness.js'

const NS = '/v2/metadefs/namespaces'

/** A schema document without its prose: descriptions are ours, everything else Glance's. */
function withoutDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDescriptions)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k, v]) => !(k === 'description' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutDescriptions(v)]),
  )
}

describe('image: metadata definitions', () => {
  let h: ImageHarness
  let admin: string
  let member: { projectId: string; token: string }
  let counter = 0
  const events: { event: string; payload: any }[] = []
  const unique = (base: string) => `${base}-${++counter}`

  async function createNamespace(extra: Record<string, unknown> = {}) {
    const namespace = unique('tempest-ns')
    const res = await h.request('POST', NS, {
      token: admin,
      body: {
        namespace,
        visibility: 'public',
        description: 'Tempest',
        protected: false,
        display_name: namespace,
        ...extra,
      },
    })
    assert.equal(res.status, 201, res.text)
    return namespace
  }

  before(async () => {
    h = await startImageHarness()
    admin = h.identity.adminToken
    member = await h.member('metadef-member')
    // Capture notifications instead of sending them to the bus.
    h.deps.notifier.notify = (event: string, payload: unknown) => {
      events.push({ event, payload })
    }
  })
  after(() => h.close())

  it('serves the metadef schemas with Glance’s structure and names', async () => {
    const expected = JSON.parse(
      readFileSync(new URL('../fixtures/glance-metadef-schemas.json', import.meta.url), 'utf8'),
    )
    const names: Record<string, string> = {
      namespace: 'namespace',
      namespaces: 'namespaces',
      resource_type: 'resource_type_association',
      resource_types: 'resource_type_associations',
      object: 'object',
      objects: 'objects',
      property: 'property',
      properties: 'properties',
      tag: 'tag',
      tags: 'tags',
    }
    for (const [key, name] of Object.entries(names)) {
      const res = await h.request('GET', `/v2/schemas/metadefs/${key}`, { token: member.token })
      assert.equal(res.status, 200)
      assert.equal(res.body.name, name)
      assert.deepEqual(
        withoutDescriptions(res.body),
        withoutDescriptions(expected[`metadef_${key}`]),
        key,
      )
    }
    assert.equal((await h.request('GET', '/v2/schemas/metadefs/namespace')).status, 401)
  })

  it('lists the seeded resource types', async () => {
    const res = await h.request('GET', '/v2/metadefs/resource_types', { token: member.token })
    assert.equal(res.status, 200)
    const names = res.body.resource_types.map((r: any) => r.name)
    for (const n of [
      'OS::Cinder::Volume',
      'OS::Glance::Image',
      'OS::Nova::Aggregate',
      'OS::Nova::Flavor',
      'OS::Nova::Server',
      'OS::Trove::Instance',
    ])
      assert.ok(names.includes(n), n)
    assert.match(res.body.resource_types[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })

  it('runs Tempest’s namespace flow: protected delete 403, full-replace PUT, delete', async () => {
    const rt = (await h.request('GET', '/v2/metadefs/resource_types', { token: admin })).body
      .resource_types[0].name
    const namespace = unique('tempest-ns')
    const created = await h.request('POST', NS, {
      token: admin,
      body: {
        namespace,
        visibility: 'public',
        description: 'Tempest',
        display_name: namespace,
        protected: true,
        resource_type_associations: [{ name: rt }],
      },
    })
    assert.equal(created.status, 201, created.text)
    assert.match(String(created.headers.location), new RegExp(`^http://[^/]+${NS}/${namespace}$`))
    assert.equal(created.body.protected, true)
    assert.equal(created.body.self, `${NS}/${namespace}`)
    assert.equal(created.body.schema, '/v2/schemas/metadefs/namespace')
    assert.deepEqual(created.body.resource_type_associations, [{ name: rt }])
    assert.ok(
      events.some(
        (e) => e.event === 'metadef_namespace.create' && e.payload.namespace === namespace,
      ),
    )

    const list = await h.request('GET', NS, { token: admin })
    assert.equal(list.status, 200)
    assert.equal(list.body.first, NS)
    assert.equal(list.body.schema, '/v2/schemas/metadefs/namespaces')
    const item = list.body.namespaces.find((n: any) => n.namespace === namespace)
    assert.ok(item)
    assert.equal(item.resource_type_associations[0].name, rt)

    const shown = await h.request('GET', `${NS}/${namespace}`, { token: admin })
    assert.equal(shown.status, 200)
    assert.equal(shown.body.visibility, 'public')
    assert.equal(shown.body.resource_type_associations[0].name, rt)

    const refused = await h.request('DELETE', `${NS}/${namespace}`, { token: admin })
    assert.equal(refused.status, 403)
    assert.equal(refused.body.code, '403 Forbidden')
    assert.match(
      refused.body.message,
      new RegExp(`^Metadata definition namespace ${namespace} is protected and cannot be deleted.`),
    )

    const put = await h.request('PUT', `${NS}/${namespace}`, {
      token: admin,
      body: {
        namespace,
        description: 'Tempest',
        visibility: 'private',
        display_name: namespace,
        protected: false,
      },
    })
    assert.equal(put.status, 200, put.text)
    assert.equal(put.body.visibility, 'private')
    assert.equal(put.body.protected, false)
    assert.equal(put.body.resource_type_associations, undefined)
    const update = events.find((e) => e.event === 'metadef_namespace.update')
    assert.equal(update?.payload.namespace_old, namespace)

    assert.equal((await h.request('DELETE', `${NS}/${namespace}`, { token: admin })).status, 204)
    const gone = await h.request('GET', `${NS}/${namespace}`, { token: admin })
    assert.equal(gone.status, 404)
    assert.match(
      gone.body.message,
      new RegExp(`^Metadata definition namespace=${namespace} was not found.`),
    )
    const del = events.find((e) => e.event === 'metadef_namespace.delete')
    assert.equal(del?.payload.deleted, true)
  })

  it('replaces a namespace: omitted fields go back to their defaults, renames clash with 409', async () => {
    const a = await createNamespace()
    const b = await createNamespace()
    const put = await h.request('PUT', `${NS}/${a}`, {
      token: admin,
      body: { namespace: `${a}-renamed` },
    })
    assert.equal(put.status, 200)
    assert.equal(put.body.display_name, undefined)
    assert.equal(put.body.description, undefined)
    assert.equal(put.body.visibility, 'private')
    assert.equal((await h.request('GET', `${NS}/${a}`, { token: admin })).status, 404)
    const clash = await h.request('PUT', `${NS}/${a}-renamed`, {
      token: admin,
      body: { namespace: b },
    })
    assert.equal(clash.status, 409)
    assert.match(
      clash.body.message,
      /^Invalid update. It would result in a duplicate metadata definition namespace with the same name of /,
    )
  })

  it('pages the namespace list with limit and marker', async () => {
    await createNamespace()
    await createNamespace()
    const first = await h.request('GET', `${NS}?limit=1`, { token: admin })
    assert.equal(first.status, 200)
    assert.equal(first.body.namespaces.length, 1)
    assert.equal(first.body.first, `${NS}?limit=1`)
    assert.equal(first.body.next, `${NS}?limit=1&marker=${first.body.namespaces[0].namespace}`)
    const second = await h.request('GET', first.body.next, { token: admin })
    assert.equal(second.body.namespaces.length, 1)
    assert.notEqual(second.body.namespaces[0].namespace, first.body.namespaces[0].namespace)
    assert.equal((await h.request('GET', `${NS}?sort_dir=up`, { token: admin })).status, 400)
    assert.equal((await h.request('GET', `${NS}?visibility=shared`, { token: admin })).status, 400)
    assert.equal((await h.request('GET', `${NS}?limit=-1`, { token: admin })).status, 400)
    const byType = await h.request('GET', `${NS}?resource_types=OS::No::Such`, { token: admin })
    assert.deepEqual(byType.body.namespaces, [])
  })

  it('associates resource types with a namespace', async () => {
    const namespace = await createNamespace()
    const url = `${NS}/${namespace}/resource_types`
    const created = await h.request('POST', url, {
      token: admin,
      body: { name: 'OS::Nova::Server' },
    })
    assert.equal(created.status, 201, created.text)
    assert.equal(created.body.name, 'OS::Nova::Server')
    assert.equal(created.body.prefix, undefined)
    assert.ok(created.body.created_at)
    assert.ok(
      events.some(
        (e) => e.event === 'metadef_resource_type.create' && e.payload.namespace === namespace,
      ),
    )
    const dup = await h.request('POST', url, { token: admin, body: { name: 'OS::Nova::Server' } })
    assert.equal(dup.status, 409)
    const listed = await h.request('GET', url, { token: admin })
    assert.deepEqual(
      listed.body.resource_type_associations.map((a: any) => a.name),
      ['OS::Nova::Server'],
    )
    assert.equal(
      (await h.request('DELETE', `${url}/OS::Nova::Server`, { token: admin })).status,
      204,
    )
    assert.deepEqual(
      (await h.request('GET', url, { token: admin })).body.resource_type_associations,
      [],
    )
    const missing = await h.request('DELETE', `${url}/OS::Nova::Server`, { token: admin })
    assert.equal(missing.status, 404)
    assert.match(missing.body.message, /^Failed to find resource type OS::Nova::Server to delete/)
    // An unknown resource type is created on first association.
    assert.equal(
      (
        await h.request('POST', url, {
          token: admin,
          body: { name: 'OS::Custom::Thing', prefix: 'x:' },
        })
      ).status,
      201,
    )
    const types = await h.request('GET', '/v2/metadefs/resource_types', { token: admin })
    assert.ok(types.body.resource_types.some((t: any) => t.name === 'OS::Custom::Thing'))
    const bad = await h.request('POST', url, {
      token: admin,
      body: { name: 'x', created_at: 'now' },
    })
    assert.equal(bad.status, 403)
  })

  it('creates, renames, lists and deletes objects', async () => {
    const namespace = await createNamespace()
    const url = `${NS}/${namespace}/objects`
    const created = await h.request('POST', url, { token: admin, body: { name: 'obj-a' } })
    assert.equal(created.status, 201, created.text)
    assert.equal(created.body.self, `${url}/obj-a`)
    assert.equal(created.body.schema, '/v2/schemas/metadefs/object')
    assert.equal(created.body.required, undefined)
    assert.equal(
      (await h.request('POST', url, { token: admin, body: { name: 'obj-a' } })).status,
      409,
    )
    const put = await h.request('PUT', `${url}/obj-a`, { token: admin, body: { name: 'obj-b' } })
    assert.equal(put.status, 200)
    assert.equal(put.body.name, 'obj-b')
    assert.equal(events.find((e) => e.event === 'metadef_object.update')?.payload.name_old, 'obj-a')
    assert.equal((await h.request('DELETE', `${url}/obj-b`, { token: admin })).status, 204)
    const props = { cores: { title: 'Cores', type: 'integer', minimum: 1 } }
    const kept = await h.request('POST', url, {
      token: admin,
      body: { name: 'obj-c', required: ['cores'], properties: props },
    })
    assert.equal(kept.status, 201, kept.text)
    const list = await h.request('GET', url, { token: admin })
    assert.equal(list.body.schema, 'v2/schemas/metadefs/objects')
    assert.deepEqual(
      list.body.objects.map((o: any) => o.name),
      ['obj-c'],
    )
    const shown = await h.request('GET', `${url}/obj-c`, { token: admin })
    assert.deepEqual(shown.body.required, ['cores'])
    assert.deepEqual(shown.body.properties, props)
    const missing = await h.request('GET', `${url}/obj-b`, { token: admin })
    assert.equal(missing.status, 404)
    assert.match(missing.body.message, /^Could not find metadata object obj-b/)
    const badProp = await h.request('POST', url, {
      token: admin,
      body: { name: 'o', properties: { p: { type: 'string' } } },
    })
    assert.equal(badProp.status, 400)
    assert.match(
      badProp.body.message,
      /^Provided object does not match schema 'object': 'title' is a required property/,
    )
    assert.equal((await h.request('GET', `${url}?limit=0`, { token: admin })).status, 400)
  })

  it('creates, shows (with colons and prefixes), updates and deletes properties', async () => {
    const namespace = await createNamespace()
    const rt = 'OS::Nova::Server'
    await h.request('POST', `${NS}/${namespace}/resource_types`, {
      token: admin,
      body: { name: 'OS::Nova::Flavor', prefix: 'hw:' },
    })
    const url = `${NS}/${namespace}/properties`
    const enumValues = ['xen', 'qemu', 'kvm', 'lxc', 'uml', 'vmware', 'hyperv']
    const created = await h.request('POST', url, {
      token: admin,
      body: { name: rt, title: 'hypervisor', type: 'string', enum: enumValues },
    })
    assert.equal(created.status, 201, created.text)
    assert.equal(created.body.title, 'hypervisor')
    assert.equal(
      (
        await h.request('POST', url, {
          token: admin,
          body: { name: rt, title: 't', type: 'string' },
        })
      ).status,
      409,
    )
    const shown = await h.request('GET', `${url}/${rt}`, { token: admin })
    assert.equal(shown.status, 200)
    assert.equal(shown.body.name, rt)
    assert.deepEqual(shown.body.enum, enumValues)
    const put = await h.request('PUT', `${url}/${rt}`, {
      token: admin,
      body: { name: rt, title: 'new title', type: 'string', enum: enumValues },
    })
    assert.equal(put.status, 200)
    assert.equal(put.body.title, 'new title')

    await h.request('POST', url, {
      token: admin,
      body: { name: 'cpu', title: 'CPU', type: 'string' },
    })
    const prefixed = await h.request('GET', `${url}/hw:cpu?resource_type=OS::Nova::Flavor`, {
      token: admin,
    })
    assert.equal(prefixed.status, 200, prefixed.text)
    assert.equal(prefixed.body.name, 'cpu')
    assert.equal(
      (await h.request('GET', `${url}/cpu?resource_type=OS::Nova::Flavor`, { token: admin }))
        .status,
      404,
    )
    const ns = await h.request('GET', `${NS}/${namespace}?resource_type=OS::Nova::Flavor`, {
      token: admin,
    })
    assert.ok(ns.body.properties['hw:cpu'])

    assert.equal((await h.request('DELETE', `${url}/${rt}`, { token: admin })).status, 204)
    assert.equal((await h.request('DELETE', `${url}/cpu`, { token: admin })).status, 204)
    const missing = await h.request('DELETE', `${url}/cpu`, { token: admin })
    assert.equal(missing.status, 404)
    const list = await h.request('GET', url, { token: admin })
    assert.deepEqual(list.body, { properties: {} })
    const bad = await h.request('POST', url, {
      token: admin,
      body: { name: 'x', title: 'x', type: 'text' },
    })
    assert.equal(bad.status, 400)
  })

  it('creates tags in bulk (replace or append), singly, renames and deletes them', async () => {
    const namespace = await createNamespace()
    const url = `${NS}/${namespace}/tags`
    const bulk = await h.request('POST', url, {
      token: admin,
      body: { tags: [{ name: 't1' }, { name: 't2' }, { name: 't3' }] },
    })
    assert.equal(bulk.status, 201, bulk.text)
    assert.deepEqual(bulk.body, { tags: [{ name: 't1' }, { name: 't2' }, { name: 't3' }] })
    assert.equal((await h.request('GET', url, { token: admin })).body.tags.length, 3)
    await h.request('POST', url, { token: admin, body: { tags: [{ name: 'a' }, { name: 'b' }] } })
    const replaced = await h.request('GET', url, { token: admin })
    assert.deepEqual(replaced.body.tags.map((t: any) => t.name).sort(), ['a', 'b'])
    const appended = await h.request('POST', url, {
      token: admin,
      body: { tags: [{ name: 'c' }] },
      headers: { 'x-openstack-append': 'True' },
    })
    assert.equal(appended.status, 201)
    assert.equal((await h.request('GET', url, { token: admin })).body.tags.length, 3)
    const dupAppend = await h.request('POST', url, {
      token: admin,
      body: { tags: [{ name: 'A' }] },
      headers: { 'x-openstack-append': 'true' },
    })
    assert.equal(dupAppend.status, 409)
    assert.equal(
      (
        await h.request('POST', url, {
          token: admin,
          body: { tags: [{ name: 'x' }, { name: 'X' }] },
        })
      ).status,
      409,
    )
    assert.equal(
      (await h.request('POST', url, { token: admin, body: { tags: [{ name: 'x', extra: 1 }] } }))
        .status,
      400,
    )
    assert.equal((await h.request('DELETE', url, { token: admin })).status, 204)
    assert.deepEqual((await h.request('GET', url, { token: admin })).body, { tags: [] })
    assert.equal((await h.request('DELETE', url, { token: admin })).status, 204)

    // Tempest posts no body but a JSON content type.
    const single = await h.request('POST', `${url}/solo`, {
      token: admin,
      headers: { 'content-type': 'application/json' },
    })
    assert.equal(single.status, 201)
    assert.equal(single.body.name, 'solo')
    assert.equal((await h.request('POST', `${url}/SOLO`, { token: admin })).status, 409)
    assert.equal(
      (await h.request('POST', `${url}/${'x'.repeat(81)}`, { token: admin })).status,
      400,
    )
    assert.equal((await h.request('GET', `${url}/solo`, { token: admin })).body.name, 'solo')
    const renamed = await h.request('PUT', `${url}/solo`, { token: admin, body: { name: 'duo' } })
    assert.equal(renamed.status, 200)
    assert.equal(renamed.body.name, 'duo')
    assert.equal((await h.request('DELETE', `${url}/duo`, { token: admin })).status, 204)
    assert.deepEqual((await h.request('GET', url, { token: admin })).body.tags, [])
    const missing = await h.request('GET', `${url}/duo`, { token: admin })
    assert.equal(missing.status, 404)
    assert.match(missing.body.message, /^Could not find metadata tag duo/)
  })

  it('creates inline content with a namespace and echoes it back', async () => {
    const namespace = unique('inline')
    const body = {
      namespace,
      resource_type_associations: [{ name: 'OS::Glance::Image', prefix: 'hw_' }],
      properties: { cpu: { title: 'CPU', type: 'string' } },
      objects: [
        { name: 'topology', properties: { sockets: { title: 'Sockets', type: 'integer' } } },
      ],
      tags: [{ name: 'fast' }],
    }
    const res = await h.request('POST', NS, { token: admin, body })
    assert.equal(res.status, 201, res.text)
    assert.deepEqual(res.body.properties, body.properties)
    assert.deepEqual(res.body.objects, body.objects)
    assert.deepEqual(res.body.tags, body.tags)
    assert.equal(res.body.visibility, 'private')
    assert.equal(typeof res.body.owner, 'string')
    const shown = await h.request('GET', `${NS}/${namespace}`, { token: admin })
    assert.deepEqual(Object.keys(shown.body.properties), ['cpu'])
    assert.equal(shown.body.objects[0].name, 'topology')
    assert.deepEqual(shown.body.tags, [{ name: 'fast' }])
    const again = await h.request('POST', NS, { token: admin, body: { namespace } })
    assert.equal(again.status, 409)
    assert.match(
      again.body.message,
      new RegExp(`^The metadata definition namespace=${namespace} already exists.`),
    )
    const dupObjects = await h.request('POST', NS, {
      token: admin,
      body: { namespace: unique('x'), objects: [{ name: 'o' }, { name: 'o' }] },
    })
    assert.equal(dupObjects.status, 409)
  })

  it('refuses bad bodies: unknown keys 400, read-only keys 403, no body 400', async () => {
    const unknown = await h.request('POST', NS, {
      token: admin,
      body: { namespace: unique('x'), colour: 'red' },
    })
    assert.equal(unknown.status, 400)
    assert.match(
      unknown.body.message,
      /^Provided object does not match schema 'namespace': Additional properties are not allowed \('colour' was unexpected\)/,
    )
    const readOnly = await h.request('POST', NS, {
      token: admin,
      body: { namespace: unique('x'), created_at: 'now' },
    })
    assert.equal(readOnly.status, 403)
    assert.match(readOnly.body.message, /^Attribute 'created_at' is read-only./)
    const missing = await h.request('POST', NS, { token: admin, body: { display_name: 'x' } })
    assert.equal(missing.status, 400)
    const none = await h.request('POST', NS, {
      token: admin,
      headers: { 'content-type': 'application/json' },
    })
    assert.equal(none.status, 400)
    assert.match(none.body.message, /^Body expected in request./)
    const tooLong = await h.request('POST', NS, {
      token: admin,
      body: { namespace: 'n'.repeat(81) },
    })
    assert.equal(tooLong.status, 400)
  })

  it('lets members read but not write, and hides other projects’ private namespaces', async () => {
    const open = await createNamespace()
    const hidden = await createNamespace({ visibility: 'private' })
    const denied = await h.request('POST', NS, {
      token: member.token,
      body: { namespace: unique('m') },
    })
    assert.equal(denied.status, 403)
    assert.match(
      denied.body.message,
      /^You are not authorized to complete add_metadef_namespace action./,
    )
    assert.equal((await h.request('GET', `${NS}/${open}`, { token: member.token })).status, 200)
    for (const [method, path, body] of [
      ['DELETE', `${NS}/${open}`, undefined],
      ['PUT', `${NS}/${open}`, { namespace: open }],
      ['POST', `${NS}/${open}/objects`, { name: 'o' }],
      ['POST', `${NS}/${open}/properties`, { name: 'p', title: 'p', type: 'string' }],
      ['POST', `${NS}/${open}/tags/t`, undefined],
      ['POST', `${NS}/${open}/resource_types`, { name: 'OS::Nova::Server' }],
      ['DELETE', `${NS}/${open}/tags`, undefined],
    ] as const) {
      const res = await h.request(method, path, { token: member.token, body })
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`)
    }
    const show = await h.request('GET', `${NS}/${hidden}`, { token: member.token })
    assert.equal(show.status, 404)
    const objects = await h.request('GET', `${NS}/${hidden}/objects`, { token: member.token })
    assert.equal(objects.status, 404)
    assert.match(objects.body.message, new RegExp(`^Namespace ${hidden} not found`))
    assert.equal(
      (await h.request('POST', `${NS}/${hidden}/tags/t`, { token: member.token })).status,
      404,
    )
    assert.equal(
      (await h.request('DELETE', `${NS}/${hidden}`, { token: member.token })).status,
      404,
    )
    const list = await h.request('GET', `${NS}?limit=1000`, { token: member.token })
    const names = list.body.namespaces.map((n: any) => n.namespace)
    assert.ok(names.includes(open))
    assert.ok(!names.includes(hidden))
  })

  it('keeps the contents of a protected namespace from deletion', async () => {
    const namespace = await createNamespace({
      protected: true,
      tags: [{ name: 't' }],
      objects: [{ name: 'o' }],
    })
    const tag = await h.request('DELETE', `${NS}/${namespace}/tags/t`, { token: admin })
    assert.equal(tag.status, 403)
    assert.match(tag.body.message, /^Metadata definition tag t is protected and cannot be deleted./)
    const obj = await h.request('DELETE', `${NS}/${namespace}/objects/o`, { token: admin })
    assert.match(
      obj.body.message,
      /^Metadata definition object o is protected and cannot be deleted./,
    )
    const all = await h.request('DELETE', `${NS}/${namespace}/objects`, { token: admin })
    assert.equal(all.status, 403)
    assert.match(
      all.body.message,
      new RegExp(`^Metadata definition namespace ${namespace} is protected`),
    )
  })

  it('answers unknown methods with 405 and rejects bodies on GET', async () => {
    const res = await h.request('PATCH', NS, { token: admin })
    assert.equal(res.status, 405)
    assert.equal(res.headers.allow, 'GET, POST')
    const withBody = await h.request('GET', '/v2/metadefs/resource_types', {
      token: admin,
      body: { a: 1 },
    })
    assert.equal(withBody.status, 400)
  })
})
