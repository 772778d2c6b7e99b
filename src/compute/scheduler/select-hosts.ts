/**
 * @module Host selection: filter, weigh, and pick among the best (Nova's FilterScheduler), as a
 * pure function over a snapshot. The claim that follows is a conditional update in the database,
 * so two concurrent decisions cannot over-commit a host (the loser tries the next one).
 */
import type { HostFilter } from './filters/filters.js'
import type { HostState, RequestSpec } from './host-state.js'
import { type HostWeigher, weighHosts } from './weighers/weighers.js'

export interface Selection {
  /** Candidates best first (the first is the choice; the rest are alternates for retries). */
  hosts: HostState[]
  /** Filter that left no host, for the "No valid host" fault. */
  rejectedBy?: string
}

export function selectHosts(
  request: RequestSpec,
  hosts: readonly HostState[],
  pipeline: {
    filters: readonly HostFilter[]
    weighers: readonly HostWeigher[]
    subsetSize: number
    random?: () => number
  },
): Selection {
  let candidates: readonly HostState[] = hosts
  if (request.forceHost !== undefined)
    candidates = candidates.filter((h) => h.host === request.forceHost)
  if (request.forceNode !== undefined)
    candidates = candidates.filter((h) => h.nodename === request.forceNode)
  if (request.requestedHost !== undefined)
    candidates = candidates.filter((h) => h.host === request.requestedHost)
  for (const filter of pipeline.filters) {
    // Forced hosts skip every filter but the resource ones, as in Nova.
    if (
      request.forceHost !== undefined &&
      !['RamFilter', 'DiskFilter', 'CoreFilter'].includes(filter.name)
    )
      continue
    const kept = candidates.filter((h) => filter.passes(h, request))
    if (kept.length === 0) return { hosts: [], rejectedBy: filter.name }
    candidates = kept
  }
  const weights = weighHosts(candidates, request, pipeline.weighers)
  const ranked = candidates
    .map((h, i) => ({ h, w: weights[i] ?? 0 }))
    .sort((a, b) => b.w - a.w)
    .map((e) => e.h)
  const subset = Math.min(pipeline.subsetSize, ranked.length)
  if (subset > 1) {
    const pick = Math.floor((pipeline.random ?? Math.random)() * subset)
    const [chosen] = ranked.splice(pick, 1)
    if (chosen) ranked.unshift(chosen)
  }
  return { hosts: ranked }
}
