import { randomBytes } from 'node:crypto';
import { type Database, openDatabase } from '@gatehouse/db';
import { createScratchPostgres, postgresAdminUrl, type ScratchDatabase, shouldRun } from '@gatehouse/db/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_LIMITS,
  type LoginAttempt,
  LoginThrottle,
  RateLimitedError,
  type RateLimitStore,
  RateLimits,
} from '../src/index.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefixes: string[] = [];
const newPrefix = () => {
  const prefix = `gatehouse-test-${randomBytes(6).toString('hex')}`;
  prefixes.push(prefix);
  return prefix;
};

afterAll(async () => {
  // Every Redis key a test wrote lives under its own prefix; remove them all.
  const redis = new Redis(REDIS_URL);
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  }
  await redis.quit();
});

// The database store on PostgreSQL runs on a scratch database of its own, dropped afterwards.
let scratch: ScratchDatabase | undefined;
const withPostgres = shouldRun('PostgreSQL', (await postgresAdminUrl()) !== null);
beforeAll(async () => {
  if (withPostgres) scratch = await createScratchPostgres();
}, 30_000);
afterAll(() => scratch?.drop(), 30_000);

const stores: Array<[string, (db: Database) => RateLimitStore, () => string]> = [
  ['memory', () => ({ kind: 'memory' }), () => ':memory:'],
  ['database (SQLite)', (db) => ({ kind: 'database', counters: db.rateLimitTable }), () => ':memory:'],
  ['redis', () => ({ kind: 'redis', url: REDIS_URL }), () => ':memory:'],
];
if (withPostgres) {
  stores.push([
    'database (PostgreSQL)',
    (db) => ({ kind: 'database', counters: db.rateLimitTable }),
    () => scratch!.url,
  ]);
}

describe.each(stores)('the same limits on the %s store', (_name, storeFor, databaseUrl) => {
  let db: Database;
  let limits: RateLimits;

  beforeEach(async () => {
    db = await openDatabase(databaseUrl());
    limits = new RateLimits({ store: storeFor(db), keyPrefix: newPrefix() });
    await limits.ready();
  });
  afterEach(async () => {
    await limits.close();
    await db.close();
  });

  it('admits 5 logins a minute per address by default, then refuses with a wait', async () => {
    for (let i = 0; i < DEFAULT_RATE_LIMITS.loginPerMinute; i++) await limits.hit('login', '10.0.0.1');
    const refusal = await limits.hit('login', '10.0.0.1').catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect((refusal as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((refusal as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
    await expect(limits.hit('login', '10.0.0.2')).resolves.toBeUndefined();
  });

  it('locks an account+address after 10 failures for 15 minutes, and a success clears it', async () => {
    const throttle = new LoginThrottle(limits);
    const attempt: LoginAttempt = { account: 'user:1', ip: '10.0.0.1', knownAddress: false };
    const fail = async (a: LoginAttempt) => throttle.recordFailure(a, await throttle.admit(a));
    for (let i = 1; i < 10; i++) expect(await fail(attempt)).toEqual([]);
    expect(await fail(attempt)).toEqual([{ scope: 'account_ip', seconds: 900 }]);
    const refusal = await throttle.admit(attempt).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ kind: 'TOO_MANY_REQUESTS' });
    expect((refusal as RateLimitedError).retryAfterSeconds).toBeGreaterThan(890);
    // Another address is not affected by this pair's lock.
    await expect(throttle.admit({ ...attempt, ip: '10.0.0.2' })).resolves.toMatchObject({ pairCount: 1 });
    await throttle.recordSuccess(attempt);
    await expect(throttle.admit(attempt)).resolves.toMatchObject({ pairCount: 1 });
  });

  it('admits no more than the limit from a burst of parallel attempts', async () => {
    const throttle = new LoginThrottle(limits);
    const attempt: LoginAttempt = { account: 'user:2', ip: '10.0.0.3', knownAddress: false };
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, () => throttle.admit(attempt)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
  });

  it('holds an account to a daily ceiling across addresses, sparing addresses it knows', async () => {
    const small = new RateLimits({
      store: storeFor(db),
      keyPrefix: newPrefix(),
      settings: { accountIpFailures: 3, accountFailuresPerDay: 6 },
    });
    await small.ready();
    const throttle = new LoginThrottle(small);
    const from = (n: number, knownAddress = false): LoginAttempt => ({
      account: 'user:7',
      ip: `10.1.0.${n}`,
      knownAddress,
    });
    const engaged = [];
    for (let i = 0; i < 6; i++) {
      const attempt = from(i % 3);
      engaged.push(...(await throttle.recordFailure(attempt, await throttle.admit(attempt))));
    }
    expect(engaged.map((lock) => lock.scope)).toEqual(['account']);
    await expect(throttle.admit(from(50))).rejects.toMatchObject({ kind: 'TOO_MANY_REQUESTS' });
    // Refusals by the ceiling do not count towards the address's own lock.
    for (let i = 0; i < 5; i++)
      await expect(throttle.admit(from(0))).rejects.toMatchObject({ kind: 'TOO_MANY_REQUESTS' });
    await expect(throttle.admit(from(51, true))).resolves.toBeDefined();
    await throttle.recordSuccess(from(51, true));
    await expect(throttle.admit(from(50))).resolves.toBeDefined();
    await expect(throttle.admit(from(0))).resolves.toMatchObject({ pairCount: 3 });
    await small.close();
  });
});
