import type BetterSqlite3 from 'better-sqlite3';
import { lt } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { type RateLimiterAbstract, RateLimiterSQLite } from 'rate-limiter-flexible';
import type { RateLimitCounters, RateLimiterOptions } from './records.js';
import { rateLimits, type schema } from './sqlite-schema.js';

type Db = BetterSQLite3Database<typeof schema>;

/** RateLimiterSQLite on this connection and its migrated table (`expire` in epoch milliseconds). */
export class SqliteRateLimitCounters implements RateLimitCounters {
  constructor(
    private readonly sqlite: BetterSqlite3.Database,
    private readonly db: Db,
  ) {}

  createLimiter(options: RateLimiterOptions): RateLimiterAbstract {
    return new RateLimiterSQLite({
      ...options,
      storeClient: this.sqlite,
      storeType: 'better-sqlite3',
      tableName: 'rate_limits',
      // The migrations create the table; the store must not try DDL of its own.
      tableCreated: true,
      // purgeExpired sweeps for every limiter at once.
      clearExpiredByTimeout: false,
    });
  }

  async purgeExpired(before: Date): Promise<number> {
    return this.db.delete(rateLimits).where(lt(rateLimits.expire, before.getTime())).run().changes;
  }
}
