/**
 * @module Keystone's list filters: exact `?name=x` (done in SQL), and the inexact operators
 * `__contains`, `__startswith`, `__endswith` (case-sensitive) and `__icontains`,
 * `__istartswith`, `__iendswith` (done in code, the same on every dialect). Only whitelisted
 * attributes filter; other query keys are ignored.
 */

const OPERATORS = [
  'contains',
  'startswith',
  'endswith',
  'icontains',
  'istartswith',
  'iendswith',
] as const
type Operator = (typeof OPERATORS)[number]

export interface InexactFilter {
  attribute: string
  op: Operator
  value: string
}

export interface Filters {
  /** attribute -> value, for SQL equality. */
  exact: Map<string, string>
  inexact: InexactFilter[]
}

/** Reads filters on the whitelisted attributes from a query object. */
export function readFilters(
  query: Readonly<Record<string, unknown>>,
  attributes: readonly string[],
): Filters {
  const exact = new Map<string, string>()
  const inexact: InexactFilter[] = []
  for (const [key, raw] of Object.entries(query)) {
    if (typeof raw !== 'string') continue
    const [attribute, op] = key.split('__', 2) as [string, string | undefined]
    if (!attributes.includes(attribute)) continue
    if (op === undefined) exact.set(attribute, raw)
    else if ((OPERATORS as readonly string[]).includes(op))
      inexact.push({ attribute, op: op as Operator, value: raw })
  }
  return { exact, inexact }
}

function test(actual: string, f: InexactFilter): boolean {
  const ci = f.op.startsWith('i')
  const a = ci ? actual.toLowerCase() : actual
  const v = ci ? f.value.toLowerCase() : f.value
  switch (f.op) {
    case 'contains':
    case 'icontains':
      return a.includes(v)
    case 'startswith':
    case 'istartswith':
      return a.startsWith(v)
    case 'endswith':
    case 'iendswith':
      return a.endsWith(v)
  }
}

export function applyInexact<T>(
  rows: T[],
  filters: readonly InexactFilter[],
  get: (row: T, attr: string) => unknown,
): T[] {
  if (filters.length === 0) return rows
  return rows.filter((row) =>
    filters.every((f) => {
      const v = get(row, f.attribute)
      return typeof v === 'string' && test(v, f)
    }),
  )
}

/** Keystone's strutils.bool_from_string(v, default=True) for ?enabled= and ?is_domain=. */
export function queryBool(value: string): boolean {
  return !['0', 'f', 'false', 'off', 'n', 'no'].includes(value.trim().toLowerCase())
}

/** Keystone's query_filter_is_true: a flag is on when present and not "0". */
export function queryFlag(query: Readonly<Record<string, unknown>>, key: string): boolean {
  if (!(key in query)) return false
  return query[key] !== '0'
}
