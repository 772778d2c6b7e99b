/**
 * @module resize, confirmResize (204), revertResize, migrate (2.56 host), os-migrateLive
 * (four microversion bands) and evacuate (four bands, 200).
 */
import { type TSchema, Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  confirmResize,
  evacuate,
  liveMigrate,
  resizeOrMigrate,
  revertResize,
} from '../../core/servers/actions/moves.js'
import { generatePassword } from '../../core/servers/names.js'
import { computeErrors } from '../../errors.js'
import { mv, validateBody } from '../compute-api.js'
import * as p from '../parameter-types.js'
import { type ActionHandler, accepted, target } from './action.js'

const strict = { additionalProperties: false }
const host = Type.Union([p.fqdn, Type.Null()])

const resizeSchema = Type.Object(
  {
    resize: Type.Object(
      {
        flavorRef: Type.Union([Type.String({ minLength: 1 }), Type.Integer()]),
        'OS-DCF:diskConfig': Type.Optional(p.diskConfig),
      },
      strict,
    ),
  },
  strict,
)

const migrateSchema = Type.Object(
  { migrate: Type.Union([Type.Object({ host: Type.Optional(host) }, strict), Type.Null()]) },
  strict,
)

function liveSchema(req: FastifyRequest): TSchema {
  const props: Record<string, TSchema> = { host }
  if (!mv(req, '2.25')) {
    props.block_migration = p.boolean
    props.disk_over_commit = p.boolean
  } else {
    props.block_migration = Type.Union([p.boolean, Type.Literal('auto')])
    if (mv(req, '2.30') && !mv(req, '2.68')) props.force = Type.Optional(p.boolean)
  }
  return Type.Object({ 'os-migrateLive': Type.Object(props, strict) }, strict)
}

function evacuateSchema(req: FastifyRequest): TSchema {
  const props: Record<string, TSchema> = {
    host: Type.Optional(p.fqdn),
    adminPass: Type.Optional(Type.String()),
  }
  if (!mv(req, '2.14')) props.onSharedStorage = p.boolean
  if (mv(req, '2.29') && !mv(req, '2.68')) props.force = Type.Optional(p.boolean)
  return Type.Object({ evacuate: Type.Object(props, strict) }, strict)
}

/** Schemas built per request band are cached by band. */
const bandCache = new Map<string, TSchema>()
function cached(key: string, build: () => TSchema): TSchema {
  let s = bandCache.get(key)
  if (!s) {
    s = build()
    bandCache.set(key, s)
  }
  return s
}

/** A forced destination skips the scheduler; 2.30/2.29 made it explicit (host alone was forced). */
function forcedFlag(
  req: FastifyRequest,
  since: string,
  hostName: string | undefined,
  force: boolean | string | undefined,
): boolean {
  if (!mv(req, since)) return hostName !== undefined
  const forced = p.toBool(force)
  if (forced && hostName === undefined)
    throw computeErrors.badRequest("Can't force to a non-provided destination")
  return forced
}

export const MOVE_ACTIONS: Record<string, ActionHandler> = {
  resize: {
    handle: async (a) => {
      const body = validateBody(resizeSchema, a.body)
      const row = await target(a, 'os_compute_api:servers:resize')
      await resizeOrMigrate(a.api.deps, a.caller, row, {
        flavorRef: String(body.resize.flavorRef),
        diskConfig: body.resize['OS-DCF:diskConfig'],
      })
      return accepted(a)
    },
  },
  confirmResize: {
    handle: async (a) => {
      const row = await target(a, 'os_compute_api:servers:confirm_resize')
      await confirmResize(a.api.deps, a.caller, row)
      void a.reply.code(204)
      return undefined
    },
  },
  revertResize: {
    handle: async (a) => {
      const row = await target(a, 'os_compute_api:servers:revert_resize')
      await revertResize(a.api.deps, a.caller, row)
      return accepted(a)
    },
  },
  migrate: {
    handle: async (a) => {
      const hostName = mv(a.req, '2.56')
        ? (validateBody(migrateSchema, a.body).migrate?.host ?? undefined)
        : undefined
      const row = await target(a, 'os_compute_api:os-migrate-server:migrate')
      await resizeOrMigrate(a.api.deps, a.caller, row, { host: hostName })
      return accepted(a)
    },
  },
  'os-migrateLive': {
    handle: async (a) => {
      const band = ['2.25', '2.30', '2.68'].filter((v) => mv(a.req, v)).join()
      // SAFETY: the band's schema accepted the body.
      const body = validateBody(
        cached(`live${band}`, () => liveSchema(a.req)),
        a.body,
      ) as {
        'os-migrateLive': { host: string | null; force?: boolean | string }
      }
      const live = body['os-migrateLive']
      const hostName = live.host ?? undefined
      const force = forcedFlag(a.req, '2.30', hostName, live.force)
      const row = await target(a, 'os_compute_api:os-migrate-server:migrate_live')
      await liveMigrate(a.api.deps, a.caller, row, {
        host: hostName,
        force,
        async: mv(a.req, '2.34'),
      })
      return accepted(a)
    },
  },
  evacuate: {
    handle: async (a) => {
      const band = ['2.14', '2.29', '2.68'].filter((v) => mv(a.req, v)).join()
      // SAFETY: the band's schema accepted the body.
      const body = validateBody(
        cached(`evac${band}`, () => evacuateSchema(a.req)),
        a.body,
      ) as {
        evacuate: {
          host?: string
          adminPass?: string
          onSharedStorage?: boolean | string
          force?: boolean | string
        }
      }
      const e = body.evacuate
      const row = await target(a, 'os_compute_api:os-evacuate')
      const legacy = !mv(a.req, '2.14')
      const shared = legacy && p.toBool(e.onSharedStorage)
      if (shared && e.adminPass !== undefined)
        throw computeErrors.badRequest("admin password can't be changed on existing disk")
      const force = forcedFlag(a.req, '2.29', e.host, e.force)
      const password = e.adminPass ?? (shared ? null : generatePassword())
      await evacuate(a.api.deps, a.caller, row, { host: e.host, force, adminPass: password })
      void a.reply.code(200)
      return legacy ? { adminPass: password } : undefined
    },
  },
}
