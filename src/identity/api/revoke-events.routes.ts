/** @module GET /v3/OS-REVOKE/events: the revocation events, for services that cache tokens. */
import { isoMicrosZ, isoSecondsZ, parseTimestamp } from '../../lib/clock/timestamps.js'
import { requestBaseUrl } from '../../lib/http/urls.js'
import type { RevocationEvent } from '../core/revocations.js'
import { badRequest } from '../errors.js'
import type { IdentityApi } from './identity-api.js'

/** Whole seconds with `.000000Z`, as Keystone's isotime(subsecond=True). */
function subsecond(iso: string): string {
  return isoMicrosZ(new Date(Math.floor(Date.parse(iso) / 1000) * 1000))
}

/** Keystone's RevokeEvent.to_dict: only the fields an event sets. */
function eventView(e: RevocationEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const plain = {
    user_id: e.user_id,
    role_id: e.role_id,
    domain_id: e.domain_id,
    project_id: e.project_id,
    audit_id: e.audit_id,
    audit_chain_id: e.audit_chain_id,
  }
  for (const [k, v] of Object.entries(plain)) if (v !== null) out[k] = v
  if (e.trust_id !== null) out['OS-TRUST:trust_id'] = e.trust_id
  if (e.consumer_id !== null) out['OS-OAUTH1:consumer_id'] = e.consumer_id
  if (e.access_token_id !== null) out['OS-OAUTH1:access_token_id'] = e.access_token_id
  if (e.expires_at !== null) out.expires_at = isoSecondsZ(new Date(e.expires_at))
  out.issued_before = subsecond(e.issued_before)
  out.revoked_at = subsecond(e.revoked_at)
  return out
}

export function revokeEventsRoutes({ app, deps }: IdentityApi): void {
  app.route({
    method: 'GET',
    url: '/v3/OS-REVOKE/events',
    access: { rule: 'identity:list_revoke_events' },
    handler: async (req) => {
      // SAFETY: Fastify parses the query string into an object of strings.
      const since = (req.query as Record<string, unknown>).since
      let sinceIso: string | undefined
      if (typeof since === 'string' && since !== '') {
        const parsed = parseTimestamp(since)
        if (!parsed) throw badRequest(`invalidate date format ${since}`)
        sinceIso = parsed.toISOString()
      }
      await deps.revocations.refresh()
      return {
        events: deps.revocations.list(sinceIso).map(eventView),
        links: {
          next: null,
          self: `${requestBaseUrl(req.raw)}/v3/OS-REVOKE/events`,
          previous: null,
        },
      }
    },
  })
}
