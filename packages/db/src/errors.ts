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
