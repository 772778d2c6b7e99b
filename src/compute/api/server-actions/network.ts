/**
 * @module The server actions that go to the network service: add/removeSecurityGroup (every
 * port of the server), add/removeFloatingIp and multinic's add/removeFixedIp (both gone from
 * 2.44). Each refreshes the server's network info cache, as Nova's refresh_cache does.
 */
import { Type } from '@sinclair/typebox'
import { checkLock } from '../../core/servers/guards.js'
import { fixedIpsOf, networkInfoOf, refreshNetworkInfo } from '../../core/servers/network-info.js'
import { computeErrors } from '../../errors.js'
import { type NetworkClient, novaExceptionOf, withStatuses } from '../../network-client.js'
import { enforce, param, validateBody } from '../compute-api.js'
import { serverOfAddress } from '../floating-ips.routes.js'
import { type ActionHandler, type ActionRequest, accepted, target } from './action.js'

const strict = { additionalProperties: false }
const ipAddress = Type.String({ anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] })

const addFloatingIpSchema = Type.Object(
  {
    addFloatingIp: Type.Object(
      { address: ipAddress, fixed_address: Type.Optional(ipAddress) },
      strict,
    ),
  },
  strict,
)
const removeFloatingIpSchema = Type.Object(
  { removeFloatingIp: Type.Object({ address: ipAddress }, strict) },
  strict,
)
const addFixedIpSchema = Type.Object(
  {
    addFixedIp: Type.Object(
      {
        networkId: Type.Union([Type.String({ minLength: 1, maxLength: 36 }), Type.Number()]),
      },
      strict,
    ),
  },
  strict,
)
const removeFixedIpSchema = Type.Object(
  { removeFixedIp: Type.Object({ address: ipAddress }, strict) },
  strict,
)

function networkOf(a: ActionRequest): NetworkClient {
  const network = a.api.deps.network
  if (!network) throw computeErrors.notImplemented('The requested functionality is not supported.')
  return network
}

/** Nova's SecurityGroupActionController._parse. */
function groupName(a: ActionRequest, action: string): string {
  const value = a.body[action]
  if (typeof value !== 'object' || value === null)
    throw computeErrors.badRequest('Missing parameter dict')
  if (!('name' in value)) throw computeErrors.badRequest('Security group not specified')
  const name = value.name
  if (typeof name !== 'string' || name.trim() === '')
    throw computeErrors.badRequest('Security group name cannot be empty')
  return name
}

function securityGroupAction(action: 'add' | 'remove'): ActionHandler {
  const key = action === 'add' ? 'addSecurityGroup' : 'removeSecurityGroup'
  return {
    handle: async (a) => {
      const row = await target(a, `os_compute_api:os-security-groups:${action}`)
      const name = groupName(a, key)
      const network = a.api.deps.network
      // Without a network service no group exists (as Nova in front of a Neutron without it).
      if (!network)
        throw computeErrors.notFound(
          `Security group ${name} is not found for project ${a.caller.projectId}`,
        )
      const change =
        action === 'add'
          ? network.addSecurityGroup(a.caller, row.id, name)
          : network.removeSecurityGroup(a.caller, row.id, name)
      await change.catch((err: unknown) => {
        throw withStatuses(err, {
          SecurityGroupNotFound: 'NotFound',
          NoUniqueMatch: 'Conflict',
          SecurityGroupCannotBeApplied: 'BadRequest',
        })
      })
      return accepted(a)
    },
  }
}

