/**
 * @module A parser for oslo.config-style INI files: `[section]` headers, `key = value` lines,
 * `#` and `;` comment lines. A ` #` after a value starts a comment too (the sample documents
 * options inline); a value that needs ` #` can be quoted.
 */

export interface IniDocument {
  /** section -> key -> value; keys are lower-cased as oslo.config does. */
  sections: Map<string, Map<string, string>>
}

export interface IniSyntaxError {
  line: number
  message: string
}

export function parseIni(text: string): { doc: IniDocument; errors: IniSyntaxError[] } {
  const sections = new Map<string, Map<string, string>>()
  const errors: IniSyntaxError[] = []
  let current: Map<string, string> | undefined
  const lines = text.split(/\r?\n/)
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const header = /^\[([^\]]+)\]$/.exec(line)
    if (header?.[1] !== undefined) {
      const name = header[1].trim()
      current = sections.get(name) ?? new Map<string, string>()
      sections.set(name, current)
      continue
    }
    const eq = line.search(/[=:]/)
    if (eq <= 0) {
      errors.push({ line: index + 1, message: `expected "key = value", got "${line}"` })
      continue
    }
    if (!current) {
      errors.push({ line: index + 1, message: 'option outside of any [section]' })
      continue
    }
    const key = line.slice(0, eq).trim().toLowerCase()
    current.set(key, unquote(stripComment(line.slice(eq + 1).trim())))
  }
  return { doc: { sections }, errors }
}

function stripComment(value: string): string {
  if (value.startsWith('"') || value.startsWith("'")) return value
  const at = value.search(/\s[#;]/)
  return at === -1 ? value : value.slice(0, at).trimEnd()
}

function unquote(value: string): string {
  const q = value[0]
  if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) return value.slice(1, -1)
  return value
}
