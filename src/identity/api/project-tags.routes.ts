/** @module /v3/projects/{id}/tags: Keystone's project tags (note the odd 201 and 204 codes). */
import type { FastifyRequest } from 'fastify'
import { requestBaseUrl } from '../../lib/http/urls.js'
import { badRequest, identityErrors } from '../errors.js'
import { findProject, getProject, validateTags } from '../core/projects.js'
import type { IdentityApi } from './identity-api.js'
import { params } from './request-helpers.js'

export function projectTagRoutes({ app, deps }: IdentityApi): void {
  const target = async (req: FastifyRequest) => {
    const p = await findProject(deps.db, params(req).project_id ?? '')
    return { target: { project: p ?? { id: params(req).project_id } } }
  }
  const tagsOf = async (projectId: string) =>
    (
      await deps.db
        .selectFrom('project_tag')
        .select('name')
        .where('project_id', '=', projectId)
        .execute()
    ).map((r) => r.name)
  const body = (req: FastifyRequest, tags: string[]) => ({
    tags,
    links: { self: `${requestBaseUrl(req)}${req.url}` },
  })

  app.route({
    method: 'GET',
    url: '/v3/projects/:project_id/tags',
    access: { rule: 'identity:list_project_tags', target },
    handler: async (req) => {
      const p = await getProject(deps.db, params(req.raw).project_id ?? '')
      return body(req.raw, await tagsOf(p.id))
    },
  })

  app.route({
    method: 'PUT',
    url: '/v3/projects/:project_id/tags',
    access: { rule: 'identity:update_project_tags', target },
    handler: async (req) => {
      const p = await getProject(deps.db, params(req.raw).project_id ?? '')
      const raw = (req.body as { tags?: unknown } | undefined)?.tags
      const tags = validateTags(raw)
      await deps.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('project_tag').where('project_id', '=', p.id).execute()
        if (tags.length > 0)
          await trx
            .insertInto('project_tag')
            .values(tags.map((name) => ({ project_id: p.id, name })))
            .execute()
      })
      return body(req.raw, tags)
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/projects/:project_id/tags',
    access: { rule: 'identity:delete_project_tags', target },
    handler: async (req, reply) => {
      const p = await getProject(deps.db, params(req.raw).project_id ?? '')
      await deps.db.deleteFrom('project_tag').where('project_id', '=', p.id).execute()
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/projects/:project_id/tags/:tag',
    access: { rule: 'identity:get_project_tag', target },
    handler: async (req, reply) => {
      const p = await getProject(deps.db, params(req.raw).project_id ?? '')
      const tag = params(req.raw).tag ?? ''
      if (!(await tagsOf(p.id)).includes(tag))
        throw identityErrors.notFound({ kind: 'project tag', id: tag })
      void reply.code(204)
    },
  })

  app.route({
    method: 'PUT',
    url: '/v3/projects/:project_id/tags/:tag',
    access: { rule: 'identity:create_project_tag', target },
    handler: async (req, reply) => {
      const p = await getProject(deps.db, params(req.raw).project_id ?? '')
      const tag = params(req.raw).tag ?? ''
      const current = await tagsOf(p.id)
      if (current.includes(tag))
        throw badRequest(`Invalid input for field 'tags': duplicate tag '${tag}'.`)
      validateTags([...current, tag])
      await deps.db.insertInto('project_tag').values({ project_id: p.id, name: tag }).execute()
      void reply.code(201).header('location', `${requestBaseUrl(req.raw)}/v3/${p.id}/tags/${tag}`)
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/projects/:project_id/tags/:tag',
    access: { rule: 'identity:delete_project_tag', target },
    handler: async (req, reply) => {
      const p = await getProject(deps.db, params(req.raw).project_id ?? '')
      const tag = params(req.raw).tag ?? ''
      const res = await deps.db
        .deleteFrom('project_tag')
        .where('project_id', '=', p.id)
        .where('name', '=', tag)
        .executeTakeFirst()
      if (Number(res.numDeletedRows) === 0)
        throw identityErrors.notFound({ kind: 'project tag', id: tag })
      void reply.code(204)
    },
  })
}
