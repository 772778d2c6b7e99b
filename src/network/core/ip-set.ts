/**
 * @module Sets of addresses of one IP version as sorted, disjoint ranges, and back to CIDRs:
 * the arithmetic subnet pools need (netaddr's IPSet: union with compaction, difference,
 * subset and the fewest CIDRs covering a set).
 */
import { bitsOf, type Cidr, type IpVersion, lastOf } from './ip.js'

export type Range = readonly [bigint, bigint]

export function rangeOf(cidr: Cidr): Range {
  return [cidr.network, lastOf(cidr)]
}

/** The union of `ranges`, sorted, touching and overlapping ones merged. */
export function union(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const out: [bigint, bigint][] = []
  for (const [first, last] of sorted) {
    const prev = out[out.length - 1]
    if (prev && first <= prev[1] + 1n) {
      if (last > prev[1]) prev[1] = last
    } else out.push([first, last])
  }
  return out
}

/** What of `from` is not in `minus`. */
export function difference(from: readonly Range[], minus: readonly Range[]): Range[] {
  const cut = union(minus)
  const out: Range[] = []
  for (const [first, last] of union(from)) {
    let start = first
    for (const [a, b] of cut) {
      if (b < start || a > last) continue
      if (a > start) out.push([start, a - 1n])
      start = b + 1n
      if (start > last) break
    }
    if (start <= last) out.push([start, last])
  }
  return out
}

/** Whether every address of `inner` is in `outer`. */
export function isSubset(inner: readonly Range[], outer: readonly Range[]): boolean {
  return difference(inner, outer).length === 0
}

/** Whether the two sets share an address. */
export function intersects(a: readonly Range[], b: readonly Range[]): boolean {
  const merged = union(a)
  return union(b).some(([x, y]) => merged.some(([p, q]) => x <= q && p <= y))
}

/**
 * The fewest CIDRs covering exactly the set, in address order: each range is cut into the
 * largest aligned blocks that fit (netaddr's iter_cidrs of a compacted IPSet).
 */
export function cidrsOf(version: IpVersion, ranges: readonly Range[]): Cidr[] {
  const bits = bitsOf(version)
  const out: Cidr[] = []
  for (const [first, last] of union(ranges)) {
    let start = first
    while (start <= last) {
      let size = 0
      while (
        size < bits &&
        (start & ((1n << BigInt(size + 1)) - 1n)) === 0n &&
        start + (1n << BigInt(size + 1)) - 1n <= last
      )
        size++
      out.push({ version, network: start, prefix: bits - size })
      start += 1n << BigInt(size)
    }
  }
  return out
}
