/**
 * @module /v2.0/<resources>/<id>/tags (Neutron's standard-attr-tag): replace all, add one,
 * check one, remove one or all. Each taggable collection registers how to find an item the
 * caller may change.
 */
import type { Caller } from '../core/deps.js'
import { bumpRevision } from '../core/networks.js'
import { setTags, tagsOf } from '../core/tags.js'
import { networkErrors, neutronError } from '../errors.js'
import { maxLength } from './attributes.js'
import { callerOf, type NetworkApi } from './collection.js'

/** A taggable collection's URL segment (`networks`) with its check; it throws the 404. */
export function registerTaggable(
  api: NetworkApi,
  path: string,
  find: (caller: Caller, id: string) => Promise<void>,
): void {
  api.taggable.set(path, find)
}

const validTag = maxLength(255)

/** The table of each taggable collection: a tag change is a revision of its resource. */
const TABLES = {
  networks: 'network',
  subnets: 'subnet',
  ports: 'port',
  routers: 'router',
  'security-groups': 'security_group',
  floatingips: 'floating_ip',
  subnetpools: 'subnetpool',
} as const

const tagNotFound = (tag: string) =>
  neutronError('NotFound', 'TagNotFound', `Tag ${tag} could not be found.`)

function checkTag(tag: unknown): string {
  const reason = validTag(tag)
  if (reason || tag === '')
    throw networkErrors.badRequest(
      `Invalid input for tags. Reason: ${reason ?? `'' is an empty string`}.`,
    )
  return tag as string
}

export function tagsRoutes({ app, deps, taggable }: NetworkApi): void {
  const target = async (req: { params: unknown; raw: Parameters<typeof callerOf>[0] }) => {
    const { resource, id } = req.params as { resource: string; id: string }
    const find = taggable.get(resource)
    if (!find) throw networkErrors.notFound('resource', resource)
    // Any resource the caller cannot change is, to the tags API, one that does not exist.
    await find(callerOf(req.raw), id).catch((err: unknown) => {
      if ((err as { status?: number }).status !== 404) throw err
      throw neutronError(
        'NotFound',
        'TagResourceNotFound',
        `Resource ${resource} ${id} could not be found.`,
      )
    })
    return { resource, id }
  }
  const current = async (resource: string, id: string) =>
    (await tagsOf(deps.db, resource, [id])).get(id) ?? []
  /** Replaces the tags; a change bumps the resource's revision_number, as Neutron's does. */
  const replace = async (resource: string, id: string, before: string[], after: string[]) => {
    const same = before.length === after.length && after.every((t) => before.includes(t))
    if (same) return
    await setTags(deps.db, resource, id, after)
    const table = TABLES[resource as keyof typeof TABLES] as
      (typeof TABLES)[keyof typeof TABLES] | undefined
    if (table) await bumpRevision(deps, table, id, {})
  }

  app.route({
    method: 'GET',
    url: '/v2.0/:resource/:id/tags',
    access: 'token',
    handler: async (req) => {
      const { resource, id } = await target(req)
      return { tags: await current(resource, id) }
    },
  })
  app.route({
    method: 'PUT',
    url: '/v2.0/:resource/:id/tags',
    access: 'token',
    handler: async (req) => {
      const { resource, id } = await target(req)
      const tags = (req.body as { tags?: unknown } | undefined)?.tags
      if (!Array.isArray(tags)) throw networkErrors.invalidInput('Invalid tags body')
      const wanted = [...new Set(tags.map(checkTag))]
      await replace(resource, id, await current(resource, id), wanted)
      return { tags: await current(resource, id) }
    },
  })
  app.route({
    method: 'DELETE',
    url: '/v2.0/:resource/:id/tags',
    access: 'token',
    handler: async (req, reply) => {
      const { resource, id } = await target(req)
      await replace(resource, id, await current(resource, id), [])
      return reply.code(204).send()
    },
  })
  app.route({
    method: 'GET',
    url: '/v2.0/:resource/:id/tags/:tag',
    access: 'token',
    handler: async (req, reply) => {
      const { resource, id } = await target(req)
      const { tag } = req.params as { tag: string }
      if (!(await current(resource, id)).includes(tag)) throw tagNotFound(tag)
      return reply.code(204).send()
    },
  })
  app.route({
    method: 'PUT',
    url: '/v2.0/:resource/:id/tags/:tag',
    access: 'token',
    handler: async (req, reply) => {
      const { resource, id } = await target(req)
      const tag = checkTag((req.params as { tag: string }).tag)
      const tags = await current(resource, id)
      await replace(resource, id, tags, tags.includes(tag) ? tags : [...tags, tag])
      return reply.code(201).send()
    },
  })
  app.route({
    method: 'DELETE',
    url: '/v2.0/:resource/:id/tags/:tag',
    access: 'token',
    handler: async (req, reply) => {
      const { resource, id } = await target(req)
      const { tag } = req.params as { tag: string }
      const tags = await current(resource, id)
      if (!tags.includes(tag)) throw tagNotFound(tag)
      await replace(
        resource,
        id,
        tags,
        tags.filter((t) => t !== tag),
      )
      return reply.code(204).send()
    },
  })
}
