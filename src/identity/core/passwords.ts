/**
 * @module Password hashing: bcrypt at Keystone's cost (12 rounds by default, `$2b$` hashes that
 * Keystone can read), computed on the libuv thread pool so a slow hash never blocks the event loop.
 */
import bcrypt from 'bcrypt'

export async function hashPassword(password: string, rounds: number): Promise<string> {
  return bcrypt.hash(password, rounds)
}

/** Constant-time check; false for a malformed or absent hash. */
export async function verifyPassword(
  password: string,
  passwordHash: string | null,
): Promise<boolean> {
  if (passwordHash === null || passwordHash === '') return false
  try {
    return await bcrypt.compare(password, passwordHash)
  } catch {
    return false
  }
}
