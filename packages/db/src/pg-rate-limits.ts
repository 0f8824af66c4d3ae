import { lt } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { rateLimits, type schema } from './pg-schema.js';
import type { DrizzleRateLimitTable } from './records.js';

type Db = PostgresJsDatabase<typeof schema>;

/** Lets rate-limiter-flexible's RateLimiterDrizzle share this pool and its migrated table. */
export class PgRateLimitCounters implements DrizzleRateLimitTable {
  readonly storeType = 'drizzle' as const;
  readonly tableName = 'rate_limits';
  readonly table = rateLimits;

  constructor(readonly client: Db) {}

  async purgeExpired(before: Date): Promise<number> {
    const rows = await this.client
      .delete(rateLimits)
      .where(lt(rateLimits.expire, before))
      .returning({ key: rateLimits.key });
    return rows.length;
  }
}
