/**
 * @module The compute API application: Nova's URL map (`/v2.1[/<project_id>]/...`, legacy `/v2`),
 * microversion negotiation on every versioned request, Nova's fault bodies and validation
 * wording, and Nova's policy credentials (`is_admin` = the admin role).
 */
import type { FastifyRequest } from 'fastify'
import { policyCredentials, type AuthContext } from '../../lib/http/auth-context.js'
import { ServiceApp } from '../../lib/http/service-app.js'
import type { TokenValidator } from '../../lib/http/token-validator.js'
import type { Logger } from '../../lib/log/logger.js'
import { PolicyEnforcer } from '../../lib/policy/enforcer.js'
import { computeErrors } from '../errors.js'
import { computePolicies } from '../policies.js'
import { negotiate, parseVersion, MIN_MICROVERSION } from './microversion.js'
import { novaValidationMessage } from './validation-message.js'

/** `/v2/...` is the legacy v2 API: same handlers, pinned to 2.1, no microversion headers. */
export function isLegacyV2(req: FastifyRequest): boolean {
  return /^\/v2(?:\/|$|\?)/.test(req.originalUrl)
}

/** Routes live at /v2.1/...; the project id in the URL (optional in Nova) is dropped here. */
export function rewriteComputeUrl(url: string): string {
  return url
    .replace(/^\/v2(?=\/|$|\?)/, '/v2.1')
    .replace(/^\/v2\.1\/[0-9a-f-]{8,}(?=\/|$|\?)/, '/v2.1')
}

function projectInUrl(req: FastifyRequest): string | undefined {
  return /^\/v2(?:\.1)?\/([0-9a-f-]{8,})(?:\/|$|\?)/.exec(req.originalUrl)?.[1]
}

function novaCredentials(auth: AuthContext | undefined) {
  const creds = policyCredentials(auth)
  return { ...creds, is_admin: auth?.roles.some((r) => r.toLowerCase() === 'admin') ?? false }
}

export function buildComputeApp(options: {
  log: Logger
  tokens: TokenValidator
  maxMicroversion: string
  policyFile: string | undefined
}): ServiceApp {
  const max = parseVersion(options.maxMicroversion) ?? MIN_MICROVERSION
  const app = new ServiceApp({
    service: 'compute',
    faultStyle: 'nova',
    log: options.log,
    policy: new PolicyEnforcer(
      computePolicies,
      options.policyFile,
      (rule) => `Policy doesn't allow ${rule} to be performed.`,
    ),
    tokens: options.tokens,
    credentials: novaCredentials,
    validationMessage: novaValidationMessage,
    rewriteUrl: rewriteComputeUrl,
    // Nova's router answers an unserved method with 404, not 405.
    methodNotAllowed: false,
    onRequest: (req, reply) => {
      void reply.header('x-compute-request-id', req.id)
      // The version list at / and the legacy v2 API know nothing of microversions.
      if (req.url === '/' || isLegacyV2(req)) return
      negotiate(req, reply, max)
    },
  })
  app.fastify.addHook('preHandler', async (req) => {
    const inUrl = projectInUrl(req)
    const context = req.auth?.projectId
    if (inUrl !== undefined && context !== undefined && inUrl !== context)
      throw computeErrors.badRequest(
        `Malformed request URL: URL's project_id '${inUrl}' doesn't match Context's project_id '${context}'`,
      )
  })
  return app
}
