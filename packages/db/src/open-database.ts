import { isPostgresUrl, sqlitePath } from './database-url.js';
import { UnsupportedDatabaseUrlError } from './errors.js';
import type { Database } from './records.js';

export interface OpenDatabaseOptions {
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** PostgreSQL: seconds to wait for a new connection (default 2). */
  connectTimeoutSeconds?: number;
  /** PostgreSQL: milliseconds a statement may run before it is cancelled (default 2000; 0 = none). */
  statementTimeoutMs?: number;
}

/**
 * Opens the database a DATABASE_URL names and brings its schema up to date. Only the named
 * engine's driver and ORM dialect are loaded (each costs megabytes of memory).
 */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  if (isPostgresUrl(url)) {
    const { migratePostgres, openPostgres } = await import('./pg-database.js');
    if (options.migrate !== false) await migratePostgres(url);
    const { poolSize, connectTimeoutSeconds, statementTimeoutMs } = options;
    return openPostgres(url, {
      ...(poolSize ? { max: poolSize } : {}),
      ...(connectTimeoutSeconds === undefined ? {} : { connectTimeoutSeconds }),
      ...(statementTimeoutMs === undefined ? {} : { statementTimeoutMs }),
    });
  }
  const path = sqlitePath(url);
  if (path === null) throw new UnsupportedDatabaseUrlError(url);
  const { openSqlite } = await import('./sqlite-database.js');
  const db = openSqlite(path);
  if (options.migrate !== false) db.migrate();
  return db;
}
