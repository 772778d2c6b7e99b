/**
 * @module The HTTP side of a service: a Fastify app with OpenStack's conventions built in —
 * request ids, one error dialect per service, strict JSON-schema validation, token
 * authentication, and a policy on every route (a route cannot be declared without one).
 */
import type { Static, TSchema } from '@sinclair/typebox'
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type HTTPMethods,
} from 'fastify'
import { AppError, isAppError } from '../errors/app-error.js'
import { requestId } from '../ids/ids.js'
import type { Logger } from '../log/logger.js'
import type { Credentials, PolicyEnforcer, Target } from '../policy/enforcer.js'
import { type AuthContext, policyCredentials } from './auth-context.js'
import { type FaultStyle, renderFault } from './faults.js'
import type { TokenValidator } from './token-validator.js'
import { ValidationError, validatorCompiler } from './validation.js'

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | undefined
  }
  interface FastifyContextConfig {
    access?: Access
  }
}

/**
 * Who may call a route: anyone (`public`), any valid token (`token`, the handler checks
 * further), or a named policy rule evaluated against a target built from the request.
 */
export type Access =
  'public' | 'token' | { rule: string; target?: (req: FastifyRequest) => Target | Promise<Target> }

export interface ServiceAppOptions {
  service: string
  faultStyle: FaultStyle
  log: Logger
  policy: PolicyEnforcer
  /** Absent: only public routes can be served. */
  tokens?: TokenValidator
  bodyLimit?: number
  /** Headers added to every 401 (Keystone's WWW-Authenticate). */
  unauthorizedHeaders?: (req: FastifyRequest) => Record<string, string>
  /** Extra headers on every response (Nova's microversion headers are set per request). */
  responseHeaders?: Record<string, string>
  /** Whether `/x/` routes like `/x` (Keystone, Nova) or is a 404 (Glance). Default true. */
  ignoreTrailingSlash?: boolean
  /** Whether HEAD answers every GET route (Keystone) or is a 405 (Glance). Default true. */
  headForGet?: boolean
  /** Rewrites the URL before routing (Glance's version negotiation). */
  rewriteUrl?: (url: string) => string
  /** Routes (URL patterns) whose handlers get the request body as an unread stream (uploads). */
  streamingRoutes?: readonly string[]
  /** Runs first on every request, before authentication (Nova's microversion negotiation). */
  onRequest?: (req: FastifyRequest, reply: FastifyReply) => void
  /** The policy credentials of a caller (default: Keystone's view, policyCredentials()). */
  credentials?: (auth: AuthContext | undefined) => Credentials
  /**
   * A known path with a method it does not serve: 405 with Allow (default), or 404 as routes-
   * based routers (Nova's) answer.
   */
  methodNotAllowed?: boolean
  /** Words a schema violation the service's way (default: Keystone's). */
  validationMessage?: (err: ValidationError) => string
}

const METHODS: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

export interface RouteRequest<P, Q, B> {
  params: P
  query: Q
  body: B
  /** Present on every route whose access is not 'public'. */
  auth: AuthContext
  raw: FastifyRequest
}

export interface RouteSpec<P extends TSchema, Q extends TSchema, B extends TSchema> {
  method: HTTPMethods | HTTPMethods[]
  url: string
  access: Access
  params?: P
  query?: Q
  body?: B
  /** Returns the JSON body (status 200 unless the handler sets another on reply). */
  handler: (req: RouteRequest<Static<P>, Static<Q>, Static<B>>, reply: FastifyReply) => unknown
}

export class ServiceApp {
  readonly fastify: FastifyInstance
  readonly options: ServiceAppOptions
  /** url pattern -> methods served, to answer other methods with 405 and an Allow header. */
  readonly #methods = new Map<string, Set<string>>()
  #sealed = false

