/**
 * @module The oslo.policy rule language: `@`, `!`, `rule:name`, `role:name`, generic
 * `key:value` checks with `%(target.path)s` substitution, `and` / `or` / `not` and
 * parentheses. Precedence, as in oslo.policy: not > and > or.
 */

export type Rule =
  | { kind: 'true' }
  | { kind: 'false' }
  | { kind: 'rule'; name: string }
  | { kind: 'role'; role: string }
  /** `left:right`, where left names a credential (or is a quoted literal) and right may substitute the target. */
  | { kind: 'generic'; left: string; right: string }
  | { kind: 'and'; rules: Rule[] }
  | { kind: 'or'; rules: Rule[] }
  | { kind: 'not'; rule: Rule }

export class PolicyParseError extends Error {
  constructor(rule: string, reason: string) {
    super(`invalid policy rule "${rule}": ${reason}`)
    this.name = 'PolicyParseError'
  }
}

function tokenize(text: string): string[] {
  const tokens: string[] = []
  for (let word of text.trim().split(/\s+/)) {
    if (word === '') continue
    while (word.startsWith('(')) {
      tokens.push('(')
      word = word.slice(1)
    }
    let closing = 0
    while (word.endsWith(')')) {
      closing++
      word = word.slice(0, -1)
    }
    if (word !== '') tokens.push(word)
    for (let i = 0; i < closing; i++) tokens.push(')')
  }
  return tokens
}

function parseCheck(token: string, source: string): Rule {
  if (token === '@') return { kind: 'true' }
  if (token === '!') return { kind: 'false' }
  const colon = token.indexOf(':')
  if (colon <= 0) throw new PolicyParseError(source, `"${token}" is not a check`)
  const left = token.slice(0, colon)
  const right = token.slice(colon + 1)
  if (left === 'rule') return { kind: 'rule', name: right }
  if (left === 'role') return { kind: 'role', role: right.toLowerCase() }
  return { kind: 'generic', left, right }
}

export function parseRule(source: string): Rule {
  const tokens = tokenize(source)
  if (tokens.length === 0) return { kind: 'true' }
  let pos = 0
  const peek = (): string | undefined => tokens[pos]

  function parseOr(): Rule {
    const rules = [parseAnd()]
    while (peek()?.toLowerCase() === 'or') {
      pos++
      rules.push(parseAnd())
    }
    return rules.length === 1 && rules[0] ? rules[0] : { kind: 'or', rules }
  }
  function parseAnd(): Rule {
    const rules = [parseNot()]
    while (peek()?.toLowerCase() === 'and') {
      pos++
      rules.push(parseNot())
    }
    return rules.length === 1 && rules[0] ? rules[0] : { kind: 'and', rules }
  }
  function parseNot(): Rule {
    if (peek()?.toLowerCase() === 'not') {
      pos++
      return { kind: 'not', rule: parseNot() }
    }
    return parseAtom()
  }
  function parseAtom(): Rule {
    const token = tokens[pos++]
    if (token === undefined) throw new PolicyParseError(source, 'unexpected end')
    if (token === '(') {
      const inner = parseOr()
      if (tokens[pos++] !== ')') throw new PolicyParseError(source, 'missing ")"')
      return inner
    }
    if (token === ')' || ['and', 'or'].includes(token.toLowerCase()))
      throw new PolicyParseError(source, `unexpected "${token}"`)
    return parseCheck(token, source)
  }

  const rule = parseOr()
  if (pos !== tokens.length) throw new PolicyParseError(source, `unexpected "${tokens[pos] ?? ''}"`)
  return rule
}
