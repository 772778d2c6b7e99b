/** @module What a server action handler receives and declares (POST /servers/{id}/action). */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Caller } from '../../core/deps.js'
import type { InstanceRow } from '../../core/servers/records.js'
import type { ComputeApi } from '../compute-api.js'
import { serverFor } from '../servers.routes.js'

export interface ActionRequest {
  api: ComputeApi
  req: FastifyRequest
  reply: FastifyReply
  /** The whole body: `{ "<action>": <value> }`. */
  body: Record<string, unknown>
  caller: Caller
}

export interface ActionHandler {
  /** First microversion that has the action. */
  min?: string
  /** First microversion that no longer has it. */
  until?: string
  handle(a: ActionRequest): Promise<unknown>
}

/** Loads the server (404) and checks the action's policy on it (403), in Nova's order. */
export function target(a: ActionRequest, rule: string): Promise<InstanceRow> {
  return serverFor(a.api, a.req, rule)
}

/** 202 with no body, as nearly every action answers. */
export function accepted(a: ActionRequest): undefined {
  void a.reply.code(202)
  return undefined
}
