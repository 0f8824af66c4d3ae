import { UnsupportedDatabaseUrlError } from './errors.js';
import { isPostgresUrl, migratePostgres, openPostgres } from './pg-database.js';
import type { Database } from './records.js';
import { openSqlite } from './sqlite-database.js';

export interface OpenDatabaseOptions {
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/** The SQLite path a DATABASE_URL names, or null when it names another engine. */
export function sqlitePath(url: string): string | null {
  if (url === ':memory:' || url === 'file::memory:') return ':memory:';
  if (url.startsWith('file:')) return url.slice('file:'.length);
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length);
  return null;
}

/** Opens the database a DATABASE_URL names and brings its schema up to date. */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  if (isPostgresUrl(url)) {
    if (options.migrate !== false) await migratePostgres(url);
    return openPostgres(url, options.poolSize ? { max: options.poolSize } : {});
  }
  const path = sqlitePath(url);
  if (path === null) throw new UnsupportedDatabaseUrlError(url);
  const db = openSqlite(path);
  if (options.migrate !== false) db.migrate();
  return db;
}
