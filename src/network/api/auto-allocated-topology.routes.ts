/** @module /v2.0/auto-allocated-topology/{project_id}: show (building on first ask) and delete. */
import { deleteAutoAllocatedTopology, getAutoAllocatedTopology } from '../core/auto-allocate.js'
import { callerOf, type NetworkApi } from './collection.js'
import { type Query, values } from './list-query.js'

export function autoAllocatedTopologyRoutes({ app, deps }: NetworkApi): void {
  const url = '/v2.0/auto-allocated-topology/:project'
  app.route({
    method: 'GET',
    url,
    access: 'token',
    handler: async (req) => {
      const { project } = req.params as { project: string }
      const fields = values(req.query as Query, 'fields').filter((f) => f !== '')
      const topology = await getAutoAllocatedTopology(deps, callerOf(req.raw), project, fields)
      return { auto_allocated_topology: topology }
    },
  })
  app.route({
    method: 'DELETE',
    url,
    access: 'token',
    handler: async (req, reply) => {
      const { project } = req.params as { project: string }
      await deleteAutoAllocatedTopology(deps, callerOf(req.raw), project)
      return reply.code(204).send()
    },
  })
}
