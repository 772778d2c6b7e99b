/** @module /v2/images/{id}/members: sharing images between projects. */
import {
  addMember,
  deleteMember,
  getMember,
  listMembers,
  memberView,
  updateMember,
} from '../core/members.js'
import type { ImageApi } from './image-api.js'
import { callerOf, param } from './image-api.js'

export function membersRoutes({ app, deps }: ImageApi): void {
  app.route({
    method: 'POST',
    url: '/v2/images/:image_id/members',
    access: { rule: 'add_member' },
    handler: async (req) =>
      memberView(await addMember(deps, callerOf(req.raw), param(req.raw, 'image_id'), req.body)),
  })
  app.route({
    method: 'GET',
    url: '/v2/images/:image_id/members',
    access: { rule: 'get_members' },
    handler: async (req) => ({
      members: (await listMembers(deps, callerOf(req.raw), param(req.raw, 'image_id'))).map(
        memberView,
      ),
      schema: '/v2/schemas/members',
    }),
  })
  app.route({
    method: 'GET',
    url: '/v2/images/:image_id/members/:member_id',
    access: { rule: 'get_member' },
    handler: async (req) =>
      memberView(
        await getMember(
          deps,
          callerOf(req.raw),
          param(req.raw, 'image_id'),
          param(req.raw, 'member_id'),
        ),
      ),
  })
  app.route({
    method: 'PUT',
    url: '/v2/images/:image_id/members/:member_id',
    access: { rule: 'modify_member' },
    handler: async (req) =>
      memberView(
        await updateMember(
          deps,
          callerOf(req.raw),
          param(req.raw, 'image_id'),
          param(req.raw, 'member_id'),
          req.body,
        ),
      ),
  })
  app.route({
    method: 'DELETE',
    url: '/v2/images/:image_id/members/:member_id',
    access: { rule: 'delete_member' },
    handler: async (req, reply) => {
      await deleteMember(
        deps,
        callerOf(req.raw),
        param(req.raw, 'image_id'),
        param(req.raw, 'member_id'),
      )
      void reply.code(204)
    },
  })
}
