/** Raised by repositories when a unique column already holds the value. */
export class UniqueViolationError extends Error {
  constructor(readonly field: 'username' | 'email') {
    super(`${field} is already taken`);
    this.name = 'UniqueViolationError';
  }
}

export class UnsupportedDatabaseUrlError extends Error {
  constructor(url: string) {
    super(`DATABASE_URL must be file:<path>, :memory: or a postgres:// URL (got "${url.split(':')[0]}:…")`);
    this.name = 'UnsupportedDatabaseUrlError';
  }
}

/** Driver codes of a connection that failed, closed or could not be opened (postgres.js, Node). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

/**
 * PostgreSQL SQLSTATEs that say "not now" rather than "wrong": connection exceptions (class 08),
 * shutdowns and start-up (57P01–57P03), a statement cancelled by statement_timeout (57014), too
 * many connections (53300), out of disk (53100).
 */
const PG_UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '57014', '53300', '53100']);

/** SQLite result codes of a full disk, a lock held too long, or a failing disk. */
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|BUSY|LOCKED|IOERR)/;

function codeOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  return typeof error.code === 'string' ? error.code : null;
}

/**
 * Whether an error means the database is unreachable, too slow or out of space right now (so the
 * call may succeed later), as opposed to a bug or a refused value. Looks through wrapping errors
 * (drizzle puts the driver's error in `cause`).
 */
export function isStorageUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = codeOf(current);
    if (code !== null) {
      if (CONNECTION_CODES.has(code) || PG_UNAVAILABLE_STATES.has(code) || SQLITE_UNAVAILABLE.test(code)) return true;
      if (code.length === 5 && code.startsWith('08')) return true;
    }
    current = typeof current === 'object' && 'cause' in current ? current.cause : undefined;
  }
  return false;
}
