/**
 * @module Nova's JsonFilter query language: `["and", [">=", "$free_ram_mb", 1024], ...]` over
 * host attributes ($free_ram_mb, $free_disk_mb, $total_usable_ram_mb, $vcpus_total,
 * $vcpus_used, $hypervisor_type, $cpu_info.arch ...). As in Nova, a comparison holds when the
 * first argument compares so with every other one (fewer than two arguments: false), unknown
 * variables and empty strings are dropped from the arguments, `not` negates each argument, and
 * an empty query passes. A query that does not parse passes no host.
 */

type Json = string | number | boolean | null | Json[] | { [k: string]: Json }
type Value = unknown

/** Python truthiness: empty lists and strings, 0, None and False are false. */
function truthy(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0
  return Boolean(v)
}

function compare(op: string, a: Value, b: Value): boolean {
  if (op === '=') return a === b
  // Python 3 refuses to order a number against a string; the host does not match.
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false
  // SAFETY: both are numbers or both are strings (checked above).
  const [x, y] = [a as number, b as number]
  switch (op) {
    case '<':
      return x < y
    case '>':
      return x > y
    case '<=':
      return x <= y
    default:
      return x >= y
  }
}

function lookup(text: string, attributes: Readonly<Record<string, unknown>>): Value {
  if (text === '') return undefined
  if (!text.startsWith('$')) return text
  const [first, ...rest] = text.slice(1).split('.')
  let obj: unknown = attributes[first ?? '']
  for (const key of rest) {
    if (typeof obj === 'string') {
      try {
        obj = JSON.parse(obj) as unknown
      } catch {
        return undefined
      }
    }
    if (obj === null || typeof obj !== 'object') return undefined
    obj = (obj as Record<string, unknown>)[key]
  }
  return obj ?? undefined
}

const COMPARISONS = ['=', '<', '>', '<=', '>=']

function evaluate(query: Json[], attributes: Readonly<Record<string, unknown>>): Value {
  if (query.length === 0) return true
  const [op, ...raw] = query
  const args: Value[] = []
  for (const a of raw) {
    const v = Array.isArray(a)
      ? evaluate(a, attributes)
      : typeof a === 'string'
        ? lookup(a, attributes)
        : a
    if (v !== undefined && v !== null) args.push(v)
  }
  if (typeof op === 'string' && COMPARISONS.includes(op)) {
    if (args.length < 2) return false
    const [first, ...others] = args
    return others.every((o) => compare(op, first, o))
  }
  switch (op) {
    case 'in':
      return args.length >= 2 && args.slice(1).includes(args[0])
    case 'not':
      return args.map((a) => !truthy(a))
    case 'or':
      return args.some(truthy)
    case 'and':
      return args.every(truthy)
    default:
      throw new Error(`unknown JsonFilter command ${JSON.stringify(op)}`)
  }
}

export function jsonQueryPasses(
  query: string,
  attributes: Readonly<Record<string, unknown>>,
): boolean {
  try {
    const parsed = JSON.parse(query) as Json
    if (!Array.isArray(parsed)) return false
    const result = evaluate(parsed, attributes)
    // A top-level list (from `not`) passes when any of its items holds.
    return Array.isArray(result) ? result.some(truthy) : truthy(result)
  } catch {
    return false
  }
}
