/** @module /v2/schemas/*, /v2/info/* and /v2/tasks (admin). */
import {
  IMAGE_SCHEMA,
  IMAGES_SCHEMA,
  MEMBER_SCHEMA,
  MEMBERS_SCHEMA,
  TASK_SCHEMA,
  TASKS_SCHEMA,
} from '../core/image-schema.js'
import { taskView } from '../core/image-import.js'
import { UNIFIED_LIMITS, usage } from '../core/quotas.js'
import { imageErrors } from '../errors.js'
import type { ImageApi } from './image-api.js'
import { callerOf, param } from './image-api.js'

const SCHEMAS: Record<string, unknown> = {
  image: IMAGE_SCHEMA,
  images: IMAGES_SCHEMA,
  member: MEMBER_SCHEMA,
  members: MEMBERS_SCHEMA,
  task: TASK_SCHEMA,
  tasks: TASKS_SCHEMA,
}

export function discoveryRoutes({ app, deps }: ImageApi): void {
  for (const [name, schema] of Object.entries(SCHEMAS))
    app.route({ method: 'GET', url: `/v2/schemas/${name}`, access: 'token', handler: () => schema })

  app.route({
    method: 'GET',
    url: '/v2/info/import',
    access: 'token',
    handler: () => ({
      'import-methods': {
        description: 'Import methods available.',
        type: 'array',
        value: deps.config.enabledImportMethods,
      },
    }),
  })
  for (const url of ['/v2/info/stores', '/v2/info/stores/detail'])
    app.route({
      method: 'GET',
      url,
      access: 'token',
      handler: () => {
        throw imageErrors.forNotFound('Multi backend is not supported at this site.')
      },
    })
  app.route({
    method: 'GET',
    url: '/v2/info/usage',
    access: 'token',
    handler: async (req) => {
      const project = req.auth.projectId
      if (!deps.config.useKeystoneLimits || project === undefined) return { usage: {} }
      const out: Record<string, { usage: number; limit: number | null }> = {}
      for (const resource of UNIFIED_LIMITS)
        out[resource] = {
          usage: await usage(deps, project, resource),
          limit: (await deps.limits(project, resource)) ?? null,
        }
      return { usage: out }
    },
  })

  app.route({
    method: 'GET',
    url: '/v2/tasks',
    access: { rule: 'tasks_api_access' },
    handler: async (req) => {
      const caller = callerOf(req.raw)
      let q = deps.db.selectFrom('task').selectAll()
      if (!caller.isAdmin) q = q.where('owner', '=', caller.projectId ?? '')
      const tasks = await q
        .orderBy('created_at', 'desc')
        .limit(deps.config.limitParamDefault)
        .execute()
      return {
        tasks: tasks.map((t) => {
          const { input: _i, result: _r, message: _m, ...stub } = taskView(t)
          return stub
        }),
        first: '/v2/tasks',
        schema: '/v2/schemas/tasks',
      }
    },
  })
  app.route({
    method: 'GET',
    url: '/v2/tasks/:task_id',
    access: { rule: 'tasks_api_access' },
    handler: async (req) => {
      const id = param(req.raw, 'task_id')
      const task = await deps.db
        .selectFrom('task')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      if (!task) throw imageErrors.forNotFound(`Task with the given id ${id} was not found`)
      return taskView(task)
    },
  })
}
