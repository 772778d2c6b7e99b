/**
 * @module Evaluates oslo.policy rules. Each service declares its defaults in code; an
 * operator's policy.yaml overrides them by name, as with oslo.policy.
 */
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { AppError } from '../errors/app-error.js'
import { type Rule, parseRule } from './rule-parser.js'

/** What the caller is: the oslo.policy "creds" dictionary. */
export type Credentials = Readonly<Record<string, unknown>>
/** What the call is about: the oslo.policy "target" dictionary (nested or dotted keys). */
export type Target = Readonly<Record<string, unknown>>

export interface PolicyDefault {
  name: string
  check: string
  description?: string
  /** e.g. [{ method: 'GET', path: '/v3/users/{user_id}' }], for the generated policy reference. */
  operations?: readonly { method: string; path: string }[]
}

function lookup(source: Readonly<Record<string, unknown>>, path: string): unknown {
  if (path in source) return source[path]
  let value: unknown = source
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

/** Python's str() of a value, which is what oslo.policy compares. */
function pyString(value: unknown): string {
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (value === null || value === undefined) return 'None'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Substitutes `%(path)s` from the target; undefined when a key is missing (the check fails). */
function substitute(template: string, target: Target): string | undefined {
  const state = { missing: false }
  const out = template.replace(/%\(([^)]+)\)s/g, (_m, path: string) => {
    const value = lookup(target, path)
    if (value === undefined) {
      state.missing = true
      return ''
    }
    return pyString(value)
  })
  return state.missing ? undefined : out
}

function literal(left: string): string | undefined {
  if (/^'.*'$/.test(left) || /^".*"$/.test(left)) return left.slice(1, -1)
  if (left === 'True' || left === 'False') return left
  if (/^-?\d+(\.\d+)?$/.test(left)) return left
  return undefined
}

export class PolicyEnforcer {
  readonly #rules = new Map<string, Rule>()
  readonly #sources = new Map<string, string>()

  readonly #deniedMessage: (rule: string) => string

  /**
   * @param overrideFile a policy.yaml (or .json) whose entries replace defaults by name.
   * @param deniedMessage the 403 message of a denied rule, in the service's own words.
   */
  constructor(
    defaults: readonly PolicyDefault[],
    overrideFile?: string,
    deniedMessage: (rule: string) => string = (rule) =>
      `You are not authorized to perform the requested action: ${rule}.`,
  ) {
    this.#deniedMessage = deniedMessage
    for (const d of defaults) this.set(d.name, d.check)
    if (overrideFile !== undefined) {
      const text = readFileSync(overrideFile, 'utf8')
      const doc: unknown = parseYaml(text)
      if (doc !== null && doc !== undefined) {
        if (typeof doc !== 'object') throw new Error(`${overrideFile}: expected a mapping of rules`)
        for (const [name, check] of Object.entries(doc as Record<string, unknown>)) {
          if (typeof check !== 'string')
            throw new Error(`${overrideFile}: rule ${name} is not a string`)
          this.set(name, check)
        }
      }
    }
  }

  set(name: string, check: string): void {
    this.#rules.set(name, parseRule(check))
    this.#sources.set(name, check)
  }

  has(name: string): boolean {
    return this.#rules.has(name)
  }

  /** Whether the rule `name` allows `creds` to act on `target`. An unknown rule denies. */
  allows(name: string, target: Target, creds: Credentials): boolean {
    const rule = this.#rules.get(name)
    return rule !== undefined && this.#check(rule, target, creds, 0)
  }

  /** Throws a 403 AppError when the rule denies. */
  enforce(name: string, target: Target, creds: Credentials): void {
    if (!this.allows(name, target, creds))
      throw new AppError({
        code: 'POLICY_FORBIDDEN',
        kind: 'Forbidden',
        message: this.#deniedMessage(name),
        details: { rule: name },
      })
  }

  #check(rule: Rule, target: Target, creds: Credentials, depth: number): boolean {
    if (depth > 50) return false
    switch (rule.kind) {
      case 'true':
        return true
      case 'false':
        return false
      case 'rule': {
        const named = this.#rules.get(rule.name)
        return named !== undefined && this.#check(named, target, creds, depth + 1)
      }
      case 'role': {
        const roles = creds.roles
        return Array.isArray(roles) && roles.some((r) => String(r).toLowerCase() === rule.role)
      }
      case 'generic': {
        const match = substitute(rule.right, target)
        if (match === undefined) return false
        const lit = literal(rule.left)
        if (lit !== undefined) return match === lit
        const value = lookup(creds, rule.left)
        if (value === undefined) return false
        if (Array.isArray(value)) return value.map(pyString).includes(match)
        return pyString(value) === match
      }
      case 'and':
        return rule.rules.every((r) => this.#check(r, target, creds, depth + 1))
      case 'or':
        return rule.rules.some((r) => this.#check(r, target, creds, depth + 1))
      case 'not':
        return !this.#check(rule.rule, target, creds, depth + 1)
    }
  }
}