  constructor(options: ServiceAppOptions) {
    this.options = options
    const app = Fastify({
      // SAFETY: pino's Logger is a FastifyBaseLogger; tsc needs the widening, eslint cannot see why.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
      loggerInstance: options.log as FastifyBaseLogger,
      // One line per request is logged in onResponse, as oslo's wsgi does.
      logController: new LogController({ disableRequestLogging: true }),
      genReqId: () => requestId(),
      routerOptions: {
        ignoreTrailingSlash: options.ignoreTrailingSlash ?? true,
        ignoreDuplicateSlashes: true,
        // OpenStack ids and names reach 255 characters (flavor ids, key pair names).
        maxParamLength: 1024,
      },
      exposeHeadRoutes: options.headForGet ?? true,
      rewriteUrl: (req) => {
        const url = req.url ?? '/'
        return options.rewriteUrl ? options.rewriteUrl(url) : url
      },
      bodyLimit: options.bodyLimit ?? 1024 * 1024,
      return503OnClosing: true,
    })
    app.decorateRequest('auth', undefined)
    app.setValidatorCompiler(validatorCompiler)
    this.#installBodyParser(app)
    app.addHook('onRequest', async (req, reply) => {
      void reply.header('x-openstack-request-id', req.id).header('vary', 'X-Auth-Token')
      for (const [k, v] of Object.entries(options.responseHeaders ?? {})) void reply.header(k, v)
      options.onRequest?.(req, reply)
      await this.#authenticate(req)
    })
    app.addHook('onResponse', (req, reply, done) => {
      options.log.info(
        {
          reqId: req.id,
          method: req.method,
          url: req.url,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request',
      )
      done()
    })
    app.setErrorHandler((err: FastifyError, req, reply) => this.#sendError(err, req, reply))
    app.setNotFoundHandler((req, reply) =>
      this.#sendError(
        new AppError({
          code: 'HTTP_NOT_FOUND',
          kind: 'NotFound',
          message: 'The resource could not be found.',
        }),
        req,
        reply,
      ),
    )
    this.fastify = app
  }

  route<P extends TSchema, Q extends TSchema, B extends TSchema>(spec: RouteSpec<P, Q, B>): void {
    const { access, handler } = spec
    const policy = this.options.policy
    const served = this.#methods.get(spec.url) ?? new Set<string>()
    for (const m of Array.isArray(spec.method) ? spec.method : [spec.method]) served.add(m)
    this.#methods.set(spec.url, served)
    this.fastify.route({
      method: spec.method,
      url: spec.url,
      config: { access },
      schema: {
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.query ? { querystring: spec.query } : {}),
        ...(spec.body ? { body: spec.body } : {}),
      },
      // Policy before schema validation, as OpenStack does: a caller who may not create
      // something learns 403, not what is wrong with the body.
      preValidation: async (req) => {
        if (typeof access !== 'object') return
        const target = access.target ? await access.target(req) : { ...(req.params as object) }
        policy.enforce(access.rule, target, this.#credentials(req.auth))
      },
      handler: async (req, reply) =>
        handler(
          {
            // SAFETY: Fastify validated params, query and body against these schemas.
            params: req.params,
            query: req.query,
            body: req.body,
            // SAFETY: #authenticate set auth for every non-public route before this runs.
            auth: req.auth as AuthContext,
            raw: req,
          },
          reply,
        ),
    })
  }

  /** Enforces a rule from inside a handler (when the target needs the loaded resource). */
  enforce(rule: string, target: Target, auth: AuthContext | undefined): void {
    this.options.policy.enforce(rule, target, this.#credentials(auth))
  }

  allows(rule: string, target: Target, auth: AuthContext | undefined): boolean {
    return this.options.policy.allows(rule, target, this.#credentials(auth))
  }

  /**
   * Adds a 405 route (with `Allow`) for every method a known path does not serve, as OpenStack
   * services answer. Call once every route is declared; listen() does.
   */
  seal(): void {
    if (this.#sealed) return
    this.#sealed = true
    if (this.options.methodNotAllowed === false) return
    const head = this.options.headForGet ?? true
    for (const [url, served] of this.#methods) {
      const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']
      const allowed = order.filter(
        (m) => served.has(m) || (m === 'HEAD' && head && served.has('GET')),
      )
      const missing = METHODS.filter((m) => !served.has(m))
      if (missing.length === 0) continue
      const allow = allowed.join(', ')
      this.fastify.route({
        method: missing,
        url,
        config: { access: 'public' },
        handler: (req) => {
          throw new AppError({
            code: 'HTTP_METHOD_NOT_ALLOWED',
            kind: 'MethodNotAllowed',
            message: `The method ${req.method} is not allowed for this resource.`,
            details: { allow },
          })
        },
      })
    }
  }

  async listen(host: string, port: number): Promise<string> {
    this.seal()
    return this.fastify.listen({ host, port })
  }

  async close(): Promise<void> {
    await this.fastify.close()
  }

  #credentials(auth: AuthContext | undefined): Credentials {
    return this.options.credentials ? this.options.credentials(auth) : policyCredentials(auth)
  }

  async #authenticate(req: FastifyRequest): Promise<void> {
    const access = req.routeOptions.config.access
    const header = req.headers['x-auth-token']
    const token = Array.isArray(header) ? header[0] : header
    if (access === undefined || access === 'public') {
      // Public routes still learn who is calling when a valid token is sent.
      if (token && this.options.tokens)
        req.auth = await this.options.tokens.validate(token).catch(() => undefined)
      return
    }
    if (!token || !this.options.tokens)
      throw new AppError({
        code: 'AUTH_REQUIRED',
        kind: 'Unauthorized',
        message: 'The request you have made requires authentication.',
      })
    req.auth = await this.options.tokens.validate(token)
  }

  #installBodyParser(app: FastifyInstance): void {
    app.removeAllContentTypeParsers()
    const streaming = new Set(this.options.streamingRoutes ?? [])
    const limit = this.options.bodyLimit ?? 1024 * 1024
    // Bodies are JSON whatever their Content-Type says (old clients omit it; OpenStack clients
    // send application/json on bodiless GETs and DELETEs), except on streaming routes (uploads),
    // whose handlers read the request stream themselves.
    const parser = (
      req: FastifyRequest,
      payload: NodeJS.ReadableStream,
      done: (err: Error | null, body?: unknown) => void,
    ) => {
      if (streaming.has(req.routeOptions.url ?? '')) {
        done(null, payload)
        return
      }
      readJson(payload, limit).then(
        (body) => done(null, body),
        (err: unknown) => done(err as Error),
      )
    }
    app.addContentTypeParser('*', parser)
  }

  #sendError(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
    const appError = toAppError(err, this.options.validationMessage)
    if (!appError) this.options.log.error({ err, reqId: req.id }, 'unexpected error')
    const status = appError?.status ?? 500
    const message =
      appError?.message ??
      `An unexpected error prevented the server from fulfilling your request. (request id ${req.id})`
    const headers =
      status === 401 && this.options.unauthorizedHeaders
        ? this.options.unauthorizedHeaders(req)
        : {}
    const allow = appError?.details.allow
    if (typeof allow === 'string') headers.allow = allow
    for (const [k, v] of Object.entries(appError?.details.headers ?? {}))
      if (typeof v === 'string') headers[k] = v
    const type = appError?.details.type
    const fault = renderFault(this.options.faultStyle, {
      status,
      message,
      type: typeof type === 'string' ? type : undefined,
      headers,
      accept: req.headers.accept,
    })
    void reply.code(fault.status).type(fault.contentType).headers(fault.headers)
    return reply.send(fault.body)
  }
}

