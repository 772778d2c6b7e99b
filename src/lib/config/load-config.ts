/**
 * @module Loads the INI file, then the environment (OSTACK_<SECTION>__<OPTION>), over the
 * declared defaults; reports every invalid value at once and freezes the result.
 */
import { readFileSync } from 'node:fs'
import { parseIni } from './ini.js'
import { type ConfigOf, type SectionSpec, parseOptionValue, snakeCase } from './options.js'

export type ConfigFrom<S extends Record<string, SectionSpec>> = {
  readonly [K in keyof S]: ConfigOf<S[K]>
}

export class ConfigError extends Error {
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

export interface LoadConfigOptions {
  /** Path of the INI file; undefined means defaults and environment only. */
  file?: string | undefined
  /** Environment to read OSTACK_<SECTION>__<OPTION> overrides from. */
  env?: Readonly<Record<string, string | undefined>>
  /** Highest precedence: section -> snake_case key -> raw value (CLI flags, tests). */
  overrides?: Readonly<Record<string, Readonly<Record<string, string>>>>
}

export function loadConfig<S extends Record<string, SectionSpec>>(
  sections: S,
  options: LoadConfigOptions = {},
): ConfigFrom<S> {
  const problems: string[] = []
  let fileSections = new Map<string, Map<string, string>>()
  if (options.file !== undefined) {
    let text: string
    try {
      text = readFileSync(options.file, 'utf8')
    } catch (err) {
      throw new ConfigError([`cannot read config file ${options.file}: ${(err as Error).message}`])
    }
    const { doc, errors } = parseIni(text)
    for (const e of errors) problems.push(`${options.file}:${e.line}: ${e.message}`)
    fileSections = doc.sections
  }

  const result: Record<string, Record<string, unknown>> = {}
  for (const [sectionName, spec] of Object.entries(sections)) {
    const values: Record<string, unknown> = {}
    for (const [name, option] of Object.entries(spec.options)) {
      const key = snakeCase(name)
      const envName = `OSTACK_${sectionName.toUpperCase()}__${key.toUpperCase()}`
      const raw =
        options.overrides?.[sectionName]?.[key] ??
        options.env?.[envName] ??
        fileSections.get(sectionName)?.get(key)
      if (raw === undefined) {
        values[name] = option.default
        continue
      }
      const parsed = parseOptionValue(option, raw)
      if ('error' in parsed) problems.push(`[${sectionName}] ${key} ${parsed.error}`)
      else values[name] = parsed.value
    }
    result[sectionName] = Object.freeze(values)
  }
  if (problems.length > 0) throw new ConfigError(problems)
  // SAFETY: every declared option of every section was filled from its spec.
  return Object.freeze(result) as ConfigFrom<S>
}
