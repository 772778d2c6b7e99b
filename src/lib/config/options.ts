/**
 * @module Typed option declarations. Each service declares its INI section in its own
 * `config.ts`; the loader validates every value, reports every problem at once and freezes
 * the result. Option names are camelCase in code and snake_case in the file.
 */

export type OptionKind = 'string' | 'int' | 'float' | 'bool' | 'list' | 'choice'

export interface OptionSpec<T> {
  readonly kind: OptionKind
  readonly default: T
  readonly help: string
  /** Never logged or echoed. */
  readonly secret?: boolean
  readonly min?: number
  readonly max?: number
  readonly choices?: readonly string[]
  /** What the sample file shows when the default is computed at run time. */
  readonly sampleDefault?: string
}

export type AnyOption = OptionSpec<unknown>

export interface SectionSpec<O extends Record<string, AnyOption> = Record<string, AnyOption>> {
  readonly name: string
  readonly help: string
  readonly options: O
}

export type ConfigOf<S extends SectionSpec> = {
  readonly [K in keyof S['options']]: S['options'][K] extends OptionSpec<infer T> ? T : never
}

interface Common {
  help: string
  secret?: boolean
  sampleDefault?: string
}

export function section<O extends Record<string, AnyOption>>(
  name: string,
  help: string,
  options: O,
): SectionSpec<O> {
  return { name, help, options }
}

export function str(spec: Common & { default: string }): OptionSpec<string> {
  return { kind: 'string', ...spec }
}

/** A string with no default: undefined unless set. */
export function optionalStr(spec: Common): OptionSpec<string | undefined> {
  return { kind: 'string', default: undefined, ...spec }
}

export function int(
  spec: Common & { default: number; min?: number; max?: number },
): OptionSpec<number> {
  return { kind: 'int', ...spec }
}

export function float(
  spec: Common & { default: number; min?: number; max?: number },
): OptionSpec<number> {
  return { kind: 'float', ...spec }
}

export function bool(spec: Common & { default: boolean }): OptionSpec<boolean> {
  return { kind: 'bool', ...spec }
}

export function list(spec: Common & { default: readonly string[] }): OptionSpec<readonly string[]> {
  return { kind: 'list', ...spec }
}

export function choice<const C extends string>(
  choices: readonly C[],
  spec: Common & { default: C },
): OptionSpec<C> {
  return { kind: 'choice', choices, ...spec }
}

/** `adminPassword` -> `admin_password`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/** Parses one raw string for an option; returns an error message when it does not fit. */
export function parseOptionValue(
  spec: AnyOption,
  raw: string,
): { value: unknown } | { error: string } {
  const value = raw.trim()
  switch (spec.kind) {
    case 'string':
      return { value: raw }
    case 'int':
    case 'float': {
      const n = Number(value)
      if (value === '' || !Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n)))
        return { error: `must be ${spec.kind === 'int' ? 'an integer' : 'a number'}, got "${raw}"` }
      if (spec.min !== undefined && n < spec.min)
        return { error: `must be >= ${spec.min}, got ${n}` }
      if (spec.max !== undefined && n > spec.max)
        return { error: `must be <= ${spec.max}, got ${n}` }
      return { value: n }
    }
    case 'bool': {
      const v = value.toLowerCase()
      if (['true', '1', 'yes', 'on'].includes(v)) return { value: true }
      if (['false', '0', 'no', 'off'].includes(v)) return { value: false }
      return { error: `must be true or false, got "${raw}"` }
    }
    case 'list':
      return {
        value: value
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      }
    case 'choice':
      if (!spec.choices?.includes(value))
        return { error: `must be one of ${spec.choices?.join(', ') ?? ''}, got "${raw}"` }
      return { value }
  }
}
