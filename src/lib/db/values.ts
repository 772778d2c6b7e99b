/**
 * @module Column conventions shared by every dialect: booleans are 0/1 integers (better-sqlite3
 * cannot bind JS booleans), JSON is text, timestamps are ISO-8601 UTC strings with milliseconds
 * (they sort as text and mean the same everywhere).
 */

export function toFlag(value: boolean): number {
  return value ? 1 : 0
}

export function fromFlag(value: number | boolean | null | undefined): boolean {
  return value === true || value === 1
}

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null)
}

export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}

/** The stored form of a timestamp. */
export function toDbTime(date: Date): string {
  return date.toISOString()
}
