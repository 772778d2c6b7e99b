/** @module /v3/domains/{id}/config and /v3/domains/config/.../default. */
import type { FastifyRequest } from 'fastify'
import { badRequest, forbidden } from '../errors.js'
import {
  CONFIG_DEFAULTS,
  type DomainConfig,
  deleteOptions,
  notFoundIn,
  readConfig,
  validateConfig,
  writeOptions,
} from '../core/domain-config.js'
import { getDomain } from '../core/projects.js'
import type { IdentityApi } from './identity-api.js'
import { params } from './request-helpers.js'

function configBody(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !('config' in body))
    throw badRequest(
      'Expecting to find config in request body. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.',
    )
  return body.config
}

export function domainConfigRoutes({ app, deps }: IdentityApi): void {
  const domainOf = async (req: FastifyRequest) => getDomain(deps.db, params(req).domain_id ?? '')

  async function groupOf(domainId: string, group: string): Promise<Record<string, unknown>> {
    const config = await readConfig(deps, domainId)
    const options = config[group]
    if (!options) throw notFoundIn(domainId, group)
    return options
  }

  app.route({
    method: 'PUT',
    url: '/v3/domains/:domain_id/config',
    access: { rule: 'identity:create_domain_config' },
    handler: async (req, reply) => {
      const domain = await domainOf(req.raw)
      const config = validateConfig(configBody(req.body))
      const had = Object.keys(await readConfig(deps, domain.id)).length > 0
      await deleteOptions(deps, domain.id).catch(() => undefined)
      await writeOptions(deps, domain.id, config)
      void reply.code(had ? 200 : 201)
      return { config: await readConfig(deps, domain.id) }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/domains/:domain_id/config',
    access: { rule: 'identity:get_domain_config' },
    handler: async (req) => {
      const domain = await domainOf(req.raw)
      const config = await readConfig(deps, domain.id)
      if (Object.keys(config).length === 0) throw notFoundIn(domain.id, undefined)
      return { config }
    },
  })

  app.route({
    method: 'PATCH',
    url: '/v3/domains/:domain_id/config',
    access: { rule: 'identity:update_domain_config' },
    handler: async (req) => {
      const domain = await domainOf(req.raw)
      await writeOptions(deps, domain.id, validateConfig(configBody(req.body)))
      return { config: await readConfig(deps, domain.id) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/domains/:domain_id/config',
    access: { rule: 'identity:delete_domain_config' },
    handler: async (req, reply) => {
      const domain = await domainOf(req.raw)
      await deleteOptions(deps, domain.id)
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/domains/config/default',
    access: { rule: 'identity:get_domain_config_default' },
    handler: () => ({ config: CONFIG_DEFAULTS }),
  })

  app.route({
    method: 'GET',
    url: '/v3/domains/config/:group/default',
    access: { rule: 'identity:get_domain_config_default' },
    handler: (req) => {
      const group = params(req.raw).group ?? ''
      const options = CONFIG_DEFAULTS[group]
      if (!options)
        throw forbidden(`Invalid domain specific configuration: group ${group} is not supported.`)
      return { config: { [group]: options } }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/domains/config/:group/:option/default',
    access: { rule: 'identity:get_domain_config_default' },
    handler: (req) => {
      const { group = '', option = '' } = params(req.raw)
      const options = CONFIG_DEFAULTS[group]
      if (!options || !(option in options))
        throw forbidden(
          `Invalid domain specific configuration: option ${option} in group ${group} is not supported.`,
        )
      return { config: { [option]: options[option] } }
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/domains/:domain_id/config/:group',
    access: { rule: 'identity:get_domain_config' },
    handler: async (req) => {
      const domain = await domainOf(req.raw)
      const group = params(req.raw).group ?? ''
      return { config: { [group]: await groupOf(domain.id, group) } }
    },
  })

  app.route({
    method: 'PATCH',
    url: '/v3/domains/:domain_id/config/:group',
    access: { rule: 'identity:update_domain_config' },
    handler: async (req) => {
      const domain = await domainOf(req.raw)
      const group = params(req.raw).group ?? ''
      const config = validateConfig(configBody(req.body))
      if (Object.keys(config).length !== 1 || !(group in config))
        throw forbidden(
          `Invalid domain specific configuration: the body must only contain group ${group}.`,
        )
      await groupOf(domain.id, group)
      await writeOptions(deps, domain.id, config)
      return { config: await readConfig(deps, domain.id) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/domains/:domain_id/config/:group',
    access: { rule: 'identity:delete_domain_config' },
    handler: async (req, reply) => {
      const domain = await domainOf(req.raw)
      await deleteOptions(deps, domain.id, params(req.raw).group ?? '')
      void reply.code(204)
    },
  })

  app.route({
    method: 'GET',
    url: '/v3/domains/:domain_id/config/:group/:option',
    access: { rule: 'identity:get_domain_config' },
    handler: async (req) => {
      const domain = await domainOf(req.raw)
      const { group = '', option = '' } = params(req.raw)
      const options = await groupOf(domain.id, group)
      if (!(option in options)) throw notFoundIn(domain.id, option)
      return { config: { [option]: options[option] } }
    },
  })

  app.route({
    method: 'PATCH',
    url: '/v3/domains/:domain_id/config/:group/:option',
    access: { rule: 'identity:update_domain_config' },
    handler: async (req) => {
      const domain = await domainOf(req.raw)
      const { group = '', option = '' } = params(req.raw)
      const body = configBody(req.body)
      if (
        typeof body !== 'object' ||
        body === null ||
        Object.keys(body).length !== 1 ||
        !(option in body)
      )
        throw forbidden(
          `Invalid domain specific configuration: the body must only contain option ${option}.`,
        )
      const options = await groupOf(domain.id, group)
      if (!(option in options)) throw notFoundIn(domain.id, option)
      const config: DomainConfig = { [group]: body as Record<string, unknown> }
      await writeOptions(deps, domain.id, validateConfig(config))
      return { config: await readConfig(deps, domain.id) }
    },
  })

  app.route({
    method: 'DELETE',
    url: '/v3/domains/:domain_id/config/:group/:option',
    access: { rule: 'identity:delete_domain_config' },
    handler: async (req, reply) => {
      const domain = await domainOf(req.raw)
      const { group = '', option = '' } = params(req.raw)
      await deleteOptions(deps, domain.id, group, option)
      void reply.code(204)
    },
  })
}
