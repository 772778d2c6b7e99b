/**
 * @module Nova's `name` formats (nova/api/validation/validators.py), checked after the schema
 * because Nova answers them with its own wording ("An invalid 'name' value was provided. The
 * name must be: ...") rather than a schema message.
 */
import { computeErrors } from '../errors.js'

const PRINTABLE = /^[^\p{C}\p{Zl}\p{Zp}]*$/u
const EDGE_SPACE = /^\p{Zs}|\p{Zs}$/u

function invalidName(reason: string): Error {
  return computeErrors.badRequest(
    `An invalid 'name' value was provided. The name must be: ${reason}`,
  )
}

/** Printable characters, not starting or ending with whitespace (parameter_types.name). */
export function checkName(value: string): void {
  if (!PRINTABLE.test(value) || EDGE_SPACE.test(value))
    throw invalidName('printable characters. Can not start or end with whitespace.')
}

const KEYPAIR_CHARS = '_- 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

/** A key pair name (up to microversion 2.91): a name made of letters, digits, `_`, `-`, space. */
export function checkKeypairName(value: string): void {
  checkName(value)
  for (const c of value)
    if (!KEYPAIR_CHARS.includes(c))
      throw invalidName(`Only expected characters: [${KEYPAIR_CHARS}]`)
}
