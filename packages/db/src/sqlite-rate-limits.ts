import type BetterSqlite3 from 'better-sqlite3';
import { lt } from 'drizzle-orm';
import { RateLimiterSQLite } from 'rate-limiter-flexible';
import type { RateLimitCounters } from './records.js';
import { rateLimits } from './sqlite-schema.js';
import type { Statements } from './statements.js';

/** RateLimiterSQLite on this connection and its migrated table (`expire` in epoch milliseconds). */
export function sqliteRateLimitCounters(
  sqlite: BetterSqlite3.Database,
  statements: Statements<'sqlite'>,
): RateLimitCounters {
  return {
    createLimiter: (options) =>
      new RateLimiterSQLite({
        ...options,
        storeClient: sqlite,
        storeType: 'better-sqlite3',
        tableName: 'rate_limits',
        // The migrations create the table; the store must not try DDL of its own.
        tableCreated: true,
        // purgeExpired sweeps for every limiter at once.
        clearExpiredByTimeout: false,
      }),
    purgeExpired: (before) => statements.deleteCount(rateLimits, lt(rateLimits.expire, before.getTime())),
  };
}
