import { UniqueViolationError } from './errors.js';

const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', '23505']);

/**
 * Maps a unique-constraint failure of either engine to the column a caller can name. Drivers and
 * drizzle wrap errors differently, so the whole `cause` chain is searched.
 */
function uniqueViolation(error: unknown): UniqueViolationError | null {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const { code, constraint_name: constraint } = e as { code?: unknown; constraint_name?: unknown };
    const isUnique = (typeof code === 'string' && UNIQUE_CODES.has(code)) || /UNIQUE constraint/i.test(e.message);
    if (!isUnique) continue;
    // PostgreSQL names the constraint (users_username_key_unique); SQLite names the column.
    const text = typeof constraint === 'string' ? constraint : e.message;
    if (text.includes('username')) return new UniqueViolationError('username');
    if (text.includes('email')) return new UniqueViolationError('email');
  }
  return null;
}

export function rethrowUnique(error: unknown): never {
  throw uniqueViolation(error) ?? error;
}
