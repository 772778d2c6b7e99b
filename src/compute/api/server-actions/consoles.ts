/**
 * @module os-getConsoleOutput and the pre-2.6 console actions (os-getVNCConsole and the
 * disabled SPICE/RDP/serial ones); 2.6 replaced them by POST /servers/{id}/remote-consoles.
 */
import { Type } from '@sinclair/typebox'
import { consoleOutput, remoteConsole } from '../../core/servers/actions/consoles.js'
import { validateBody } from '../compute-api.js'
import type { ActionHandler } from './action.js'
import { target } from './action.js'

const strict = { additionalProperties: false }

const consoleOutputSchema = Type.Object(
  {
    'os-getConsoleOutput': Type.Object(
      {
        length: Type.Optional(
          Type.Union([
            Type.Integer({ minimum: -1 }),
            Type.String({ pattern: '^-?[0-9]+$' }),
            Type.Null(),
          ]),
        ),
      },
      strict,
    ),
  },
  strict,
)

function consoleAction(key: string, protocol: string, types: string[]): ActionHandler {
  const schema = Type.Object(
    { [key]: Type.Object({ type: Type.String({ enum: types }) }, strict) },
    strict,
  )
  return {
    until: '2.6',
    handle: async (a) => {
      const body = validateBody(schema, a.body)
      // SAFETY: the schema requires the key and its type.
      const type = (body[key] as { type: string }).type
      const row = await target(a, 'os_compute_api:os-remote-consoles')
      const action = protocol === 'vnc' ? 'get_vnc_console' : `get_${protocol}_console`
      const url = await remoteConsole(a.api.deps, row, protocol, type, action)
      return { console: { type, url } }
    },
  }
}

export const CONSOLE_ACTIONS: Record<string, ActionHandler> = {
  'os-getConsoleOutput': {
    handle: async (a) => {
      const body = validateBody(consoleOutputSchema, a.body)
      const raw = body['os-getConsoleOutput'].length
      // A string length is not range-checked (JSON schema's minimum ignores strings), as in Nova.
      const length = raw === undefined || raw === null ? undefined : Number(raw)
      const row = await target(a, 'os_compute_api:os-console-output')
      return { output: await consoleOutput(a.api.deps, row, length) }
    },
  },
  'os-getVNCConsole': consoleAction('os-getVNCConsole', 'vnc', ['novnc', 'xvpvnc']),
  'os-getSPICEConsole': consoleAction('os-getSPICEConsole', 'spice', ['spice-html5']),
  'os-getRDPConsole': consoleAction('os-getRDPConsole', 'rdp', ['rdp-html5']),
  'os-getSerialConsole': consoleAction('os-getSerialConsole', 'serial', ['serial']),
}