const addFloatingIp: ActionHandler = {
  until: '2.44',
  handle: async (a) => {
    const body = validateBody(addFloatingIpSchema, a.body).addFloatingIp
    const row = await target(a, 'os_compute_api:os-floating-ips:add')
    const network = networkOf(a)
    const address = body.address
    const cached = await networkInfoOf(a.api.deps.db, row.id)
    if (cached.length === 0) throw computeErrors.badRequest('Instance network is not ready yet')
    const fixed = fixedIpsOf(cached)
    if (fixed.length === 0) throw computeErrors.badRequest('No fixed IPs associated to instance')
    let fixedAddress = body.fixed_address
    if (fixedAddress !== undefined && !fixed.some((f) => f.address === fixedAddress))
      throw computeErrors.badRequest('Specified fixed address not assigned to instance')
    fixedAddress ??= fixed.find((f) => f.version === 4)?.address
    if (fixedAddress === undefined)
      throw computeErrors.badRequest(
        `Unable to associate floating IP ${address} to any fixed IPs for instance ${row.id}. Instance has no fixed IPv4 addresses to associate.`,
      )
    try {
      await network.associateFloatingIp(a.caller, row.id, address, fixedAddress)
    } catch (err) {
      const name = novaExceptionOf(err)
      if (name === 'FloatingIpAssociated')
        throw computeErrors.badRequest('floating IP is already associated')
      if (name === 'FloatingIpAssociateFailed')
        throw computeErrors.badRequest(err instanceof Error ? err.message : '')
      if (name === 'FloatingIpNotFoundForAddress')
        throw computeErrors.notFound('floating IP not found')
      if (name === 'Forbidden') throw withStatuses(err, { Forbidden: 'Forbidden' })
      const error = err instanceof Error ? err.message : String(err)
      throw computeErrors.badRequest(
        `Unable to associate floating IP ${address} to fixed IP ${fixedAddress} for instance ${row.id}. Error: ${error}`,
      )
    }
    await refreshNetworkInfo(a.api.deps, a.caller, row.id)
    return accepted(a)
  },
}

const removeFloatingIp: ActionHandler = {
  until: '2.44',
  handle: async (a) => {
    const address = validateBody(removeFloatingIpSchema, a.body).removeFloatingIp.address
    const server = await serverOfAddress(a.api, a.req, address)
    enforce(
      a.api,
      a.req,
      'os_compute_api:os-floating-ips:remove',
      server ? { project_id: server.project_id } : {},
    )
    const network = networkOf(a)
    const fip = await network.getFloatingIpByAddress(a.caller, address).catch((err: unknown) => {
      throw novaExceptionOf(err) === 'FloatingIpNotFoundForAddress'
        ? computeErrors.notFound('floating IP not found')
        : err
    })
    const id = param(a.req, 'server_id')
    if (!server || !fip.portId || server.id !== id.toLowerCase())
      throw computeErrors.conflict(`Floating IP ${address} is not associated with instance ${id}.`)
    await network.disassociateFloatingIp(a.caller, address)
    await refreshNetworkInfo(a.api.deps, a.caller, server.id)
    return accepted(a)
  },
}

/** multinic: Nova casts to the host and reports nothing back; so do we (failures are logged). */
function fixedIpAction(action: 'add' | 'remove'): ActionHandler {
  return {
    until: '2.44',
    handle: async (a) => {
      const body =
        action === 'add'
          ? { networkId: String(validateBody(addFixedIpSchema, a.body).addFixedIp.networkId) }
          : { address: validateBody(removeFixedIpSchema, a.body).removeFixedIp.address }
      const row = await target(a, `os_compute_api:os-multinic:${action}`)
      checkLock(a.caller, row)
      const network = networkOf(a)
      const deps = a.api.deps
      void (async () => {
        if ('networkId' in body) await network.addFixedIp(a.caller, row.id, body.networkId)
        else await network.removeFixedIp(a.caller, row.id, body.address)
        await refreshNetworkInfo(deps, a.caller, row.id)
      })().catch((err: unknown) =>
        deps.log.warn({ err, instanceId: row.id }, `multinic ${action} failed`),
      )
      return accepted(a)
    },
  }
}

export const NETWORK_ACTIONS: Record<string, ActionHandler> = {
  addSecurityGroup: securityGroupAction('add'),
  removeSecurityGroup: securityGroupAction('remove'),
  addFloatingIp,
  removeFloatingIp,
  addFixedIp: fixedIpAction('add'),
  removeFixedIp: fixedIpAction('remove'),
}
