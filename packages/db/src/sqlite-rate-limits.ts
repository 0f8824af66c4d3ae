import type BetterSqlite3 from 'better-sqlite3';
import { lt } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SqliteRateLimitTable as RateLimitTable } from './records.js';
import { rateLimits, type schema } from './sqlite-schema.js';

type Db = BetterSQLite3Database<typeof schema>;

/** Lets rate-limiter-flexible's RateLimiterSQLite share this connection and its migrated table. */
export class SqliteRateLimitCounters implements RateLimitTable {
  readonly storeType = 'better-sqlite3' as const;
  readonly tableName = 'rate_limits';

  constructor(
    readonly client: BetterSqlite3.Database,
    private readonly db: Db,
  ) {}

  async purgeExpired(before: Date): Promise<number> {
    return this.db.delete(rateLimits).where(lt(rateLimits.expire, before.getTime())).run().changes;
  }
}
