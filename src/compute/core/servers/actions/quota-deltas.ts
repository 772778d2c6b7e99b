/**
 * @module The quota check of a resize (Nova's _check_quota_for_upsize): only growth counts, and
 * the refusal reads as Nova's TooManyInstances ("Quota exceeded for cores: Requested 2, but
 * already used 20 of 20 cores").
 */
import { computeErrors } from '../../../errors.js'
import type { ComputeDeps } from '../../deps.js'
import type { FlavorSnapshot } from '../../instance-spec.js'
import { instanceUsage, projectLimits, withProjectQuotaLock } from '../../quotas.js'
import type { InstanceRow } from '../records.js'

/** 403 unless growing the server from `from` to `to` fits its project's and user's quota. */
export async function checkUpsizeQuota(
  deps: ComputeDeps,
  row: InstanceRow,
  from: FlavorSnapshot,
  to: FlavorSnapshot,
): Promise<void> {
  const deltas = {
    cores: Math.max(0, to.vcpus - from.vcpus),
    ram: Math.max(0, to.memoryMb - from.memoryMb),
  }
  if (deltas.cores === 0 && deltas.ram === 0) return
  await withProjectQuotaLock(deps, row.project_id, async (trx) => {
    const scoped = { db: trx, quotaDefaults: deps.quotaDefaults }
    const limits = [
      [await projectLimits(scoped, row.project_id), await instanceUsage(trx, row.project_id)],
      [
        await projectLimits(scoped, row.project_id, row.user_id),
        await instanceUsage(trx, row.project_id, row.user_id),
      ],
    ] as const
    const over: ('cores' | 'ram')[] = []
    const used: number[] = []
    const allowed: number[] = []
    for (const r of ['cores', 'ram'] as const) {
      if (deltas[r] === 0) continue
      for (const [limit, usage] of limits) {
        if (limit[r] < 0 || usage[r] + deltas[r] <= limit[r]) continue
        over.push(r)
        used.push(usage[r])
        allowed.push(limit[r])
        break
      }
    }
    if (over.length > 0)
      throw computeErrors.quotaExceeded(
        `Quota exceeded for ${over.join(', ')}: Requested ${over.map((r) => deltas[r]).join(', ')}, but already used ${used.join(', ')} of ${allowed.join(', ')} ${over.join(', ')}`,
      )
  })
}
