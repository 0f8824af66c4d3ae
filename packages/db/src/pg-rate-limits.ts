import { lt } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { type RateLimiterAbstract, RateLimiterDrizzle } from 'rate-limiter-flexible';
import { rateLimits, type schema } from './pg-schema.js';
import type { RateLimitCounters, RateLimiterOptions } from './records.js';

type Db = PostgresJsDatabase<typeof schema>;

/** RateLimiterDrizzle (atomic upserts) on this pool and its migrated table. */
export class PgRateLimitCounters implements RateLimitCounters {
  constructor(private readonly db: Db) {}

  createLimiter(options: RateLimiterOptions): RateLimiterAbstract {
    // purgeExpired sweeps for every limiter at once.
    return new RateLimiterDrizzle({
      ...options,
      storeClient: this.db,
      schema: rateLimits,
      clearExpiredByTimeout: false,
    });
  }

  async purgeExpired(before: Date): Promise<number> {
    const rows = await this.db
      .delete(rateLimits)
      .where(lt(rateLimits.expire, before))
      .returning({ key: rateLimits.key });
    return rows.length;
  }
}
