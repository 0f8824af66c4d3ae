import { lt } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { RateLimiterDrizzle } from 'rate-limiter-flexible';
import { rateLimits, type tables } from './pg-schema.js';
import type { RateLimitCounters } from './records.js';
import type { Statements } from './statements.js';

/** RateLimiterDrizzle (atomic upserts) on this pool and its migrated table. */
export function pgRateLimitCounters(
  db: PostgresJsDatabase<typeof tables>,
  statements: Statements<'pg'>,
): RateLimitCounters {
  return {
    // purgeExpired sweeps for every limiter at once.
    createLimiter: (options) =>
      new RateLimiterDrizzle({ ...options, storeClient: db, schema: rateLimits, clearExpiredByTimeout: false }),
    purgeExpired: (before) => statements.deleteCount(rateLimits, lt(rateLimits.expire, before)),
  };
}
