/**
 * @module /os-availability-zone (any user) and /os-availability-zone/detail (admin): the zones
 * of enabled services (available) and the zones made only of disabled ones (not available).
 * The list hides the `internal` zone of the control-plane services; the detail shows it, with
 * each enabled service per host.
 */
import { INTERNAL_ZONE, serviceZones } from '../core/availability-zones.js'
import { isServiceUp, listServices } from '../core/services.js'
import { type ComputeApi, enforce } from './compute-api.js'
import { isoMicros } from './time-format.js'

interface ZoneEntry {
  zoneName: string
  zoneState: { available: boolean }
  hosts: Record<string, Record<string, unknown>> | null
}

export function availabilityZonesRoutes(api: ComputeApi): void {
  const { app, deps } = api

  /** Services with their zones, and the sorted available / unavailable zone names. */
  async function zones() {
    const services = await listServices(deps)
    const names = await serviceZones(deps, services)
    const zoned = services.map((s, i) => ({ ...s, zone: names[i] ?? INTERNAL_ZONE }))
    const available = [...new Set(zoned.filter((s) => s.disabled === 0).map((s) => s.zone))].sort()
    const unavailable = [
      ...new Set(
        zoned.filter((s) => s.disabled === 1 && !available.includes(s.zone)).map((s) => s.zone),
      ),
    ].sort()
    return { zoned, available, unavailable }
  }

  app.route({
    method: 'GET',
    url: '/v2.1/os-availability-zone',
    access: 'token',
    handler: async (req) => {
      enforce(api, req.raw, 'os_compute_api:os-availability-zone:list', {})
      const { available, unavailable } = await zones()
      const entry = (zoneName: string, isAvailable: boolean): ZoneEntry => ({
        zoneName,
        zoneState: { available: isAvailable },
        hosts: null,
      })
      return {
        availabilityZoneInfo: [
          ...available.filter((z) => z !== INTERNAL_ZONE).map((z) => entry(z, true)),
          ...unavailable.filter((z) => z !== INTERNAL_ZONE).map((z) => entry(z, false)),
        ],
      }
    },
  })

  app.route({
    method: 'GET',
    url: '/v2.1/os-availability-zone/detail',
    access: 'token',
    handler: async (req) => {
      enforce(api, req.raw, 'os_compute_api:os-availability-zone:detail', {})
      const { zoned, available, unavailable } = await zones()
      const info: ZoneEntry[] = available.map((zoneName) => {
        const hosts: Record<string, Record<string, unknown>> = {}
        for (const s of zoned) {
          if (s.zone !== zoneName || s.disabled === 1) continue
          hosts[s.host] = {
            ...hosts[s.host],
            [s.binary]: {
              available: isServiceUp(deps, s),
              active: true,
              updated_at: isoMicros(s.updated_at),
            },
          }
        }
        return { zoneName, zoneState: { available: true }, hosts }
      })
      for (const zoneName of unavailable)
        info.push({ zoneName, zoneState: { available: false }, hosts: null })
      return { availabilityZoneInfo: info }
    },
  })
}
