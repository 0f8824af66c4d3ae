import { isPostgresUrl, sqlitePath } from './database-url.js';
import { UnsupportedDatabaseUrlError } from './errors.js';
import type { Database } from './records.js';

export interface OpenDatabaseOptions {
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/**
 * Opens the database a DATABASE_URL names and brings its schema up to date. Only the named
 * engine's driver and ORM dialect are loaded (each costs megabytes of memory).
 */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  if (isPostgresUrl(url)) {
    const { migratePostgres, openPostgres } = await import('./pg-database.js');
    if (options.migrate !== false) await migratePostgres(url);
    return openPostgres(url, options.poolSize ? { max: options.poolSize } : {});
  }
  const path = sqlitePath(url);
  if (path === null) throw new UnsupportedDatabaseUrlError(url);
  const { openSqlite } = await import('./sqlite-database.js');
  const db = openSqlite(path);
  if (options.migrate !== false) db.migrate();
  return db;
}
