/** @module Every error the identity service returns (messages as Keystone words them). */
import { AppError, defineErrors } from '../lib/errors/app-error.js'

export const identityErrors = defineErrors('IDENTITY', {
  notFound: ['NotFound', (p: { kind: string; id: string }) => `Could not find ${p.kind}: ${p.id}.`],
  tokenNotFound: ['NotFound', (p: { reason?: string }) => p.reason ?? 'Could not find token.'],
  conflict: [
    'Conflict',
    (p: { kind: string; detail: string }) =>
      `Conflict occurred attempting to store ${p.kind} - ${p.detail}.`,
  ],
  badRequest: ['BadRequest', (p: { message: string }) => p.message],
  forbidden: ['Forbidden', (p: { message: string }) => p.message],
  validation: ['BadRequest', (p: { message: string }) => p.message],
  forbiddenAction: [
    'Forbidden',
    (p: { action: string }) =>
      `You are not authorized to perform the requested action: ${p.action}.`,
  ],
  limitNotFound: [
    'NotFound',
    (p: { kind: 'registered limit' | 'limit'; id: string }) =>
      `Could not find ${p.kind} for ${p.id}.`,
  ],
  endpointNotInProject: [
    'NotFound',
    (p: { endpointId: string; projectId: string }) =>
      `Endpoint ${p.endpointId} not found in project ${p.projectId}`,
  ],
  endpointGroupNotInProject: [
    'NotFound',
    (_p: Record<string, never>) => 'Endpoint Group Project Association not found',
  ],
  impliedRoleNotFound: [
    'NotFound',
    (p: { priorRoleId: string; impliedRoleId: string }) =>
      `${p.priorRoleId} does not imply ${p.impliedRoleId}.`,
  ],
  roleAssignmentNotFound: [
    'NotFound',
    (p: { roleId: string; actorId: string; targetId: string }) =>
      `Could not find role assignment with role: ${p.roleId}, user or group: ${p.actorId}, project, domain, or system: ${p.targetId}.`,
  ],
})

export function unauthorized(
  message = 'The request you have made requires authentication.',
): AppError {
  return new AppError({ code: 'IDENTITY_UNAUTHORIZED', kind: 'Unauthorized', message })
}

export function notFound(kind: string, id: string): AppError {
  return identityErrors.notFound({ kind, id })
}

export function conflict(kind: string, detail: string): AppError {
  return identityErrors.conflict({ kind, detail })
}

export function badRequest(message: string): AppError {
  return identityErrors.badRequest({ message })
}

export function forbidden(message: string): AppError {
  return identityErrors.forbidden({ message })
}