/** Reads a JSON body of at most `limit` bytes; an empty body is undefined. */
async function readJson(stream: NodeJS.ReadableStream, limit: number): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    size += buf.length
    if (size > limit)
      throw new AppError({
        code: 'HTTP_BODY_TOO_LARGE',
        kind: 'PayloadTooLarge',
        message: `Request body is larger than ${limit} bytes.`,
      })
    chunks.push(buf)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new AppError({
      code: 'HTTP_MALFORMED_JSON',
      kind: 'BadRequest',
      message:
        'Expecting to find valid JSON in request body. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.',
    })
  }
}

/** Turns what Fastify and ajv throw into the AppError they mean; undefined for defects. */
function toAppError(err: unknown, word?: (err: ValidationError) => string): AppError | undefined {
  if (isAppError(err)) return err
  if (err instanceof ValidationError)
    return new AppError({
      code: 'HTTP_VALIDATION',
      kind: 'BadRequest',
      message: word ? word(err) : err.message,
    })
  const fe = err as Partial<FastifyError> & { validation?: unknown }
  if (fe.validation !== undefined && typeof fe.message === 'string') {
    return new AppError({
      code: 'HTTP_VALIDATION',
      kind: 'BadRequest',
      message: fe.message.replace(/^(body|querystring|params) /, ''),
    })
  }
  const status = fe.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const kind =
      status === 415
        ? 'UnsupportedMediaType'
        : status === 413
          ? 'PayloadTooLarge'
          : status === 404
            ? 'NotFound'
            : 'BadRequest'
    return new AppError({
      code: `HTTP_${fe.code ?? status}`,
      kind,
      status,
      message: fe.message ?? 'Bad request.',
    })
  }
  return undefined
}
