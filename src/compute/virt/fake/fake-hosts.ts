/** @module `[fake] hosts` names: `node1,node2` or ranges `node[1-100]` (zero-padded if the bounds are). */

export function expandHostNames(entries: readonly string[]): string[] {
  const out: string[] = []
  for (const entry of entries) {
    const m = /^(.*)\[(\d+)-(\d+)\](.*)$/.exec(entry.trim())
    if (!m) {
      if (entry.trim() !== '') out.push(entry.trim())
      continue
    }
    const [, head = '', from = '0', to = '0', tail = ''] = m
    const width = from.length > 1 && from.startsWith('0') ? from.length : 0
    for (let i = Number(from); i <= Number(to); i++)
      out.push(`${head}${String(i).padStart(width, '0')}${tail}`)
  }
  return [...new Set(out)]
}
