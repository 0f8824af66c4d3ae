/** What a DATABASE_URL names, read without loading either engine's driver. */

export function isPostgresUrl(url: string): boolean {
  return url.startsWith('postgres://') || url.startsWith('postgresql://');
}

/** The SQLite path a DATABASE_URL names, or null when it names another engine. */
export function sqlitePath(url: string): string | null {
  if (url === ':memory:' || url === 'file::memory:') return ':memory:';
  if (url.startsWith('file:')) return url.slice('file:'.length);
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length);
  return null;
}
