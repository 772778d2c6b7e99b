/**
 * @module Python's repr() of JSON values: Neutron formats the offending input into messages
 * with `%s` ("The allocation pool {'start': '10.0.0.9', 'end': '10.0.0.2'} is not valid."), and
 * clients compare those messages verbatim.
 */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'string') return `'${value}'`
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`
  if (typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `'${k}': ${pyRepr(v)}`)
      .join(', ')}}`
  return 'None'
}

/** Python's str(): strings bare, everything else as repr. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value)
}
